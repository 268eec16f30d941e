package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.ROOT;
import static dev.reverb.runtime.cli.QuickstartTest.lines;
import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every shipped scenario validates, and the offline protocol examples run end to end. */
class ShippedScenariosTest {

    @TempDir
    Path tmp;

    @Test
    void should_validate_every_shipped_scenario() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("scenarios"))) {
            List<String> yaml = files.filter(f -> f.toString().endsWith(".yaml")).map(Path::toString).sorted().toList();
            assertThat(yaml).hasSizeGreaterThanOrEqualTo(4);
            QuickstartTest.Cli cli = reverb(Stream.concat(Stream.of("validate"), yaml.stream()).toArray(String[]::new));
            // gsm8k-reflexion needs the dataset next to the project; everything else must be valid anywhere.
            assertThat(cli.out().lines().filter(l -> !l.contains("gsm8k")))
                    .allSatisfy(l -> assertThat(l).as(cli.err()).endsWith(")").contains(": ok ("));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"critique-revise", "debate-topologies", "prm-search"})
    void should_run_the_offline_protocol_examples_when_shipped(String name) throws IOException {
        QuickstartTest.Cli cli = reverb("run", ROOT.resolve("scenarios/" + name + ".yaml").toString(), "--no-progress",
                "--set", "run.output=" + tmp, "--set", "environment.count=4");
        assertThat(cli.code()).as(cli.err()).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(tmp.resolve(name))) {
            run = runs.findFirst().orElseThrow();
        }
        List<JsonNode> episodes = lines(run.resolve("episodes.jsonl"));
        int protocols = name.equals("critique-revise") ? 1 : 3;
        assertThat(episodes).hasSize(4 * protocols);
        assertThat(lines(run.resolve("trace.jsonl"))).anySatisfy(e -> assertThat(e.path("event").asText())
                .isIn("critiques", "vote", "scores"));
    }
}
