package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scenario whose agents share a real in-process model (stories260K) through the DJL backend. */
class DjlScenarioTest {

    static final Path MODEL = Path.of(System.getProperty("reverb.shared", "../../shared"), "models/stories260k")
            .toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void should_run_a_debate_on_the_in_process_model_when_the_scenario_names_a_model_folder() throws Exception {
        Assumptions.assumeTrue(Files.exists(MODEL.resolve("model.safetensors")), "no stories260k");
        Path scenario = tmp.resolve("local.yaml");
        Files.writeString(scenario, """
                name: local
                environment: {type: arithmetic, count: 3, seed: 1}
                models:
                  tiny: {model: stories260k, path: "%s", device: cpu, max-tokens: 16, temperature: 0, max-batch: 8, concurrency: 8}
                agents:
                  - {name: a, role: debater, model: tiny}
                  - {name: b, role: debater, model: tiny}
                protocol: {type: debate, debaters: [a, b], rounds: 1}
                run: {concurrency: 3, output: "%s"}
                """.formatted(MODEL, tmp.resolve("runs")));

        QuickstartTest.Cli cli = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");

        assertThat(cli.code()).as(cli.err()).isZero();
        Path run;
        try (var dirs = Files.list(tmp.resolve("runs/local"))) {
            run = dirs.findFirst().orElseThrow();
        }
        List<JsonNode> episodes = QuickstartTest.lines(run.resolve("episodes.jsonl"));
        assertThat(episodes).hasSize(3).allSatisfy(e -> {
            assertThat(e.path("simulated").asBoolean()).isFalse();
            assertThat(e.path("model_calls").asInt()).isEqualTo(4);
            assertThat(e.path("completion_tokens").asInt()).isPositive();
        });
        assertThat(QuickstartTest.lines(run.resolve("trace.jsonl")))
                .filteredOn(t -> t.path("type").asText().equals("model_call"))
                .allSatisfy(t -> assertThat(t.path("model").asText()).isEqualTo("stories260k"));
    }
}
