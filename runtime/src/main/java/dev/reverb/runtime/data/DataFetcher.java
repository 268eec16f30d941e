package dev.reverb.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches a {@link DataFile} into a data folder and pins it: the bytes go to a temporary file beside
 * the target, their SHA-256 is checked against the pinned one, and only then is the file moved into
 * place (atomically). A download that fails, is cut short or has the wrong digest leaves nothing at
 * the target and no partial file; a file already there with the right digest is not fetched again.
 */
public final class DataFetcher {

    /** What {@link #fetch} did. */
    public enum Status {
        /** The file was there with the pinned digest; nothing was downloaded. */
        PRESENT,
        /** Downloaded and checked. */
        FETCHED,
        /** A file with another digest was there; it was replaced by the checked download. */
        REPLACED
    }

    /** The result of one fetch: the file, where it is now, what happened, and where it came from. */
    public record Outcome(DataFile file, Path target, Status status, URI from) {
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reverb-data-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient client;
    private final Duration timeout;

    /** @param timeout for connecting, for the response to start, and the longest a body may send nothing */
    public DataFetcher(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Where {@code file} comes from: its canonical address, or under a mirror laid out as {@code NAME/FILE}. */
    public static URI source(DataFile file, URI mirror) {
        if (mirror == null) {
            return file.url();
        }
        String base = mirror.toString();
        return URI.create(base.endsWith("/") ? base : base + "/").resolve(file.path());
    }

    /**
     * Makes {@code dir/file.path()} hold the pinned bytes of {@code file}, downloading them from
     * {@link #source(DataFile, URI)} unless they are there already.
     *
     * @param mirror a base address ({@code http(s):} or {@code file:}) laid out like the data folder; null: the
     *               canonical source
     * @throws DataException when it cannot be fetched or its digest is not the pinned one (nothing is written then)
     */
    public Outcome fetch(DataFile file, Path dir, URI mirror) {
        Path target = dir.resolve(file.path()).toAbsolutePath().normalize();
        URI from = source(file, mirror);
        boolean existed = Files.isRegularFile(target);
        if (existed && file.sha256().equals(sha256(target))) {
            return new Outcome(file, target, Status.PRESENT, from);
        }
        Path partial = null;
        Path folder = target.getParent();
        Path made = null; // the highest folder this fetch creates
        for (Path p = folder; p != null && !Files.exists(p); p = p.getParent()) {
            made = p;
        }
        try {
            Files.createDirectories(folder);
            removeStalePartials(folder, file);
            partial = Files.createTempFile(target.getParent(), "." + file.fileName() + ".", ".part");
            String digest = download(from, partial, file);
            if (!digest.equals(file.sha256())) {
                throw new DataException("refused " + from + ": its SHA-256 is " + digest + ", not the pinned "
                        + file.sha256() + " of " + file.path() + "; nothing was written to " + target);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            partial = null;
            return new Outcome(file, target, existed ? Status.REPLACED : Status.FETCHED, from);
        } catch (IOException e) {
            throw new DataException("could not fetch " + file.path() + " from " + from + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while fetching " + file.path() + " from " + from, e);
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // best effort: the partial file has a dot name and never becomes the target
                }
                for (Path p = folder; made != null && p != null && p.startsWith(made); p = p.getParent()) {
                    try {
                        Files.deleteIfExists(p); // only when empty: a failed fetch leaves no trace
                    } catch (IOException notEmpty) {
                        break;
                    }
                }
            }
        }
    }

    /**
     * Deletes what an earlier fetch of {@code file} that was killed left beside it ({@code .NAME.*.part}), when
     * nothing has written to it for a while; a fetch still running writes at least once per timeout.
     */
    private void removeStalePartials(Path folder, DataFile file) {
        String prefix = "." + file.fileName() + ".";
        long quiet = Math.max(60_000, 2 * timeout.toMillis());
        try (java.nio.file.DirectoryStream<Path> leftovers = Files.newDirectoryStream(folder,
                p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".part"))) {
            for (Path p : leftovers) {
                if (System.currentTimeMillis() - Files.getLastModifiedTime(p).toMillis() > quiet) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException ignored) {
            // leftovers are dot files that never become the target; cleaning them is a courtesy
        }
    }

    /** Copies the bytes at {@code from} into {@code partial} (flushed to disk); returns their SHA-256. */
    private String download(URI from, Path partial, DataFile file) throws IOException, InterruptedException {
        String scheme = from.getScheme() == null ? "" : from.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                HttpRequest request = HttpRequest.newBuilder(from).timeout(timeout).GET()
                        .header("User-Agent", "reverb-data").build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    if (response.statusCode() != 200) {
                        throw new DataException("could not fetch " + file.path() + ": " + from + " answered HTTP "
                                + response.statusCode());
                    }
                    return copy(in, partial, file);
                }
            }
            case "file" -> {
                try (InputStream in = Files.newInputStream(Path.of(from))) {
                    return copy(in, partial, file);
                }
            }
            default -> throw new DataException("cannot fetch from " + from + ": only http, https and file addresses");
        }
    }

    /**
     * Copies {@code in} into {@code partial} (flushed to disk) and returns the bytes' SHA-256; a source
     * that sends nothing for {@code timeout} is given up on (a stalled download never hangs the command).
     */
    private String copy(InputStream in, Path partial, DataFile file) throws IOException {
        MessageDigest sha = sha();
        long total = 0;
        // a pinned file has a known size: a source sending more is not it (and must not fill the disk)
        long cap = file.bytes();
        AtomicLong progress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long check = Math.max(50, Math.min(1000, timeout.toMillis() / 4));
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - progress.get() > timeout.toNanos() && !stalled.getAndSet(true)) {
                try {
                    in.close(); // wakes the reader
                } catch (IOException ignored) {
                    // closing is all that is wanted
                }
            }
        }, check, check, TimeUnit.MILLISECONDS);
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                progress.set(System.nanoTime());
                total += n;
                if (total > cap) {
                    break;
                }
                sha.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            out.flush();
            channel.force(true);
        } catch (IOException e) {
            if (stalled.get()) {
                throw new IOException("no data for " + timeout.toSeconds() + " s after " + total + " bytes; gave up", e);
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
        if (stalled.get()) {
            throw new IOException("no data for " + timeout.toSeconds() + " s after " + total + " bytes; gave up");
        }
        if (total > cap) {
            return "(more than the pinned " + file.bytes() + " bytes)";
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 of a file's bytes, lowercase hex. */
    public static String sha256(Path file) {
        MessageDigest sha = sha();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + reason(e), e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    /** An I/O failure in words: its message, or its kind when it has none (a refused connection often has none). */
    static String reason(Throwable e) {
        String kind = e.getClass().getSimpleName();
        String message = e.getMessage();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.nio.channels.UnresolvedAddressException || c instanceof java.net.UnknownHostException) {
                return "the host name could not be resolved (no network or DNS here?) (" + c.getClass().getSimpleName() + ")";
            }
        }
        if (e instanceof java.net.ConnectException && (message == null || message.isBlank())) {
            return "connection refused (" + kind + ")";
        }
        return message == null || message.isBlank() ? kind : kind + ": " + message;
    }
}
