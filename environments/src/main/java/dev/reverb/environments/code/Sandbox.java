package dev.reverb.environments.code;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python program in a real interpreter under limits: wall time (the whole sandbox is
 * killed), CPU seconds, address-space memory, processes, file size, open files, disk and output.
 * The program travels on standard input (no host file is written for it) and runs in the work
 * folder {@code /work}.
 *
 * <p>{@link Isolation#BWRAP} (the default, {@link #create()}) puts each interpreter behind a
 * kernel boundary with bubblewrap: new user, pid, network, ipc, uts and cgroup namespaces, a
 * read-only view of only the system's {@code /usr}, no host {@code /proc}, home or project
 * folders, an unprivileged uid, an empty environment, a size-capped tmpfs as the work folder,
 * and, when Reverb runs as root, bwrap itself started under uid 65534 (see {@link Bwrap}).
 * {@link Isolation#UNSAFE_LOCAL} runs a plain subprocess in a temporary folder (deleted after);
 * a scenario must opt into it, and it logs a warning.
 *
 * <p>Either way, inside the interpreter a preamble ({@link Harness}) sets the rlimits (hard, so
 * they cannot be raised) and installs an audit hook ({@code sys.addaudithook}) as a second layer:
 * it refuses, with a {@code PermissionError} whose message starts with {@value #REFUSED}, writes
 * outside the work folder, sockets, starting processes, signals and {@code ctypes}. The hook alone
 * is no boundary against hostile code (code can switch it off); the namespaces are.
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
     * @param wallTime       wall-clock time after which the whole sandbox is killed
     * @param cpuSeconds     CPU seconds (RLIMIT_CPU)
     * @param memoryBytes    address space (RLIMIT_AS)
     * @param maxProcesses   processes and threads (RLIMIT_NPROC; under bwrap counted per sandbox, see
     *                       {@link Bwrap}; with {@code unsafe-local} not enforced for root)
     * @param maxFileBytes   size of any file written (RLIMIT_FSIZE)
     * @param maxOutputBytes bytes kept of stdout and of stderr each; printing more kills the run
     * @param maxOpenFiles   open file descriptors (RLIMIT_NOFILE)
     * @param maxDiskBytes   total size of the work folder (the size of its tmpfs; bwrap only)
     */
    public record Limits(Duration wallTime, int cpuSeconds, long memoryBytes, int maxProcesses,
                         long maxFileBytes, int maxOutputBytes, int maxOpenFiles, long maxDiskBytes) {

        public Limits {
            Objects.requireNonNull(wallTime, "wallTime");
            if (wallTime.isNegative() || wallTime.isZero()) {
                throw new IllegalArgumentException("wallTime must be positive, was " + wallTime);
            }
            if (cpuSeconds < 0 || memoryBytes < 0 || maxProcesses < 0 || maxFileBytes < 0 || maxOpenFiles < 0
                    || maxDiskBytes < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
            if (maxOutputBytes <= 0) {
                throw new IllegalArgumentException("maxOutputBytes must be positive, was " + maxOutputBytes);
            }
        }

        /** With the default open files (128) and disk (64 MiB). */
        public Limits(Duration wallTime, int cpuSeconds, long memoryBytes, int maxProcesses, long maxFileBytes,
                      int maxOutputBytes) {
            this(wallTime, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes, 128, 64L << 20);
        }

        /** 10 s wall, 10 CPU s, 1 GiB memory, 256 processes, 16 MiB files, 64 KiB output, 128 files, 64 MiB disk. */
        public static Limits defaults() {
            return new Limits(Duration.ofSeconds(10), 10, 1L << 30, 256, 16L << 20, 64 << 10);
        }

        public Limits withWallTime(Duration value) {
            return new Limits(value, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withCpuSeconds(int value) {
            return new Limits(wallTime, value, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withMemoryBytes(long value) {
            return new Limits(wallTime, cpuSeconds, value, maxProcesses, maxFileBytes, maxOutputBytes, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withMaxProcesses(int value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, value, maxFileBytes, maxOutputBytes, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withMaxFileBytes(long value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, value, maxOutputBytes, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withMaxOutputBytes(int value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, value, maxOpenFiles,
                    maxDiskBytes);
        }

        public Limits withMaxOpenFiles(int value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes, value,
                    maxDiskBytes);
        }

        public Limits withMaxDiskBytes(long value) {
            return new Limits(wallTime, cpuSeconds, memoryBytes, maxProcesses, maxFileBytes, maxOutputBytes,
                    maxOpenFiles, value);
        }

        /** The same limits with the wall time and CPU seconds multiplied (for several tests in one run). */
        Limits times(int factor) {
            return new Limits(wallTime.multipliedBy(factor), cpuSeconds * factor, memoryBytes, maxProcesses,
                    maxFileBytes, maxOutputBytes, maxOpenFiles, maxDiskBytes);
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

    private static final System.Logger LOG = System.getLogger(Sandbox.class.getName());
    private static final Object PROBE_LOCK = new Object();
    private static volatile Bwrap probed;
    private static volatile IllegalStateException probeFailure;

    private final Isolation isolation;
    private final Path interpreter;
    private final Bwrap bwrap;

    private Sandbox(Isolation isolation, Path interpreter, Bwrap bwrap) {
        this.isolation = isolation;
        this.interpreter = interpreter;
        this.bwrap = bwrap;
    }

    /**
     * A sandbox with the given isolation. {@link Isolation#BWRAP} checks once per JVM that bubblewrap
     * runs an interpreter here; {@link Isolation#UNSAFE_LOCAL} logs a warning.
     *
     * @throws IllegalStateException when the isolation cannot be had here (the message names the fix)
     */
    public static Sandbox create(Isolation isolation) {
        Objects.requireNonNull(isolation, "isolation");
        if (isolation == Isolation.UNSAFE_LOCAL) {
            LOG.log(System.Logger.Level.WARNING, "sandbox: unsafe-local: model-written code runs as a plain subprocess of this user with "
                    + "in-process guards only; this is not a boundary against hostile code");
            return new Sandbox(isolation, locatePython(), null);
        }
        Bwrap bwrap = bwrap();
        return new Sandbox(isolation, bwrap.interpreter(), bwrap);
    }

    /**
     * An {@link Isolation#UNSAFE_LOCAL} sandbox running a given interpreter (an absolute path), e.g.
     * the one a bwrap sandbox runs, to measure what the boundary adds.
     */
    public static Sandbox unsafeLocal(Path interpreter) {
        Objects.requireNonNull(interpreter, "interpreter");
        LOG.log(System.Logger.Level.WARNING, "sandbox: unsafe-local with " + interpreter
                + ": in-process guards only; this is not a boundary against hostile code");
        return new Sandbox(Isolation.UNSAFE_LOCAL, interpreter, null);
    }

    /** A sandbox behind the kernel boundary: {@code create(Isolation.BWRAP)}. */
    public static Sandbox create() {
        return create(Isolation.BWRAP);
    }

    /** Whether {@link Isolation#BWRAP} works here (bubblewrap, user namespaces and Python); for test assumptions. */
    public static boolean bwrapAvailable() {
        try {
            bwrap();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static Bwrap bwrap() {
        if (probed != null) {
            return probed;
        }
        synchronized (PROBE_LOCK) {
            if (probed == null && probeFailure == null) {
                try {
                    probed = Bwrap.probe(Sandbox::pythonOnPath);
                } catch (IllegalStateException e) {
                    probeFailure = e;
                }
            }
            if (probed != null) {
                return probed;
            }
            throw new IllegalStateException(probeFailure.getMessage(), probeFailure);
        }
    }

    /** The real executable of the {@code python3} on the {@code PATH}, or null when there is none that works. */
    private static Path pythonOnPath() {
        try {
            return locatePython();
        } catch (IllegalStateException e) {
            return null;
        }
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

    /** The isolation this sandbox uses (a run records it). */
    public Isolation isolation() {
        return isolation;
    }

    /** The interpreter this sandbox runs. */
    public Path interpreter() {
        return interpreter;
    }

    /**
     * Runs a program under the given limits and reports what happened.
     *
     * @throws UncheckedIOException  when a temporary directory cannot be made (a host problem)
     * @throws IllegalStateException when the interpreter cannot be started
     */
    public Result run(String program, Limits limits) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(limits, "limits");
        return start("run", List.of(), program, limits).finish();
    }

    /**
     * Starts the harness in a mode ({@code run}, {@code candidate}, {@code tests}) with extra
     * arguments, sending it the source; {@code run} captures standard output, the others read it as
     * the protocol channel.
     */
    Execution start(String mode, List<String> extra, String source, Limits limits) {
        List<String> args = new ArrayList<>(List.of("-I", "-B", "-c", Harness.PYTHON, mode,
                Long.toString(limits.memoryBytes()), Integer.toString(limits.cpuSeconds()),
                Integer.toString(limits.maxProcesses()), Long.toString(limits.maxFileBytes()),
                Integer.toString(limits.maxOpenFiles())));
        args.addAll(extra);
        boolean channel = !mode.equals("run");
        if (bwrap != null) {
            return Execution.start(bwrap.command(limits.maxDiskBytes(), args), null,
                    Map.of("PATH", "/usr/bin:/bin"), source, limits, channel);
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("reverb-sandbox-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a sandbox directory: " + e.getMessage(), e);
        }
        List<String> command = new ArrayList<>();
        command.add(interpreter.toString());
        command.addAll(args);
        return Execution.start(command, dir, Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", dir.toString(),
                "TMPDIR", dir.toString(), "LANG", "C.UTF-8", "LC_ALL", "C.UTF-8"), source, limits, channel);
    }
}
