package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.ROOT;
import static dev.reverb.runtime.cli.QuickstartTest.lines;
import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped optimize example runs offline at every level and writes a best.yaml that validates. */
class OptimizeCommandTest {

    static final Path EXAMPLE = ROOT.resolve("scenarios/optimize-debate.yaml");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"prompt", "module", "agent"})
    void should_write_a_valid_best_yaml_when_optimizing_the_shipped_example(String level) throws Exception {
        QuickstartTest.Cli cli = reverb("optimize", EXAMPLE.toString(), "--level", level, "--candidates", "2",
                "--dev", "6", "--test", "6", "--out", tmp.toString());

        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("Search (" + level + " level)").contains("McNemar exact p =")
                .contains("SIMULATED");
        QuickstartTest.Cli validate = reverb("validate", tmp.resolve("best.yaml").toString());
        assertThat(validate.out()).as(validate.err()).contains(": ok (");
        List<JsonNode> log = lines(tmp.resolve("search.jsonl"));
        assertThat(log.get(0).path("type").asText()).isEqualTo("split");
        assertThat(log.stream().filter(l -> l.path("type").asText().equals("candidate"))).hasSizeGreaterThanOrEqualTo(3);
        JsonNode summary = dev.reverb.runtime.run.Json.MAPPER.readTree(Files.readString(tmp.resolve("summary.json")));
        assertThat(summary.path("test").path("mcnemar").has("p")).isTrue();
        assertThat(summary.path("frontier")).isNotEmpty();
    }

    @Test
    void should_stop_before_evaluating_anything_when_the_optimizer_model_cannot_start() throws Exception {
        Path scenario = tmp.resolve("dead-optimizer.yaml");
        Files.writeString(scenario, Files.readString(EXAMPLE).replace("model: simulated-proposer",
                "model: proposer-llm\n    base-url: http://127.0.0.1:9/v1\n    timeout: 2s"));

        QuickstartTest.Cli cli = reverb("optimize", scenario.toString(), "--out", tmp.resolve("out").toString());

        assertThat(cli.code()).as(cli.out()).isEqualTo(ReverbCli.COULD_NOT_START);
        assertThat(cli.err()).contains("optimizer model 'proposer'");
        assertThat(tmp.resolve("out/runs")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--level=bogus", "--dev=1000"})
    void should_refuse_with_invalid_input_when_the_settings_cannot_work(String option) {
        QuickstartTest.Cli cli = reverb("optimize", EXAMPLE.toString(), option, "--out", tmp.toString());

        assertThat(cli.code()).isEqualTo(ReverbCli.INVALID);
        assertThat(cli.err()).startsWith("error: ");
    }
}
