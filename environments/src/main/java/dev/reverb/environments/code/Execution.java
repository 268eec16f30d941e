package dev.reverb.environments.code;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One running sandboxed interpreter: its source already sent on standard input, standard error
 * captured up to the output limit, standard output either captured the same way or read line by
 * line as a protocol channel, and a deadline at the wall time that kills it (bwrap's outer process,
 * which takes the whole pid namespace with it, and every host-visible descendant for good measure).
 * {@link #finish} always ends the process and returns its {@link Sandbox.Result}.
 */
final class Execution {

    private static final int SIGXCPU = 24;
    private static final Pattern MEMORY_ERROR = Pattern.compile("(?m)^MemoryError\\b|Cannot allocate memory");
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sandbox-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final Process process;
    private final Sandbox.Limits limits;
    private final Path tempDir;
    private final long start = System.nanoTime();
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final AtomicBoolean outputExceeded = new AtomicBoolean();
    private final Capture err;
    private final Capture out;
    private final Thread errThread;
    private final Thread outThread;
    private final InputStream channel;
    private final OutputStream input;
    private final ScheduledFuture<?> deadline;

    private Execution(Process process, Sandbox.Limits limits, Path tempDir, boolean channelMode) {
        this.process = process;
        this.limits = limits;
        this.tempDir = tempDir;
        this.input = process.getOutputStream();
        Runnable onOverflow = () -> {
            outputExceeded.set(true);
            kill();
        };
        this.err = new Capture(process.getErrorStream(), limits.maxOutputBytes(), onOverflow);
        this.errThread = daemon(err, "sandbox-stderr");
        if (channelMode) {
            this.out = null;
            this.outThread = null;
            this.channel = process.getInputStream();
        } else {
            this.out = new Capture(process.getInputStream(), limits.maxOutputBytes(), onOverflow);
            this.outThread = daemon(out, "sandbox-stdout");
            this.channel = null;
        }
        this.deadline = TIMER.schedule(() -> {
            if (process.isAlive()) {
                timedOut.set(true);
                kill();
            }
        }, limits.wallTime().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts a command and sends it the source, length-prefixed.
     *
     * @param tempDir a folder to work in and delete at the end, or null (bwrap brings its own)
     */
    static Execution start(List<String> command, Path tempDir, Map<String, String> env, String source,
                           Sandbox.Limits limits, boolean channelMode) {
        ProcessBuilder builder = new ProcessBuilder(command).directory((tempDir == null ? Path.of("/") : tempDir).toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            delete(tempDir);
            throw new IllegalStateException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        Execution execution = new Execution(process, limits, tempDir, channelMode);
        byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
        try {
            execution.input.write((bytes.length + "\n").getBytes(StandardCharsets.US_ASCII));
            execution.input.write(bytes);
            execution.input.flush();
            if (!channelMode) {
                execution.input.close();
            }
        } catch (IOException e) {
            // the interpreter died before reading its source: finish() reports why
        }
        return execution;
    }

    /** Sends one protocol line; false when the process no longer reads. */
    boolean writeLine(String line) {
        try {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one protocol line; null at the end of the stream, or when a line is longer than the output limit. */
    String readLine() {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = channel.read()) >= 0) {
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                if (line.size() >= limits.maxOutputBytes()) {
                    outputExceeded.set(true);
                    kill();
                    return null;
                }
                line.write(b);
            }
        } catch (IOException e) {
            // killed
        }
        return null;
    }

    void closeInput() {
        try {
            input.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    boolean timedOut() {
        return timedOut.get();
    }

    /** Kills bwrap's outer process (and with it the sandbox's pid namespace) and every visible descendant. */
    void kill() {
        for (int round = 0; round < 3; round++) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
    }

    /** Waits for the end (at most until the deadline), kills what is left, and reports. */
    Sandbox.Result finish() {
        boolean interrupted = false;
        closeInput();
        try {
            long left = limits.wallTime().toNanos() - (System.nanoTime() - start) + GRACE.toNanos();
            if (!process.waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
                timedOut.set(true);
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        deadline.cancel(false);
        kill();
        try {
            process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        interrupted |= join(errThread, process.getErrorStream());
        if (outThread != null) {
            interrupted |= join(outThread, process.getInputStream());
        } else {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closed
            }
        }
        delete(tempDir);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int status = process.isAlive() ? -1 : process.exitValue();
        String stderr = err.text();
        boolean cpuKilled = !timedOut.get() && !outputExceeded.get() && (status == 128 + SIGXCPU
                || (status == 128 + 9 && limits.cpuSeconds() > 0 && wall.toMillis() >= limits.cpuSeconds() * 1000L));
        return new Sandbox.Result(status, timedOut.get() || cpuKilled, outputExceeded.get(),
                status != 0 && MEMORY_ERROR.matcher(stderr).find(), out == null ? "" : out.text(), stderr, wall);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for a reader; if a stray process still holds the pipe, closes it. Returns whether interrupted. */
    private static boolean join(Thread reader, InputStream stream) {
        try {
            reader.join(GRACE.toMillis());
            if (reader.isAlive()) {
                stream.close();
                reader.join(GRACE.toMillis());
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }

    /** Reads a stream to its end, keeping at most {@code max} bytes; calls {@code onOverflow} once when exceeded. */
    private static final class Capture implements Runnable {
        private final InputStream stream;
        private final int max;
        private final Runnable onOverflow;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean overflowed;

        Capture(InputStream stream, int max, Runnable onOverflow) {
            this.stream = stream;
            this.max = max;
            this.onOverflow = onOverflow;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = stream.read(buffer)) >= 0) {
                    boolean overflowNow = false;
                    synchronized (this) {
                        int room = max - kept.size();
                        kept.write(buffer, 0, Math.min(room, n));
                        if (n > room && !overflowed) {
                            overflowed = true;
                            overflowNow = true;
                        }
                    }
                    if (overflowNow) {
                        onOverflow.run();
                    }
                }
            } catch (IOException ignored) {
                // the stream was closed because the process was killed
            }
        }

        synchronized String text() {
            return kept.toString(StandardCharsets.UTF_8);
        }
    }
}
