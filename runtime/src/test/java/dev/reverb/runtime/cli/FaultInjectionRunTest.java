package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chaos run: the simulated model behind {@code faults:} at 20% errors, 5% hangs and 5% malformed
 * answers. Every planned episode is accounted for (finished, or failed with its cause, none lost or
 * doubled) and no call is tried more than {@code retries} + 1 times.
 */
class FaultInjectionRunTest {

    private static final int TASKS = 40;
    private static final int RETRIES = 2;

    @TempDir
    Path tmp;

    @Test
    void should_account_for_every_planned_episode_and_bound_the_tries_when_faults_are_injected() throws Exception {
        Path scenario = tmp.resolve("chaos.yaml");
        Files.writeString(scenario, """
                name: chaos
                environment: {type: arithmetic, count: %d, seed: 4}
                models:
                  policy:
                    model: stand-in
                    timeout: 300ms
                    retries: %d
                    concurrency: 8
                    simulated: {accuracy: 0.5, fix-rate: 0.5}
                    faults: {error-rate: 0.2, timeout-rate: 0.05, malformed-rate: 0.05, seed: 7}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
                run: {concurrency: 8, seed: 1, output: "%s"}
                """.formatted(TASKS, RETRIES, tmp.resolve("runs")));

        QuickstartTest.Cli cli = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");

        assertThat(cli.code()).as(cli.err()).isIn(0, ReverbCli.EPISODES_FAILED);
        Path run;
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/chaos"))) {
            run = runs.findFirst().orElseThrow();
        }
        // every planned episode has a line in episodes.jsonl: finished, or failed with its cause
        List<String> finished = new ArrayList<>();
        Set<String> recordedFailed = new HashSet<>();
        for (String line : Files.readAllLines(run.resolve("episodes.jsonl"))) {
            JsonNode record = Json.MAPPER.readTree(line);
            (RunFolder.isFailed(record) ? recordedFailed : finished).add(record.path("episode").asText());
        }
        Set<String> failed = new HashSet<>();
        int calls = 0;
        int retried = 0;
        int malformed = 0;
        for (String line : Files.readAllLines(run.resolve("trace.jsonl"))) {
            JsonNode e = Json.MAPPER.readTree(line);
            switch (e.path("type").asText()) {
                case "episode_failed" -> failed.add(e.path("episode_id").asText());
                case "model_call" -> {
                    calls++;
                    assertThat(e.path("attempts").asInt()).as(line).isBetween(1, RETRIES + 1);
                    if (e.path("attempts").asInt() > 1) {
                        retried++;
                    }
                }
                case "protocol_event" -> malformed += e.path("detail").asText().contains("injected fault") ? 1 : 0;
                default -> { }
            }
        }
        assertThat(finished).doesNotHaveDuplicates();
        assertThat(recordedFailed).isEqualTo(failed);
        assertThat(failed).doesNotContainAnyElementsOf(finished);
        Set<String> accounted = new HashSet<>(finished);
        accounted.addAll(failed);
        assertThat(accounted).as("finished or failed").hasSize(TASKS);
        assertThat(finished.size()).as("most episodes finish despite the faults").isGreaterThan(TASKS / 2);
        assertThat(retried).as("faults were injected and retried").isPositive();
        assertThat(malformed).as("malformed answers were injected").isPositive();
        assertThat(calls).isGreaterThan(TASKS);
        if (!failed.isEmpty()) {
            assertThat(cli.code()).isEqualTo(ReverbCli.EPISODES_FAILED);
            assertThat(cli.err()).contains(failed.size() + " episode(s) failed");
        }
    }
}
