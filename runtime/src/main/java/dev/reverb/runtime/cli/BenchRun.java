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
import java.util.stream.Stream;

/**
 * One benchmark run of a scenario through the normal runner (all run files written), in a
 * folder of its own: its wall time and the episodes read back from {@code episodes.jsonl}.
 *
 * @param wallSeconds the whole {@link Runner#run}: planning, the actor system's start and stop, the summary
 * @param recorded    lines in {@code episodes.jsonl}
 * @param failed      episodes that failed
 * @param folder      the run folder
 */
record BenchRun(double wallSeconds, long recorded, int failed, Path folder) {

    /** Runs {@code yaml} (a scenario whose run.output is {@code output}) and reads its episodes back. */
    static BenchRun of(String yaml, Path output) throws Exception {
        Files.createDirectories(output);
        Path file = output.resolve("scenario.yaml");
        Files.writeString(file, yaml);
        Scenario scenario = ScenarioLoader.load(file, List.of());
        RunFolder folder = RunFolder.create(output, scenario.name(), scenario.resolvedYaml());
        StringWriter console = new StringWriter();
        long start = System.nanoTime();
        Runner.Result result = Runner.run(scenario, folder, new Runner.Options(false, new PrintWriter(console),
                name -> null));
        double wall = (System.nanoTime() - start) / 1e9;
        long recorded;
        try (Stream<String> lines = Files.lines(folder.episodes())) {
            recorded = lines.filter(l -> !l.isBlank()).count();
        }
        return new BenchRun(wall, recorded, result.failed(), folder.dir());
    }

    /** The folder to run in: {@code given}, or a new temporary one. */
    static Path output(Path given, String name) throws IOException {
        return given != null ? Files.createDirectories(given) : Files.createTempDirectory("reverb-bench-" + name);
    }

    /** Deletes a temporary benchmark folder. */
    static void delete(Path dir) throws IOException {
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
