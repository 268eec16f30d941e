package dev.reverb.environments.code;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a Python program in a real {@code python3} subprocess, each run in a fresh temporary
 * directory that is deleted afterwards, under limits: wall time (the whole process tree is
 * killed), CPU seconds, address-space memory, processes, file size and output size.
 *
 * <p>Inside the interpreter a small preamble sets the rlimits ({@code resource.setrlimit}) and
 * installs an audit hook ({@code sys.addaudithook}) that refuses, with a Python
 * {@code PermissionError} whose message starts with {@value #REFUSED}: opening files for writing
 * outside the run's directory; removing, renaming, copying or changing files outside it
 * ({@code os.*}, {@code shutil.*}); any socket operation; starting processes ({@code os.fork},
 * {@code os.system}, {@code os.exec*}, {@code os.spawn*}, {@code os.posix_spawn},
 * {@code subprocess.Popen}, {@code _posixsubprocess.fork_exec}); signalling other processes;
 * loading native code with {@code ctypes}. The interpreter runs isolated ({@code -I}), without
 * bytecode files ({@code -B}), with a minimal environment (no proxies, no inherited variables).
 *
 * <p>This stops the mistakes and accidents of generated code; it is not a security boundary
 * against deliberately hostile code (use a container or VM for that).
 *
 * <p>{@link #run} never hangs and never throws for bad code: a crash, a refusal, a timeout or a
 * blown limit is a {@link Result}. Instances are immutable and safe to use from many threads.
 */
public final class Sandbox {

    /** The start of the message of every refusal by the audit hook. */
    public static final String REFUSED = "sandbox refused";

    /** The file name the program has inside its directory (and in tracebacks). */
    public static final String PROGRAM_FILE = "program.py";

    /**
     * Limits of one run. A limit of 0 means "not limited" for every field except the wall time.
     *
     * @param wallTime       wall-clock time after which the process tree is killed
     * @param cpuSeconds     CPU seconds (RLIMIT_CPU)
     * @param memoryBytes    address space (RLIMIT_AS)
     * @param maxProcesses   processes of the user (RLIMIT_NPROC; not enforced for root, where the
     *                       audit hook's fork refusal is what stops a fork bomb)
     * @param maxFileBytes   size of any file written (RLIMIT_FSIZE)
     * @param maxOutputBytes bytes kept of stdout and of stderr each; printing more kills the run
     */
    public record Limits(Duration wallTime, int cpuSeconds, long memoryBytes, int maxProcesses,
                         long maxFileBytes, int maxOutputBytes) {

        public Limits {
            Objects.requireNonNull(wallTime, "wallTime");
            if (wallTime.isNegative() || wallTime.isZero()) {
                throw new IllegalArgumentException("wallTime must be positive, was " + wallTime);
            }
            if (cpuSeconds < 0 || memoryBytes < 0 || maxProcesses < 0 || maxFileBytes < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
            if (maxOutputBytes <= 0) {
                throw new IllegalArgumentException("maxOutputBytes must be positive, was " + maxOutputBytes);
            }
        }

        /** 10 s wall, 10 CPU s, 1 GiB memory, 256 processes, 16 MiB files, 64 KiB output. */
        public static Limits defaults() {
            return new Limits(Duration.ofSeconds(10), 10, 1L << 30, 256, 16L << 20, 64 << 10);
        }

        public Limits withWallTime(Duration value) {
            return new Limits(value, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes);
        }

        public Limits withCpuSeconds(int value) {
            return new Limits(wallTime, value, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes);
        }

        public Limits withMemoryBytes(long value) {
            return new Limits(wallTime, cpuSeconds, value, maxProcesses, maxFileBytes, maxOutputBytes);
        }

        public Limits withMaxFileBytes(long value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, value, maxOutputBytes);
        }

        public Limits withMaxOutputBytes(int value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, value);
        }
    }

    /**
     * What one run did.
     *
     * @param exitStatus            the process exit status (128 + signal when killed by a signal;
     *                              -1 when it could not be read)
     * @param timedOut              killed for exceeding the wall time or the CPU limit
     * @param outputLimitExceeded   killed for printing more than the output limit
     * @param memoryError           the program ran out of its memory limit ({@code MemoryError})
     * @param stdout                standard output, truncated to the output limit
     * @param stderr                standard error, truncated to the output limit
     * @param wallTime              how long the run took
     */
    public record Result(int exitStatus, boolean timedOut, boolean outputLimitExceeded, boolean memoryError,
                         String stdout, String stderr, Duration wallTime) {

        public Result {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
            Objects.requireNonNull(wallTime, "wallTime");
        }

        /** Exited with status 0 within its limits. */
        public boolean succeeded() {
            return exitStatus == 0 && !timedOut && !outputLimitExceeded;
        }
    }

    private static final int SIGXCPU = 24;
    private static final Pattern MEMORY_ERROR = Pattern.compile("(?m)^MemoryError\\b|Cannot allocate memory");
    private static final Duration GRACE = Duration.ofSeconds(3);

    /**
     * Runs before the program: sets the rlimits given as arguments, reads {@value #PROGRAM_FILE},
     * installs the audit hook and executes the program as {@code __main__}.
     */
    private static final String PREAMBLE = """
            import os, sys, resource, linecache

            def _reverb_sandbox():
                memory, cpu, nproc, fsize = (int(a) for a in sys.argv[1:5])

                def limit(kind, soft, hard):
                    if soft <= 0:
                        return
                    _, old_hard = resource.getrlimit(kind)
                    if old_hard != resource.RLIM_INFINITY:
                        soft, hard = min(soft, old_hard), min(hard, old_hard)
                    resource.setrlimit(kind, (soft, hard))

                limit(resource.RLIMIT_AS, memory, memory)
                limit(resource.RLIMIT_CPU, cpu, cpu + 1)
                limit(resource.RLIMIT_NPROC, nproc, nproc)
                limit(resource.RLIMIT_FSIZE, fsize, fsize)

                home = os.path.realpath(os.getcwd())
                refused = {"os.fork", "os.forkpty", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
                           "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill",
                           "ctypes.dlopen", "ctypes.dlsym", "os.chroot", "sys.remote_exec"}
                # event -> indexes of the arguments that are paths which must stay inside home
                paths = {"os.remove": (0,), "os.rename": (0, 1), "os.rmdir": (0,), "os.mkdir": (0,),
                         "os.chmod": (0,), "os.chown": (0,), "os.link": (1,), "os.symlink": (1,),
                         "os.truncate": (0,), "os.utime": (0,), "os.chflags": (0,), "os.lchflags": (0,),
                         "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.copymode": (1,),
                         "shutil.copystat": (1,), "shutil.copytree": (1,), "shutil.move": (0, 1),
                         "shutil.chown": (0,), "shutil.make_archive": (0,), "shutil.unpack_archive": (1,)}
                writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
                realpath, fsdecode, sep = os.path.realpath, os.fsdecode, os.sep

                def inside(path):
                    if path is None or isinstance(path, int):
                        return True
                    try:
                        resolved = realpath(fsdecode(path))
                    except Exception:
                        return False
                    return resolved == home or resolved.startswith(home + sep)

                def hook(event, args):
                    if event in refused or event.startswith("socket."):
                        raise PermissionError(f"sandbox refused {event}")
                    if event == "import" and args[0] == "_posixsubprocess":
                        raise PermissionError("sandbox refused importing _posixsubprocess again")
                    if event == "open":
                        path, mode, flags = args
                        if isinstance(flags, int) and flags & writing and not inside(path):
                            raise PermissionError(f"sandbox refused writing to {path!r} outside the sandbox directory")
                    elif event in paths:
                        for i in paths[event]:
                            if i < len(args) and not inside(args[i]):
                                raise PermissionError(f"sandbox refused {event} on {args[i]!r} outside the sandbox directory")

                with open("program.py", encoding="utf-8") as f:
                    source = f.read()
                linecache.cache["program.py"] = (len(source), None, source.splitlines(True), "program.py")
                code = compile(source, "program.py", "exec")
                sys.argv = ["program.py"]

                # fork_exec starts processes without an audit event (multiprocessing.util.spawnv_passfds)
                import _posixsubprocess
                def refused_fork_exec(*args, **kwargs):
                    raise PermissionError("sandbox refused _posixsubprocess.fork_exec")
                _posixsubprocess.fork_exec = refused_fork_exec
                sys.addaudithook(hook)
                return code

            _reverb_code = _reverb_sandbox()
            del _reverb_sandbox
            exec(_reverb_code, {"__name__": "__main__", "__builtins__": __builtins__})
            """;

    /** How model-written code is isolated from the host. */
    public enum Isolation {
        /** Kernel namespaces through bubblewrap: the default, and the only safe choice. */
        BWRAP("bwrap"),
        /** A plain subprocess with in-process guards only; a scenario must opt in explicitly. */
        UNSAFE_LOCAL("unsafe-local");

        private final String id;

        Isolation(String id) {
            this.id = id;
        }

        /** The name used in scenario files. */
        public String id() {
            return id;
        }

        public static Isolation fromId(String id) {
            for (Isolation isolation : values()) {
                if (isolation.id.equals(id)) {
                    return isolation;
                }
            }
            throw new IllegalArgumentException("unknown sandbox '" + id + "' (expected bwrap or unsafe-local)");
        }
    }

    /**
     * A sandbox with the given isolation for the {@code python3} on the {@code PATH}.
     *
     * @throws IllegalStateException when the isolation cannot be had here (the message names the fix)
     */
    public static Sandbox create(Isolation isolation) {
        // TODO(issue 9): bubblewrap isolation
        return create();
    }

    private final Path interpreter;

    /** A sandbox running the given Python 3 interpreter (an absolute path to an executable). */
    public Sandbox(Path interpreter) {
        this.interpreter = Objects.requireNonNull(interpreter, "interpreter");
    }

    /**
     * A sandbox for the {@code python3} found on the {@code PATH}, resolved to its real executable
     * (so that launcher shims such as pyenv's are not needed at run time).
     *
     * @throws IllegalStateException when no working {@code python3} is found
     */
    public static Sandbox create() {
        return new Sandbox(locatePython());
    }

    /** Whether a working {@code python3} is on the {@code PATH}. */
    public static boolean pythonAvailable() {
        try {
            locatePython();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static Path locatePython() {
        ProcessBuilder builder = new ProcessBuilder("python3", "-I", "-c", "import sys; print(sys.executable)")
                .redirectErrorStream(true);
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("python3 did not answer within 30 s");
            }
            String path = new String(out, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || path.isEmpty() || !Files.isExecutable(Path.of(path))) {
                throw new IllegalStateException("python3 does not work: exit " + process.exitValue() + ": " + path);
            }
            return Path.of(path);
        } catch (IOException e) {
            throw new IllegalStateException("python3 is needed to run code but was not found on the PATH: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for python3", e);
        }
    }

    /** The interpreter this sandbox runs. */
    public Path interpreter() {
        return interpreter;
    }

    /**
     * Runs a program under the given limits and reports what happened.
     *
     * @throws UncheckedIOException  when the temporary directory cannot be made (a host problem)
     * @throws IllegalStateException when the interpreter cannot be started
     */
    public Result run(String program, Limits limits) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(limits, "limits");
        Path dir;
        try {
            dir = Files.createTempDirectory("reverb-sandbox-");
            Files.writeString(dir.resolve(PROGRAM_FILE), program, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a sandbox directory: " + e.getMessage(), e);
        }
        try {
            return execute(dir, limits);
        } finally {
            deleteRecursively(dir);
        }
    }

    private Result execute(Path dir, Limits limits) {
        ProcessBuilder builder = new ProcessBuilder(List.of(interpreter.toString(), "-I", "-B", "-c", PREAMBLE,
                Long.toString(limits.memoryBytes()), Integer.toString(limits.cpuSeconds()),
                Integer.toString(limits.maxProcesses()), Long.toString(limits.maxFileBytes())))
                .directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", dir.toString());
        env.put("TMPDIR", dir.toString());
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");

        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + interpreter + ": " + e.getMessage(), e);
        }
        AtomicBoolean outputExceeded = new AtomicBoolean();
        Runnable onOverflow = () -> {
            outputExceeded.set(true);
            killTree(process);
        };
        Capture out = new Capture(process.getInputStream(), limits.maxOutputBytes(), onOverflow);
        Capture err = new Capture(process.getErrorStream(), limits.maxOutputBytes(), onOverflow);
        Thread outThread = start(out, "sandbox-stdout");
        Thread errThread = start(err, "sandbox-stderr");
        boolean timedOut = false;
        boolean interrupted = false;
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // the program may already have exited
        }
        try {
            if (!process.waitFor(limits.wallTime().toNanos(), TimeUnit.NANOSECONDS)) {
                timedOut = true;
                killTree(process);
                process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            interrupted = true;
            killTree(process);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        interrupted |= finish(outThread, process.getInputStream());
        interrupted |= finish(errThread, process.getErrorStream());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int status = process.isAlive() ? -1 : process.exitValue();
        String stderr = err.text();
        boolean cpuKilled = !timedOut && !outputExceeded.get() && (status == 128 + SIGXCPU
                || (status == 128 + 9 && limits.cpuSeconds() > 0
                && wall.toMillis() >= limits.cpuSeconds() * 1000L));
        return new Result(status, timedOut || cpuKilled, outputExceeded.get(),
                status != 0 && MEMORY_ERROR.matcher(stderr).find(), out.text(), stderr, wall);
    }

    private static Thread start(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Waits for a reader; if a stray process still holds the pipe, closes it. Returns whether interrupted. */
    private static boolean finish(Thread reader, InputStream stream) {
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

    /** Kills the descendants first (they are no longer descendants once the parent is gone), then the process. */
    private static void killTree(Process process) {
        for (int round = 0; round < 3; round++) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort: a leftover temporary file is not worth failing a run for
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort, as above
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
