package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.run.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reverb replay RUN_DIR}: a finished run re-run from its own trace, with no model at all. */
class ReplayCommandTest {

    private static final int TASKS = 10;

    @TempDir
    Path tmp;

    Path run;

    @BeforeEach
    void finishedRun() throws IOException {
        Path scenario = tmp.resolve("replayed.yaml");
        Files.writeString(scenario, """
                name: replayed
                environment: {type: arithmetic, count: %d, seed: 9}
                models:
                  policy: {model: stand-in, simulated: {accuracy: 0.4, fix-rate: 0.5}}
                  critic: {model: other-stand-in, simulated: {accuracy: 0.7}}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: critic}
                protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
                run: {concurrency: 4, seed: 3, output: "%s"}
                """.formatted(TASKS, tmp.resolve("runs")));
        QuickstartTest.Cli cli = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");
        assertThat(cli.code()).as(cli.err()).isZero();
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/replayed"))) {
            run = runs.findFirst().orElseThrow();
        }
    }

    @Test
    void should_reproduce_every_episode_without_a_model_when_the_run_is_replayed_from_its_trace() throws Exception {
        List<String> recorded = Files.readAllLines(run.resolve("episodes.jsonl"));

        QuickstartTest.Cli replay = QuickstartTest.reverb("replay", run.toString());

        assertThat(replay.code()).as(replay.out() + replay.err()).isZero();
        assertThat(replay.out()).contains("replay: " + TASKS + " episodes, " + TASKS + " identical");
        assertThat(Files.readAllLines(run.resolve("episodes.jsonl"))).as("the recorded run is only read")
                .isEqualTo(recorded);
        try (Stream<Path> replays = Files.walk(run.resolve("replay"))) {
            assertThat(replays.filter(p -> p.endsWith("episodes.jsonl")).toList()).hasSize(1);
        }
    }

    @Test
    void should_name_the_episode_and_the_field_when_a_recorded_answer_was_changed() throws Exception {
        List<String> trace = new ArrayList<>(Files.readAllLines(run.resolve("trace.jsonl")));
        // the last call of an episode, reworded with the same final answer: nothing after it depends on it
        java.util.Map<String, Integer> lastCall = new java.util.LinkedHashMap<>();
        for (int i = 0; i < trace.size(); i++) {
            JsonNode e = Json.MAPPER.readTree(trace.get(i));
            if ("model_call".equals(e.path("type").asText())) {
                lastCall.put(e.path("episode_id").asText(), i);
            }
        }
        String episode = null;
        for (var last : lastCall.entrySet()) {
            ObjectNode e = (ObjectNode) Json.MAPPER.readTree(trace.get(last.getValue()));
            String output = e.path("outputs").get(0).asText();
            if ("solver".equals(e.path("agent").asText()) && output.contains("The answer is")) {
                episode = last.getKey();
                e.putArray("outputs").add(output.replace("The answer is", "Having checked again, the answer is"));
                trace.set(last.getValue(), Json.MAPPER.writeValueAsString(e));
                break;
            }
        }
        List<String> changed = trace;
        assertThat(episode).isNotNull();
        Files.write(run.resolve("trace.jsonl"), changed);

        QuickstartTest.Cli replay = QuickstartTest.reverb("replay", run.toString());

        assertThat(replay.code()).isEqualTo(ReplayCommand.DIFFERS);
        assertThat(replay.out()).contains("replay: " + TASKS + " episodes, " + (TASKS - 1) + " identical");
        assertThat(replay.err()).contains("episode " + episode + ": field ");
    }

    @Test
    void should_fail_naming_the_missing_call_when_the_trace_lacks_one() throws Exception {
        List<String> trace = Files.readAllLines(run.resolve("trace.jsonl"));
        String episode = Json.MAPPER.readTree(Files.readAllLines(run.resolve("episodes.jsonl")).get(0))
                .path("episode").asText();
        Files.write(run.resolve("trace.jsonl"), trace.stream()
                .filter(line -> !(line.contains("\"model_call\"") && line.contains("\"" + episode + "\""))).toList());

        QuickstartTest.Cli replay = QuickstartTest.reverb("replay", run.toString());

        assertThat(replay.code()).isEqualTo(ReplayCommand.DIFFERS);
        assertThat(replay.err()).contains("episode " + episode + ": not reproduced").contains("holds no call");
    }

    @Test
    void should_refuse_a_folder_that_is_not_a_run_when_asked_to_replay_it() {
        QuickstartTest.Cli replay = QuickstartTest.reverb("replay", tmp.toString());
        assertThat(replay.code()).isEqualTo(2);
        assertThat(replay.err()).contains("not a finished run folder");
    }
}
