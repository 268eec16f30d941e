package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.run.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, run in process on the shipped quickstart scenario. */
class QuickstartTest {

    static final Path ROOT = Path.of(System.getProperty("reverb.root", "..")).toAbsolutePath().normalize();
    static final Path QUICKSTART = ROOT.resolve("scenarios/quickstart.yaml");

    @TempDir
    Path tmp;

    record Cli(int code, String out, String err) {
    }

    static Cli reverb(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReverbCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path onlyRun(Path output) throws IOException {
        try (Stream<Path> runs = Files.list(output.resolve("quickstart"))) {
            List<Path> all = runs.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(Json.MAPPER.readTree(line));
        }
        return nodes;
    }

    @Test
    void should_write_every_run_file_when_running_the_quickstart() throws IOException {
        Cli cli = reverb("run", QUICKSTART.toString(), "--set", "run.output=" + tmp, "--no-progress");

        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("reflexion").contains("debate").contains("SIMULATED");
        Path run = onlyRun(tmp);
        assertThat(run.resolve("scenario.resolved.yaml")).isNotEmptyFile();
        assertThat(run.resolve("trace.jsonl")).isNotEmptyFile();
        assertThat(cli.out()).contains("Report: " + run.resolve("report.html"));
        assertThat(run.resolve("report.html")).isNotEmptyFile();
        assertThat(run.resolve("summary.csv")).isNotEmptyFile();

        List<JsonNode> episodes = lines(run.resolve("episodes.jsonl"));
        assertThat(episodes).hasSize(48); // 24 problems x 2 protocols
        Set<String> ids = new HashSet<>();
        episodes.forEach(e -> ids.add(e.path("episode").asText()));
        assertThat(ids).hasSize(48);
        assertThat(episodes).allSatisfy(e -> {
            assertThat(e.path("simulated").asBoolean()).isTrue();
            assertThat(e.path("prompt_tokens").asLong()).isPositive();
            assertThat(e.path("per_round").size()).isBetween(1, 3);
        });
        assertThat(episodes).filteredOn(e -> e.path("protocol").asText().equals("debate"))
                .allSatisfy(e -> assertThat(e.path("per_round").size()).isEqualTo(3));

        JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
        assertThat(summary.path("simulated").asBoolean()).isTrue();
        assertThat(summary.path("episodes").asInt()).isEqualTo(48);
        JsonNode reflexion = summary.path("protocols").path("reflexion");
        assertThat(reflexion.path("episodes").asInt()).isEqualTo(24);
        JsonNode byTrial = reflexion.path("accuracy_by_round");
        assertThat(byTrial.size()).isEqualTo(3);
        assertThat(byTrial.get(2).asDouble()).isGreaterThanOrEqualTo(byTrial.get(0).asDouble());
        assertThat(reflexion.path("accuracy").asDouble()).isEqualTo(byTrial.get(2).asDouble());
        assertThat(summary.path("protocols").path("debate").path("ci95").size()).isEqualTo(2);

        List<JsonNode> trace = lines(run.resolve("trace.jsonl"));
        assertThat(trace).extracting(t -> t.path("type").asText()).contains("model_call", "agent_message");
        assertThat(trace).filteredOn(t -> t.path("type").asText().equals("model_call"))
                .allSatisfy(t -> assertThat(t.path("simulated").asBoolean()).isTrue());
    }

    @Test
    void should_give_the_same_answers_when_run_twice_with_the_same_seed() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertThat(reverb("run", QUICKSTART.toString(), "--set", "run.output=" + a, "--no-progress").code()).isZero();
        assertThat(reverb("run", QUICKSTART.toString(), "--set", "run.output=" + b, "--set", "run.concurrency=3",
                "--no-progress").code()).isZero();
        assertThat(answers(onlyRun(a))).isEqualTo(answers(onlyRun(b)));
    }

    private static Set<String> answers(Path run) throws IOException {
        Set<String> answers = new HashSet<>();
        for (JsonNode e : lines(run.resolve("episodes.jsonl"))) {
            answers.add(e.path("episode").asText() + "=" + e.path("per_round"));
        }
        return answers;
    }
}
