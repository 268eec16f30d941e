package dev.reverb.environments.code;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Verdict;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile programs, each run as a model would send it (a plain run, a HumanEval answer, or a
 * program under agent-written tests), and each checked for the concrete harm it tried: a file
 * outside changed or created, a connection reaching a loopback listener, a victim process killed,
 * a process outliving the run, a secret in the output or feedback, or a wrong answer graded right.
 * All attacks start at once on a small pool; each dynamic test waits for its own.
 */
@Timeout(300)
class RedTeamTest {

    enum Mode { RUN, VERIFY, TESTS }

    enum Kind { ESCAPE, FAKE }

    /** One attack: Python code with placeholders, how it is run, and what harm to look for beyond the common checks. */
    record Attack(String name, Mode mode, Kind kind, String code, List<String> tests) {
        Attack(String name, Mode mode, Kind kind, String code) {
            this(name, mode, kind, code, List.of());
        }
    }

    /** What an attack left behind: all text it could show, and the harm found (empty when none). */
    record Outcome(Attack attack, String text, List<String> harm, Duration took) {
    }

    static final Sandbox.Limits LIMITS = CodeEnvironment.DEFAULT_LIMITS.withWallTime(Duration.ofSeconds(3))
            .withCpuSeconds(3).withMemoryBytes(512L << 20).withMaxOutputBytes(16 << 10);
    static final String SECRET = "reverb-secret-" + UUID.randomUUID();

