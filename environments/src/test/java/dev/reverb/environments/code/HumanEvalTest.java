package dev.reverb.environments.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.JsonLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HumanEvalTest {

    static final String GOOD = "{\"task_id\": \"Toy/%d\", \"prompt\": \"def f(x):\\n\", \"entry_point\": \"f\", "
            + "\"canonical_solution\": \"    return x\\n\", \"test\": \"def check(candidate):\\n    assert candidate(1) == 1\\n\"}";

    static String good(int id) {
        return String.format(GOOD, id);
    }

    @Test
    void should_report_each_bad_line_with_its_number_when_loading_a_mixed_file(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("mixed.jsonl"), String.join("\n",
                good(0),
                "{not json",
                "{\"task_id\": \"Toy/2\", \"entry_point\": \"f\", \"test\": \"def check(c): pass\"}",
                good(0),
                "",
                "[1, 2]",
                good(6).replace("\"entry_point\": \"f\"", "\"entry_point\": \"f g\""),
                good(7).replace("def check(candidate)", "def verify(candidate)"),
                good(8)));

        JsonLines.Loaded<HumanEval.Problem> loaded = HumanEval.load(file);

        assertThat(loaded.items()).extracting(HumanEval.Problem::taskId).containsExactly("Toy/0", "Toy/8");
        assertThat(loaded.items()).extracting(HumanEval.Problem::line).containsExactly(1, 9);
        assertThat(loaded.report().loaded()).isEqualTo(2);
        assertThat(loaded.report().issues()).extracting(DatasetReport.Issue::line).containsExactly(2, 3, 4, 6, 7, 8);
        assertThat(loaded.report().issues()).extracting(DatasetReport.Issue::message).satisfiesExactly(
                m -> assertThat(m).contains("not valid JSON"),
                m -> assertThat(m).contains("missing field \"prompt\""),
                m -> assertThat(m).contains("duplicate task_id \"Toy/0\""),
                m -> assertThat(m).contains("JSON object"),
                m -> assertThat(m).contains("not a Python name"),
                m -> assertThat(m).contains("check(candidate)"));
        HumanEval.Problem first = loaded.items().get(0);
        assertThat(first.referenceProgram()).isEqualTo("def f(x):\n    return x\n");
    }

    @Test
    void should_keep_what_was_read_when_a_gzip_file_is_truncated(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write((good(0) + "\n" + good(1) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = bytes.toByteArray();
        Path intact = Files.write(dir.resolve("intact.jsonl.gz"), whole);
        Path cut = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(whole, whole.length - 6));

        assertThat(HumanEval.load(intact).items()).hasSize(2);
        JsonLines.Loaded<HumanEval.Problem> loaded = HumanEval.load(cut);
        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.report().issues()).singleElement()
                .satisfies(issue -> assertThat(issue.message()).contains("damaged or truncated"));
    }

    @Test
    void should_name_the_path_when_the_file_is_missing() {
        assertThatThrownBy(() -> HumanEval.load(Path.of("/no/such/HumanEval.jsonl.gz")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("/no/such/HumanEval.jsonl.gz");
    }

    @Test
    void should_load_all_164_problems_when_reading_the_real_file() {
        Path file = Path.of(System.getProperty("reverb.shared", "../../shared")).resolve("data/humaneval/HumanEval.jsonl.gz");
        Assumptions.assumeTrue(Files.exists(file), "HumanEval not present at " + file);

        JsonLines.Loaded<HumanEval.Problem> loaded = HumanEval.load(file);

        assertThat(loaded.items()).hasSize(164);
        assertThat(loaded.report().issues()).isEmpty();
        assertThat(new HashSet<>(loaded.items().stream().map(HumanEval.Problem::taskId).toList())).hasSize(164);
        assertThat(loaded.items().get(163).taskId()).isEqualTo("HumanEval/163");
        assertThat(loaded.items()).allSatisfy(p -> assertThat(p.test()).contains("def check(candidate)"));
    }
}
