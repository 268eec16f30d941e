package dev.reverb.runtime.cli;

import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One benchmark run of a scenario through the normal runner (all run files written), in a
 * folder of its own: its wall and CPU time and the episodes read back from {@code episodes.jsonl}.
 * The one way a bench runs a scenario.
 *
 * @param wallSeconds the whole {@link Runner#run}: planning, the actor system's start and stop, the summary
 * @param cpuSeconds  the CPU time of the whole process meanwhile (every thread, GC too); 0 where the JVM cannot tell
 * @param recorded    lines in {@code episodes.jsonl}
 * @param failed      episodes that failed
 * @param causes      why they failed: each cause with its count
 * @param folder      the run folder
 */
record BenchRun(double wallSeconds, double cpuSeconds, long recorded, int failed, Map<String, Integer> causes,
                Path folder, Phases phases) {

    /**
     * Where a run's wall time went, from the model calls in {@code trace.jsonl}: start-up (the run's
     * start to the first call sent to a gateway), the span of the calls (first sent to last
     * answered) and the end (last answer to the run's return: last episodes, summary, shutdown).
     */
    record Phases(double startUp, double calls, double end) {
        static final Phases NONE = new Phases(0, 0, 0);

        String describe() {
            return String.format(java.util.Locale.ROOT, "start-up %.2f s, model calls %.2f s, end %.2f s", startUp,
                    calls, end);
        }
    }

    private static final java.util.regex.Pattern CALL = java.util.regex.Pattern.compile(
            "^\\{\"type\":\"model_call\",\"at\":\"([^\"]+)\".*\"latency_ms\":(\\d+),");

    /** Runs {@code yaml} (a scenario whose run.output is {@code output}) and reads its episodes back. */
    static BenchRun of(String yaml, Path output) throws Exception {
        Files.createDirectories(output);
        Path file = output.resolve("scenario.yaml");
        Files.writeString(file, yaml);
        Scenario scenario = ScenarioLoader.load(file, List.of());
        RunFolder folder = RunFolder.create(output, scenario.name(), scenario.resolvedYaml());
        StringWriter console = new StringWriter();
        java.time.Instant startedAt = java.time.Instant.now();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        Runner.Result result = Runner.run(scenario, folder, new Runner.Options(false, new PrintWriter(console),
                name -> null));
        double wall = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (cpuNanos() - cpu) / 1e9;
        long recorded;
        try (Stream<String> lines = Files.lines(folder.episodes())) {
            recorded = lines.filter(l -> !l.isBlank()).count();
        }
        return new BenchRun(wall, cpuSeconds, recorded, result.failed(), result.causes(), folder.dir(),
                phases(folder.trace(), startedAt, wall));
    }

    /** CPU time of this process so far, or 0 where the JVM cannot tell. */
    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? Math.max(0, os.getProcessCpuTime()) : 0;
    }

    private static Phases phases(Path trace, java.time.Instant startedAt, double wall) throws IOException {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        if (!Files.exists(trace)) {
            return Phases.NONE;
        }
        try (Stream<String> lines = Files.lines(trace)) {
            for (String line : (Iterable<String>) lines::iterator) {
                java.util.regex.Matcher m = CALL.matcher(line);
                if (m.find()) {
                    long at = java.time.Instant.parse(m.group(1)).toEpochMilli();
                    first = Math.min(first, at - Long.parseLong(m.group(2)));
                    last = Math.max(last, at);
                }
            }
        }
        if (first == Long.MAX_VALUE) {
            return Phases.NONE;
        }
        double startUp = (first - startedAt.toEpochMilli()) / 1000.0;
        double calls = (last - first) / 1000.0;
        return new Phases(startUp, calls, wall - startUp - calls);
    }

    /** The folder to run in: {@code given}, or a new temporary one. */
    static Path output(Path given, String name) throws IOException {
        return given != null ? Files.createDirectories(given) : Files.createTempDirectory("reverb-bench-" + name);
    }

    /** Deletes a benchmark's folder (a run folder, a memory store) and everything in it; nothing when it is gone. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void check(BenchRun run, long planned, PrintWriter out) {
        if (run.recorded() != planned || run.failed() > 0) {
            out.printf("warning: %d of %d episodes recorded, %d failed: the figures below do not count a full run%n",
                    run.recorded(), planned, run.failed());
        }
    }
}
