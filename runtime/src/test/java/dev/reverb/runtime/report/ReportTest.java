package dev.reverb.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.run.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html and summary.csv from real (simulated-model) runs of the shipped quickstart scenario. */
class ReportTest {

    @TempDir
    static Path runs;

    static Path first;
    static Path second;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makeRuns() throws Exception {
        first = ReportRuns.run("quickstart", runs.resolve("a"));
        second = ReportRuns.run("quickstart", runs.resolve("b"), "run.seed=7");
    }

    @Test
    void should_report_both_denominators_and_pair_the_protocols_when_one_run_has_two() throws IOException {
        Path out = tmp.resolve("out");
        Report.Result result = Report.write(List.of(first), out, 2000, 1);

        assertThat(result.rows()).extracting(ProtocolRow::protocol).containsExactly("reflexion", "debate");
        assertThat(result.rows()).allSatisfy(r -> {
            assertThat(r.planned()).isEqualTo(24);
            assertThat(r.finished()).isEqualTo(24);
            assertThat(r.failed()).isZero();
            assertThat(r.accuracyPlanned()).isEqualTo(r.accuracyFinished());
            assertThat(r.simulated()).isTrue();
        });
        JsonNode summary = Json.MAPPER.readTree(first.resolve("summary.json").toFile());
        ProtocolRow reflexion = result.rows().get(0);
        assertThat(reflexion.correct()).isEqualTo(summary.at("/protocols/reflexion/correct").asInt());
        assertThat(reflexion.ciFinished()[0]).isCloseTo(summary.at("/protocols/reflexion/ci95/0").asDouble(),
                org.assertj.core.api.Assertions.within(1e-4));
        assertThat(reflexion.promptTokens()).isEqualTo(summary.at("/protocols/reflexion/prompt_tokens").asLong());

        assertThat(result.comparisons()).hasSize(1);
        Comparison c = result.comparisons().get(0);
        assertThat(c.pairs()).isEqualTo(24);
        assertThat(c.both() + c.onlyA() + c.onlyB() + c.neither()).isEqualTo(24);
        assertThat(c.flippedToA()).hasSize(c.onlyA());
        assertThat(c.pValue()).isEqualTo(Stats.mcnemarExact(c.onlyA(), c.onlyB()));
        assertThat(c.diffCi95()[0]).isLessThanOrEqualTo(c.difference());
        assertThat(c.diffCi95()[1]).isGreaterThanOrEqualTo(c.difference());

        String html = Files.readString(result.html());
        assertThat(html).contains("id=\"simulated-banner\"", "SIMULATED model", "McNemar", "reflexion vs debate",
                "id=\"chart-accuracy\"", "id=\"chart-rounds\"", "id=\"chart-tokens\"", "id=\"chart-memory\"");
        assertThat(html).contains("echarts"); // inlined, not linked
        assertThat(html).doesNotContainPattern("<script[^>]+src=").doesNotContainPattern("<link[^>]+href=");
        assertThat(first.resolve(Report.HTML)).doesNotExist(); // --out was given
    }

    @Test
    void should_compare_run_against_run_when_given_two_runs_over_the_same_tasks() throws IOException {
        Report.Result result = Report.write(List.of(first, second), tmp, 2000, 1);

        assertThat(result.rows()).hasSize(4);
        assertThat(result.comparisons()).extracting(Comparison::a)
                .containsExactly("quickstart/" + first.getFileName() + ":reflexion",
                        "quickstart/" + first.getFileName() + ":debate");
        assertThat(result.comparisons()).allSatisfy(c -> assertThat(c.pairs()).isEqualTo(24));
        // a different run seed gives different answers on some tasks: the flips name them
        assertThat(result.comparisons()).anySatisfy(c -> assertThat(c.onlyA() + c.onlyB()).isPositive());
    }

