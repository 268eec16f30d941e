package dev.reverb.runtime.data;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dataset mirror on loopback ({@code http://127.0.0.1:PORT/}) for tests: it serves bytes put at a
 * path, or the files of a folder, counts requests, and can cut a body short.
 */
public final class MirrorServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> cutAt = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Path folder;

    public MirrorServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath().substring(1);
            byte[] body = files.get(path);
            if (body == null && folder != null && !path.contains("..") && Files.isRegularFile(folder.resolve(path))) {
                body = Files.readAllBytes(folder.resolve(path));
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            Integer cut = cutAt.get(path);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body, 0, cut == null ? body.length : cut);
                out.flush();
                // a cut body promised body.length bytes and sent fewer: the client waits for the rest
            } catch (IOException ignored) {
                // the client went away
            }
        });
        server.start();
    }

    /** Serves {@code bytes} at {@code path} ({@code gsm8k/test.jsonl}). */
    public MirrorServer put(String path, byte[] bytes) {
        files.put(path, bytes.clone());
        return this;
    }

    /** Serves every file under {@code dir} at its relative path. */
    public MirrorServer serve(Path dir) {
        folder = dir;
        return this;
    }

    /** Promises {@code path}'s whole body but sends only its first {@code bytes}: the download stalls. */
    public MirrorServer cut(String path, int bytes) {
        cutAt.put(path, bytes);
        return this;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
