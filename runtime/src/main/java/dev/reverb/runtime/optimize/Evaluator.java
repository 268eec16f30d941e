package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks candidates as {@code reverb validate} does, and evaluates them through the normal runner
 * on a list of task ids ({@code run.tasks}), each in a run folder of its own under {@code out/runs}.
 */
final class Evaluator {

    /** A finished evaluation. */
    record Result(int correct, int episodes, long tokens, Map<String, Double> perTask, List<String> failures, Path run) {
    }

    private final Path file;
    private final Path runs;
    private final Runner.Options options;
    private final Extensions extensions;

    /**
     * @param file    the start scenario's file: a candidate's relative paths resolve against its folder
     * @param runs    where the evaluation run folders go
     */
    Evaluator(Path file, Path runs, Runner.Options options) {
        this.file = file;
        this.runs = runs;
        this.extensions = options.extensions();
        // several evaluations run at once: none prints progress, and their console output is dropped
        this.options = new Runner.Options(false, new PrintWriter(Writer.nullWriter()), options.environment(),
                options.extensions(), options.listener(), options.backends());
    }

    /** The candidate as the loader builds it: its resolved text; throws with every problem found. */
    String check(ObjectNode design) throws ScenarioException {
        return DesignTree.normal(ScenarioLoader.parse(DesignTree.write(design), file, List.of(), extensions)
                .resolvedYaml());
    }

    /** Runs a checked candidate on the tasks with these ids. */
    Result evaluate(String yaml, List<String> ids) throws IOException, InterruptedException, ScenarioException {
        ObjectNode design = DesignTree.read(yaml);
        ObjectNode run = (ObjectNode) design.path("run");
        run.put("output", runs.toString());
        var tasks = run.putArray("tasks");
        ids.forEach(tasks::add);
        Scenario scenario = ScenarioLoader.parse(DesignTree.write(design), file, List.of(), extensions);
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.run(scenario, folder, options);
        return read(folder);
    }

    static Result read(RunFolder folder) {
        int correct = 0;
        int episodes = 0;
        long tokens = 0;
        Map<String, int[]> byTask = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (JsonNode e : RunFolder.latest(folder.episodeRecords())) {
            boolean right = e.path("correct").asBoolean();
            episodes++;
            correct += right ? 1 : 0;
            tokens += e.path("prompt_tokens").asLong() + e.path("completion_tokens").asLong();
            int[] t = byTask.computeIfAbsent(e.path("task").asText(), k -> new int[2]);
            t[0] += right ? 1 : 0;
            t[1]++;
            if (!right && failures.size() < 3) {
                failures.add("task " + e.path("task").asText() + ": answered "
                        + (e.path("answer").isNull() || e.path("answer").isMissingNode() ? "nothing"
                        : "'" + e.path("answer").asText() + "'")
                        + (e.hasNonNull("feedback") ? "; feedback: " + e.path("feedback").asText()
                        : e.hasNonNull("error") ? "; failed: " + e.path("error").asText() : ""));
            }
        }
        Map<String, Double> perTask = new LinkedHashMap<>();
        byTask.forEach((id, t) -> perTask.put(id, (double) t[0] / t[1]));
        return new Result(correct, episodes, tokens, perTask, failures, folder.dir());
    }
}
