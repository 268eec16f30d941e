package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.ROOT;
import static dev.reverb.runtime.cli.QuickstartTest.lines;
import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import dev.reverb.environments.code.Sandbox;
import dev.reverb.runtime.testing.ShippedData;
import org.junit.jupiter.api.Assumptions;
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
            // Scenarios over public datasets need them in data/ (reverb data get) or ../shared/data; the rest are valid anywhere.
            List<String> plain = yaml.stream().filter(f -> DATASETS.stream().noneMatch(f::contains)).toList();
            QuickstartTest.Cli cli = reverb(Stream.concat(Stream.of("validate"), plain.stream()).toArray(String[]::new));
            assertThat(cli.out().lines().toList()).hasSize(plain.size())
                    .allSatisfy(l -> assertThat(l).as(cli.err()).contains(": ok ("));
            for (String name : DATASETS) {
                if (!ShippedData.available(name)) {
                    continue;
                }
                List<String> args = new ArrayList<>(List.of("validate", ROOT.resolve("scenarios/" + name + ".yaml").toString()));
                args.addAll(ShippedData.setArgs(name));
                QuickstartTest.Cli one = reverb(args.toArray(String[]::new));
                assertThat(one.out()).as(one.err()).contains(": ok (");
            }
        }
    }

    @Test
    void should_name_the_command_that_gets_a_dataset_when_a_shipped_scenario_misses_it() {
        Path missing = tmp.resolve("data/gsm8k/test.jsonl");
        QuickstartTest.Cli cli = reverb("validate", ROOT.resolve("scenarios/gsm8k-reflexion.yaml").toString(),
                "--set", "environment.dataset=" + missing);

        assertThat(cli.code()).isEqualTo(ReverbCli.INVALID);
        assertThat(cli.err()).contains("environment.dataset: dataset file not found: " + missing
                + "; get it with: reverb data get gsm8k --dir " + tmp.resolve("data"));
    }

    static final Path SHARED = Path.of(System.getProperty("reverb.shared", "../shared")).toAbsolutePath().normalize();
    static final List<String> DATASETS = List.of("gsm8k-reflexion", "humaneval-reflexion", "game24-search");

    @ParameterizedTest
    @ValueSource(strings = {"critique-revise", "debate-topologies", "prm-search", "role-play", "textworld-react",
            "math-reflexion", "humaneval-reflexion", "game24-search"})
    void should_run_the_offline_protocol_examples_when_shipped(String name) throws IOException {
        boolean dataset = DATASETS.contains(name);
        Assumptions.assumeTrue(ShippedData.available(name), "needs its dataset: reverb data get, or " + SHARED.resolve("data"));
        Assumptions.assumeTrue(!name.startsWith("humaneval") || Sandbox.bwrapAvailable(),
                "needs bubblewrap (apt-get install bubblewrap) with user namespaces and python3");
        List<String> args = new ArrayList<>(List.of("run", ROOT.resolve("scenarios/" + name + ".yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp, "--set", dataset || name.startsWith("math")
                        ? "environment.limit=4" : "environment.count=4"));
        args.addAll(ShippedData.setArgs(name));
        QuickstartTest.Cli cli = reverb(args.toArray(String[]::new));
        assertThat(cli.code()).as(cli.err()).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(tmp.resolve(name))) {
            run = runs.findFirst().orElseThrow();
        }
        List<JsonNode> episodes = lines(run.resolve("episodes.jsonl"));
        int protocols = switch (name) {
            case "critique-revise", "humaneval-reflexion", "role-play", "textworld-react", "math-reflexion" -> 1;
            case "prm-search", "debate-topologies" -> 4;
            default -> 3;
        };
        assertThat(episodes).hasSize(4 * protocols);
        assertThat(lines(run.resolve("trace.jsonl"))).anySatisfy(e -> assertThat(e.path("event").asText())
                .isIn("critiques", "vote", "scores", "verdict", "done", "stop", "attempt"));
    }

    @Test
    void should_warn_and_record_it_in_the_summary_when_code_runs_unsafe_local() throws IOException {
        String name = "humaneval-reflexion";
        Assumptions.assumeTrue(ShippedData.available(name), "needs its dataset: reverb data get, or " + SHARED.resolve("data"));
        Assumptions.assumeTrue(Sandbox.pythonAvailable(), "needs python3");
        List<String> args = new ArrayList<>(List.of("run", ROOT.resolve("scenarios/" + name + ".yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp, "--set", "environment.limit=1",
                "--set", "environment.sandbox=unsafe-local"));
        args.addAll(ShippedData.setArgs(name));
        QuickstartTest.Cli cli = reverb(args.toArray(String[]::new));

        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("warning: sandbox: unsafe-local");
        Path run;
        try (Stream<Path> runs = Files.list(tmp.resolve(name))) {
            run = runs.findFirst().orElseThrow();
        }
        JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertThat(summary.path("warnings").toString()).contains("unsafe-local").contains("kernel isolation");
        assertThat(Files.readString(run.resolve("scenario.resolved.yaml"))).contains("sandbox: unsafe-local");
    }
}
