package dev.reverb.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real OpenAI-compatible HTTP server on loopback for tests: {@code POST /v1/chat/completions}
 * answers as a script says (a text, an HTTP error, or a text after a stall), and every request
 * body is kept for assertions.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    /** One scripted answer. */
    public record Reply(int status, String text, long stallMillis) {
        public static Reply text(String text) {
            return new Reply(200, text, 0);
        }

        public static Reply status(int status) {
            return new Reply(status, "", 0);
        }

        public static Reply stall(long millis, String text) {
            return new Reply(200, text, millis);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-openai");
        t.setDaemon(true);
        return t;
    });
    private final Function<JsonNode, Reply> script;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    private FakeOpenAiServer(Function<JsonNode, Reply> script) throws IOException {
        this.script = script;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::chat);
        server.createContext("/v1/models", exchange -> send(exchange, 200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"scripted\",\"object\":\"model\"}]}"));
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a server whose answer to each request body is {@code script}'s. */
    public static FakeOpenAiServer start(Function<JsonNode, Reply> script) throws IOException {
        return new FakeOpenAiServer(script);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every chat request body received, in order of arrival. */
    public List<JsonNode> requests() {
        return requests;
    }

    public int calls() {
        return calls.get();
    }

    private void chat(HttpExchange exchange) throws IOException {
        int n = calls.incrementAndGet();
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        requests.add(body);
        Reply reply = script.apply(body);
        if (reply.stallMillis() > 0) {
            try {
                Thread.sleep(reply.stallMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (reply.status() != 200) {
            send(exchange, reply.status(), "{\"error\":{\"message\":\"scripted failure " + reply.status()
                    + "\",\"type\":\"server_error\"}}");
            return;
        }
        ObjectNode response = JSON.createObjectNode();
        response.put("id", "chatcmpl-" + n).put("object", "chat.completion").put("created", 1_700_000_000L)
                .put("model", body.path("model").asText("scripted"));
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", reply.text());
        int prompt = body.path("messages").toString().length() / 4;
        int completion = Math.max(1, reply.text().length() / 4);
        response.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        send(exchange, 200, JSON.writeValueAsString(response));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
