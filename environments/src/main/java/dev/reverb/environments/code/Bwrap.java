package dev.reverb.environments.code;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The bubblewrap command line that puts one interpreter behind the kernel boundary.
 *
 * <ul>
 *   <li>New user, pid, network, ipc, uts and cgroup namespaces ({@code --unshare-all}), no further
 *       user namespaces inside ({@code --disable-userns}), a new session (no terminal injection),
 *       {@code --die-with-parent}: killing bwrap's outer process kills the sandbox's pid 1 and with it
 *       every process of the pid namespace, however it forked or detached.</li>
 *   <li>File system: an empty root made read-only, with read-only binds of {@code /usr/bin},
 *       {@code /usr/lib} and {@code /usr/lib64} (and {@code /bin}, {@code /lib}, {@code /lib64} as
 *       on the host: links into {@code /usr} on merged-usr systems), plus the interpreter's own
 *       prefix when it is not under {@code /usr}. No {@code /etc}, no home folders, no project
 *       folder, no host {@code /proc}: a fresh {@code /proc} of the new pid namespace and a minimal
 *       read-only {@code /dev}. The work folder {@code /work} is a tmpfs of the disk limit (the
 *       total disk cap), and {@code /tmp} links to it.</li>
 *   <li>uid and gid 65534 inside, an environment of five fixed variables, hostname {@code sandbox}.</li>
 *   <li>When Reverb runs as root, bwrap itself is started under the unprivileged uid 65534
 *       ({@code setpriv --reuid=65534 --regid=65534 --clear-groups}) so that the sandbox's uid maps
 *       to no privileged host uid, and RLIMIT_NPROC counts: the kernel charges processes to the
 *       (user namespace, uid) pair, and every sandbox has its own user namespace, so the limit
 *       bounds each sandbox on its own (bwrap started as root would map the sandbox to the host's
 *       root, which the process limit exempts). This needs unprivileged user namespaces (on
 *       Ubuntu 24.04: {@code sysctl kernel.apparmor_restrict_unprivileged_userns=0}).</li>
 * </ul>
 *
 * <p>Interpreter rule: the system interpreter {@code /usr/bin/python3} when it exists (covered by
 * the {@code /usr} binds); otherwise the real executable of the {@code python3} on the PATH, with its
 * {@code sys.base_prefix} bound read-only at the same path (it must be readable by uid 65534).
 */
final class Bwrap {

    static final String WORK = "/work";
    static final int UID = 65534;
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    private final Path interpreter;
    private final Path prefix;
    private final boolean dropRoot;

    private Bwrap(Path interpreter, Path prefix, boolean dropRoot) {
        this.interpreter = interpreter;
        this.prefix = prefix;
        this.dropRoot = dropRoot;
    }

    Path interpreter() {
        return interpreter;
    }

    /**
     * The bwrap setup for this machine, checked by running an interpreter inside it once.
     * {@code pathPython} finds the {@code python3} on the PATH (null when none); it is asked only
     * when there is no system interpreter.
     *
     * @throws IllegalStateException naming the fix when bwrap, user namespaces or Python do not work
     */
    static Bwrap probe(Supplier<Path> pathPython) {
        if (!Files.isExecutable(BWRAP)) {
            throw unavailable("bubblewrap is not installed (no " + BWRAP + ")");
        }
        boolean root = isRoot();
        if (root && !Files.isExecutable(SETPRIV)) {
            throw unavailable("running as root needs " + SETPRIV + " (util-linux) to start bwrap unprivileged");
        }
        Path interpreter = Files.isExecutable(SYSTEM_PYTHON) ? SYSTEM_PYTHON : pathPython.get();
        if (interpreter == null) {
            throw unavailable("no python3 found");
        }
        Path prefix = interpreter == SYSTEM_PYTHON ? null : ask(interpreter, "import sys; print(sys.base_prefix)");
        // As root, bwrap runs unprivileged on purpose: started as root, the sandbox's uid would map to the
        // host's root, which RLIMIT_NPROC exempts (a fork bomb then reaches the host's pid limit).
        return check(new Bwrap(interpreter, prefix, root));
    }

    private static Bwrap check(Bwrap bwrap) {
        List<String> command = bwrap.command(16L << 20, List.of("-I", "-c", "print('ok')"));
        String answer;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(Path.of("/").toFile())
                    .start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw unavailable("a test run under bwrap did not finish within 30 s");
            }
            answer = new String(out, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || !answer.equals("ok")) {
                throw unavailable("a test run under bwrap failed (are unprivileged user namespaces enabled? on Ubuntu: "
                        + "sysctl kernel.apparmor_restrict_unprivileged_userns=0): " + answer);
            }
        } catch (IOException e) {
            throw unavailable("cannot start bwrap: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while testing bwrap");
        }
        return bwrap;
    }

    static IllegalStateException unavailable(String why) {
        return new IllegalStateException("The code sandbox needs bubblewrap with working user namespaces, but "
                + why + ". Install it (apt-get install bubblewrap), or set 'sandbox: unsafe-local' in the scenario "
                + "to run model-written code without a kernel boundary (not safe against hostile code).");
    }

    /** The full command: bwrap (under setpriv when root) with its binds, then the interpreter and its arguments. */
    List<String> command(long diskBytes, List<String> pythonArgs) {
        List<String> c = new ArrayList<>();
        if (dropRoot) {
            c.addAll(List.of(SETPRIV.toString(), "--reuid=" + UID, "--regid=" + UID, "--clear-groups"));
        }
        c.addAll(List.of(BWRAP.toString(), "--unshare-all", "--unshare-user", "--disable-userns",
                "--die-with-parent", "--new-session", "--hostname", "sandbox",
                "--ro-bind", "/usr/bin", "/usr/bin", "--ro-bind", "/usr/lib", "/usr/lib",
                "--ro-bind-try", "/usr/lib64", "/usr/lib64"));
        for (String top : List.of("/bin", "/lib", "/lib64")) {
            Path path = Path.of(top);
            if (Files.isSymbolicLink(path)) {
                try {
                    c.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), top));
                } catch (IOException e) {
                    // an unreadable link is left out
                }
            } else if (Files.isDirectory(path)) {
                c.addAll(List.of("--ro-bind", top, top));
            }
        }
        if (prefix != null) {
            c.addAll(List.of("--ro-bind", prefix.toString(), prefix.toString()));
        }
        c.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"));
        if (diskBytes > 0) {
            c.addAll(List.of("--size", Long.toString(diskBytes)));
        }
        c.addAll(List.of("--tmpfs", WORK, "--symlink", WORK, "/tmp", "--chdir", WORK, "--remount-ro", "/",
                "--uid", Integer.toString(UID), "--gid", Integer.toString(UID), "--clearenv",
                "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", WORK, "--setenv", "TMPDIR", WORK,
                "--setenv", "LANG", "C.UTF-8", "--setenv", "LC_ALL", "C.UTF-8", "--", interpreter.toString()));
        c.addAll(pythonArgs);
        return c;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux-like: assume unprivileged
        }
        return false;
    }

    private static Path ask(Path python, String code) {
        try {
            Process process = new ProcessBuilder(python.toString(), "-I", "-c", code).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw unavailable("python3 does not answer: " + out);
            }
            return Path.of(out);
        } catch (IOException e) {
            throw unavailable("python3 does not start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while asking python3");
        }
    }
}