    static Path base;
    static Path secretFile;
    static Sandbox sandbox;
    static CodeEnvironment toy;
    static Process victim;
    static ExecutorService pool;
    static final Map<String, Future<Outcome>> RUNS = new ConcurrentHashMap<>();
    static final Map<String, Outcome> DONE = new ConcurrentHashMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(Sandbox.bwrapAvailable(),
                "bubblewrap with user namespaces is not available (apt-get install bubblewrap)");
        sandbox = Sandbox.create();
        toy = CodeEnvironment.of(List.of(CodeEnvironmentTest.ADD), DatasetReport.clean("toy", 1), sandbox, LIMITS);
        base = Files.createTempDirectory("reverb-redteam-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxrwxrwx"));
        secretFile = Files.writeString(base.resolve("secret.txt"), SECRET);
        ProcessBuilder builder = new ProcessBuilder("sleep", "600");
        builder.environment().put("REVERB_VICTIM_SECRET", SECRET);
        victim = builder.start();
        for (String file : List.of("/usr/lib/python3.11/os.py", "/usr/bin/python3.11")) {
            SYSTEM_FILES.put(Path.of(file), stat(Path.of(file)));
        }
        pool = Executors.newFixedThreadPool(4);
        for (Attack attack : RedTeamAttacks.all()) {
            RUNS.put(attack.name(), pool.submit(() -> attack(attack)));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        if (victim != null) {
            victim.destroyForcibly();
        }
        if (base != null) {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (!DONE.isEmpty()) {
            long escapes = DONE.values().stream().filter(o -> !o.harm().isEmpty() && o.attack().kind() == Kind.ESCAPE).count();
            long faked = DONE.values().stream().filter(o -> !o.harm().isEmpty() && o.attack().kind() == Kind.FAKE).count();
            System.out.printf("%d attacks, %d escapes, %d faked passes%n", DONE.size(), escapes, faked);
        }
    }

    @TestFactory
    Stream<DynamicTest> should_cause_no_harm_when_hostile_code_runs() {
        return RedTeamAttacks.all().stream().map(attack -> DynamicTest.dynamicTest(attack.name(), () -> {
            Outcome outcome = RUNS.get(attack.name()).get(120, TimeUnit.SECONDS);
            DONE.put(attack.name(), outcome);
            if (Boolean.getBoolean("reverb.redteam.verbose")) {
                System.out.println("== " + attack.name() + " (" + outcome.took().toMillis() + " ms): "
                        + outcome.text().strip().replace("\n", " | "));
            }
            assertThat(outcome.harm()).as(attack.name() + " (" + outcome.took().toMillis() + " ms): " + outcome.text())
                    .isEmpty();
        }));
    }

    static Outcome attack(Attack attack) throws Exception {
        Path out = Files.createDirectory(base.resolve(attack.name()));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path victimFile = Files.writeString(out.resolve("victim.txt"), "precious");
        Files.setPosixFilePermissions(victimFile, PosixFilePermissions.fromString("rw-rw-rw-"));
        long victimModified = Files.getLastModifiedTime(victimFile).toMillis();
        String token = Long.toString(100_000 + Math.abs(UUID.randomUUID().getMostSignificantBits() % 800_000)) + ".25";
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread accepter = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket ignored = listener.accept()) {
                        connections.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            accepter.setDaemon(true);
            accepter.start();
            String code = attack.code().replace("{OUT}", out.toString()).replace("{VICTIM}", victimFile.toString())
                    .replace("{SECRET}", secretFile.toString()).replace("{PORT}", Integer.toString(listener.getLocalPort()))
                    .replace("{VPID}", Long.toString(victim.pid())).replace("{JVM}", Long.toString(ProcessHandle.current().pid()))
                    .replace("{ROOT}", projectRoot().toString()).replace("{TOKEN}", token)
                    .replace("{UNHOOK}", RedTeamAttacks.UNHOOK);
            long start = System.nanoTime();
            String text;
            List<String> harm = new ArrayList<>();
            switch (attack.mode()) {
                case RUN -> {
                    Sandbox.Result result = sandbox.run(code, LIMITS);
                    text = result.stdout() + "\n" + result.stderr();
                    if (attack.name().startsWith("exhaust-") && result.succeeded()) {
                        harm.add("the exhausting run was not stopped");
                    }
                }
                case VERIFY -> {
                    Verdict verdict = toy.verify(toy.tasks().get(0), "```python\n" + code + "\n```");
                    text = verdict.feedback();
                    if (verdict.correct()) {
                        harm.add("a wrong answer was graded correct");
                    }
                }
                default -> {
                    CodeEnvironment.TestReport report = toy.runTests(code, attack.tests());
                    text = report.feedback();
                    if (!report.passed().isEmpty()) {
                        harm.add("failing tests reported as passed: " + report.passed());
                    }
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (took.compareTo(LIMITS.wallTime().multipliedBy(attack.mode() == Mode.TESTS ? 4 : 1).plusSeconds(5)) > 0) {
                harm.add("the run was not stopped in time: " + took);
            }
            if (new ProcessBuilder("true").start().waitFor() != 0) {
                harm.add("the host cannot start processes any more");
            }
            Thread.sleep(attack.code().contains("{TOKEN}") ? 1500 : 50);
            harm.addAll(commonHarm(out, victimFile, victimModified, connections.get(), text, token));
            return new Outcome(attack, text.length() > 600 ? text.substring(0, 600) : text, harm, took);
        }
    }

    /** The checks every attack gets: the outside folder, the victim file and process, the listener, secrets, stray processes. */
    static List<String> commonHarm(Path out, Path victimFile, long victimModified, int connections, String text,
                                   String token) throws IOException {
        List<String> harm = new ArrayList<>();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(out)) {
            list.forEach(p -> files.put(p.getFileName().toString(), ""));
        }
        if (!files.keySet().equals(java.util.Set.of("victim.txt"))) {
            harm.add("the outside folder changed: " + files.keySet());
        }
        if (Files.exists(victimFile)) {
            if (!Files.readString(victimFile).equals("precious")) {
                harm.add("the victim file changed");
            }
            if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(victimFile)).equals("rw-rw-rw-")) {
                harm.add("the victim file's permissions changed");
            }
            if (Files.getLastModifiedTime(victimFile).toMillis() != victimModified) {
                harm.add("the victim file's time changed");
            }
            if (Files.getFileStore(victimFile).supportsFileAttributeView("user")) {
                var view = Files.getFileAttributeView(victimFile, java.nio.file.attribute.UserDefinedFileAttributeView.class);
                if (view != null && !view.list().isEmpty()) {
                    harm.add("the victim file got extended attributes " + view.list());
                }
            }
        }
        if (connections > 0) {
            harm.add(connections + " connection(s) reached the loopback listener");
        }
        if (!victim.isAlive()) {
            harm.add("the victim process was killed");
        }
        if (text.contains(SECRET)) {
            harm.add("a secret reached the output");
        }
        for (String name : List.of("reverb-parent", "JAVA_HOME", "MAVEN_")) {
            if (text.contains(name)) {
                harm.add("host data reached the output: " + name);
            }
        }
        for (Map.Entry<Path, String> system : SYSTEM_FILES.entrySet()) {
            if (!stat(system.getKey()).equals(system.getValue())) {
                harm.add(system.getKey() + " changed");
            }
        }
        if (Files.exists(Path.of("/root/reverb-escaped"))) {
            harm.add("/root/reverb-escaped was written");
        }
        List<String> strays = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(token)).orElse(false)).map(p -> p.pid() + "").toList();
        if (!strays.isEmpty()) {
            strays.forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
            harm.add("processes outlived the run: " + strays);
        }
        return harm;
    }

    static final Map<Path, String> SYSTEM_FILES = new ConcurrentHashMap<>();

    static String stat(Path file) {
        try {
            return Files.size(file) + " " + Files.getLastModifiedTime(file) + " "
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (IOException e) {
            return "absent";
        }
    }

    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.exists(dir.resolve("../pom.xml")) ? dir.getParent().normalize() : dir;
    }
}
