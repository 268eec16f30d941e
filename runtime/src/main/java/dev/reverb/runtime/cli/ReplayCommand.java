package dev.reverb.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.backend.TraceReplayBackend;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reverb replay RUN_DIR}: runs a finished run's scenario again with no model at all, every
 * model call answered from the run's own {@code trace.jsonl} (see {@link TraceReplayBackend}), into a
 * new run folder under {@code RUN_DIR/replay/} (the recorded files are only read), and checks that
 * every recorded episode comes out the same, field by field, timing fields aside
 * ({@link #TIMING}). Prints {@code replay: N episodes, M identical}; exits 0 when all are, and
 * {@link #DIFFERS} naming the first episode and field that differ, or the first call the trace
 * does not hold. A scenario with a memory folder replays against an empty one in the replay folder:
 * a run that started from a store that already held items cannot be replayed exactly.
 */
@Command(name = "replay", description = "Re-run a finished run from its own recorded model calls (no model) "
        + "and check that it reproduces every episode.")
public final class ReplayCommand implements Callable<Integer> {

    /** Exit code of a replay whose episodes differ from the recorded ones, or that missed a recorded call. */
    public static final int DIFFERS = 1;

    /** Fields of an episode line that measure time, and so differ between runs: not compared. */
    public static final Set<String> TIMING = Set.of("latency_ms", "wall_time_s", "started_at", "finished_at", "at");

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A run folder (with scenario.resolved.yaml, trace.jsonl, episodes.jsonl).")
    Path run;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the replay's run folder goes (default RUN_DIR/replay).")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (String name : List.of(RunFolder.SCENARIO, RunFolder.TRACE, RunFolder.EPISODES)) {
            if (!Files.isRegularFile(run.resolve(name))) {
                err.println("error: not a finished run folder (no " + name + "): " + run);
                return CommandLine.ExitCode.USAGE;
            }
        }
        Path output = (out == null ? run.resolve("replay") : out).toAbsolutePath().normalize();
        Scenario recorded;
        try {
            recorded = ScenarioLoader.load(run.resolve(RunFolder.SCENARIO), List.of());
            List<String> overrides = new ArrayList<>(List.of("run.output=" + output));
            if (recorded.memory().enabled()) {
                overrides.add("memory.folder=" + output.resolve("memory-" + System.currentTimeMillis()));
            }
            recorded = ScenarioLoader.load(run.resolve(RunFolder.SCENARIO), overrides);
        } catch (ScenarioException e) {
            err.println(e.getMessage());
            return ReverbCli.INVALID;
        }
        TraceReplayBackend calls = TraceReplayBackend.load(run.resolve(RunFolder.TRACE));
        Runner.Options options = new Runner.Options(false, stdout, variable -> null);
        for (String model : recorded.models().keySet()) {
            options = options.withBackend(model, calls.named(model));
        }
        RunFolder folder = RunFolder.create(recorded.run().output(), recorded.name(), recorded.resolvedYaml());
        stdout.println("Replaying " + run + " from " + calls.size() + " recorded calls into " + folder.dir());
        Runner.run(recorded, folder, options);

        Map<String, JsonNode> before = episodes(run.resolve(RunFolder.EPISODES));
        Map<String, JsonNode> after = episodes(folder.episodes());
        int identical = 0;
        String first = null;
        for (Map.Entry<String, JsonNode> e : before.entrySet()) {
            JsonNode again = after.get(e.getKey());
            Optional<String> difference = again == null
                    ? Optional.of("not reproduced: " + failure(folder.trace(), e.getKey()))
                    : RunFolder.isFailed(again) && !RunFolder.isFailed(e.getValue())
                    ? Optional.of("not reproduced: " + again.path("error").asText())
                    : difference(e.getValue(), again, "");
            if (difference.isEmpty()) {
                identical++;
            } else if (first == null) {
                first = "episode " + e.getKey() + ": " + difference.get();
            }
        }
        stdout.printf("replay: %d episodes, %d identical%n", before.size(), identical);
        if (first != null) {
            err.println("replay differs: " + first);
            return DIFFERS;
        }
        return 0;
    }

    /** The episode lines of a file by episode id; a torn last line is skipped. */
    static Map<String, JsonNode> episodes(Path file) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                try {
                    JsonNode e = Json.MAPPER.readTree(line);
                    if (e != null && e.hasNonNull("episode")) {
                        out.put(e.path("episode").asText(), e);
                    }
                } catch (IOException torn) {
                    // a line cut short by a kill
                }
            }
        }
        return out;
    }

    /** The first field where two records differ (timing fields aside), as "field: recorded X, replayed Y". */
    static Optional<String> difference(JsonNode recorded, JsonNode replayed, String path) {
        if (recorded.isObject() && replayed.isObject()) {
            Set<String> names = new TreeSet<>();
            recorded.fieldNames().forEachRemaining(names::add);
            replayed.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (TIMING.contains(name)) {
                    continue;
                }
                Optional<String> d = difference(recorded.path(name), replayed.path(name),
                        path.isEmpty() ? name : path + "." + name);
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (recorded.isArray() && replayed.isArray() && recorded.size() == replayed.size()) {
            Iterator<JsonNode> a = recorded.elements();
            Iterator<JsonNode> b = replayed.elements();
            for (int i = 0; a.hasNext(); i++) {
                Optional<String> d = difference(a.next(), b.next(), path + "[" + i + "]");
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        return recorded.equals(replayed) ? Optional.empty()
                : Optional.of("field " + path + ": recorded " + shorten(recorded) + ", replayed " + shorten(replayed));
    }

    private static String shorten(JsonNode value) {
        String text = value.isMissingNode() ? "(absent)" : value.toString();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** Why the replay did not finish an episode, from its trace. */
    private static String failure(Path trace, String episode) throws IOException {
        if (Files.exists(trace)) {
            try (BufferedReader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.contains("\"episode_failed\"") && line.contains(episode)) {
                        JsonNode e = Json.MAPPER.readTree(line);
                        if (episode.equals(e.path("episode_id").asText())) {
                            return e.path("error").asText();
                        }
                    }
                }
            }
        }
        return "the replay did not finish it";
    }
}