    @Test
    void should_count_failed_and_missing_episodes_in_the_planned_denominator_when_a_run_has_failures()
            throws IOException {
        Path run = copy(first, tmp.resolve("failing"));
        List<String> lines = new ArrayList<>(Files.readAllLines(run.resolve("episodes.jsonl")));
        // drop two reflexion episodes entirely (an interrupted run), fail one, and record one finished twice
        List<String> reflexion = lines.stream().filter(l -> l.contains("\"protocol\":\"reflexion\"")).toList();
        lines.remove(reflexion.get(0));
        lines.remove(reflexion.get(1));
        JsonNode failing = Json.MAPPER.readTree(reflexion.get(2));
        String failedId = failing.path("episode").asText();
        lines.add("{\"episode\":\"" + failedId + "\",\"task\":\"" + failing.path("task").asText()
                + "\",\"protocol\":\"reflexion\",\"repeat\":0,\"status\":\"failed\","
                + "\"error\":\"model policy failed after 3 tries: HTTP 500\"}");
        lines.add(reflexion.get(3));
        Files.write(run.resolve("episodes.jsonl"), lines);
        // the trace: one dropped reflexion episode failed (timeout); a debate episode failed once, then finished on
        // --resume (it stays finished); the last line is torn, as a run killed mid-write leaves it
        String debateId = Json.MAPPER.readTree(lines.stream().filter(l -> l.contains("\"protocol\":\"debate\""))
                .findFirst().orElseThrow()).path("episode").asText();
        String timedOut = Json.MAPPER.readTree(reflexion.get(0)).path("episode").asText();
        Files.writeString(run.resolve("trace.jsonl"), "{\"type\":\"episode_failed\",\"episode_id\":\"" + timedOut
                + "\",\"error\":\"timeout after 60 s\"}\n{\"type\":\"episode_failed\",\"episode_id\":\"" + debateId
                + "\",\"error\":\"connection refused\"}\n"
                // a call that failed twice before it succeeded, one trace entry per try
                + "{\"type\":\"model_call\",\"episode_id\":\"" + debateId + "\",\"agent\":\"alice\",\"round\":0,"
                + "\"attempts\":3,\"errors\":[\"HTTP 503 from http://127.0.0.1:9/v1\",\"HTTP 503 from http://127.0.0.1:9/v1\"]}\n"
                + "{\"type\":\"model_ca", StandardOpenOption.APPEND);

        Report.Result result = Report.write(List.of(run), null, 500, 1);

        ProtocolRow r = result.rows().get(0);
        assertThat(r.protocol()).isEqualTo("reflexion");
        assertThat(r.planned()).isEqualTo(24);
        assertThat(r.finished()).isEqualTo(21);
        assertThat(r.failed()).isEqualTo(2);
        assertThat(r.notRun()).isEqualTo(1);
        int correct = 0;
        for (String l : reflexion.subList(3, reflexion.size())) {
            correct += Json.MAPPER.readTree(l).path("correct").asBoolean() ? 1 : 0;
        }
        assertThat(r.correct()).isEqualTo(correct);
        assertThat(r.accuracyPlanned()).isEqualTo(correct / 24.0);
        assertThat(r.ciPlanned()).containsExactly(Stats.wilson(correct, 24));
        assertThat(r.ciFinished()).containsExactly(Stats.wilson(correct, 21));
        ProtocolRow debate = result.rows().get(1);
        assertThat(debate.failed()).isZero();
        assertThat(debate.finished()).isEqualTo(24);
        assertThat(debate.planned()).isEqualTo(24);
        String html = Files.readString(run.resolve(Report.HTML));
        assertThat(html).contains("id=\"chart-failures\"", HtmlReport.esc(failedId),
                "model policy failed after # tries: HTTP #", "timeout after # s");
        assertThat(html).doesNotContain("connection refused");
        assertThat(html).contains("{\"cause\":\"model call try: HTTP # from http://#.#.#.#:#/v#\",\"count\":2}");
    }

    @Test
    void should_write_a_csv_that_a_strict_reader_splits_into_the_header_width() throws IOException {
        Path run = copy(first, tmp.resolve("odd"));
        // a protocol name with a comma and a quote must come back as one cell
        String odd = "debate, \"big\"";
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve("episodes.jsonl"))) {
            lines.add(l.replace("\"protocol\":\"debate\"", "\"protocol\":" + Json.MAPPER.writeValueAsString(odd)));
        }
        Files.write(run.resolve("episodes.jsonl"), lines);
        Report.Result result = Report.write(List.of(run), null, 100, 1);

        List<String> csv = Files.readAllLines(result.csv(), StandardCharsets.UTF_8);
        assertThat(csv.get(0)).isEqualTo(String.join(",", SummaryCsv.HEADER));
        List<List<String>> rows = new ArrayList<>();
        for (String l : csv.subList(1, csv.size())) {
            rows.add(parse(l));
        }
        assertThat(rows).allSatisfy(cells -> assertThat(cells).hasSize(SummaryCsv.HEADER.size()));
        Map<String, String> oddRow = new HashMap<>();
        List<String> found = rows.stream().filter(c -> c.get(3).equals(odd)).findFirst().orElseThrow();
        for (int i = 0; i < found.size(); i++) {
            oddRow.put(SummaryCsv.HEADER.get(i), found.get(i));
        }
        assertThat(oddRow.get("simulated")).isEqualTo("True");
        assertThat(oddRow.get("finished")).isEqualTo("24");
        assertThat(Double.parseDouble(oddRow.get("accuracy_planned"))).isBetween(0.0, 1.0);
        assertThat(oddRow.get("accuracy_finished")).matches("\\d\\.\\d+");
    }

    /** RFC 4180 fields of one line (no embedded line breaks here). */
    private static List<String> parse(String line) {
        List<String> cells = new ArrayList<>();
        Matcher m = Pattern.compile("\\G(?:\"((?:[^\"]|\"\")*)\"|([^,\"]*))(,|$)").matcher(line);
        int end = 0;
        while (end < line.length() && m.find(end)) {
            cells.add(m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2));
            end = m.end();
            if (m.group(3).isEmpty()) {
                break;
            }
            if (end == line.length()) {
                cells.add("");
            }
        }
        assertThat(end).as("the whole line parses: " + line).isEqualTo(line.length());
        return cells;
    }

    static Path copy(Path run, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }
}
