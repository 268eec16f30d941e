package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class Gsm8kTest {

    static Path fixture() throws URISyntaxException {
        return Path.of(Gsm8kTest.class.getResource("/gsm8k/mixed.jsonl").toURI());
    }

    static Path shared() {
        return Path.of(System.getProperty("reverb.shared", "../../shared"));
    }

    @Test
    void should_report_each_bad_line_with_its_number_when_loading_a_mixed_file() throws Exception {
        JsonLines.Loaded<Task> loaded = Gsm8k.load(fixture());

        assertThat(loaded.items()).extracting(Task::id).containsExactly("mixed-00001", "mixed-00009");
        assertThat(loaded.report().loaded()).isEqualTo(2);
        List<DatasetReport.Issue> issues = loaded.report().issues();
        assertThat(issues).extracting(DatasetReport.Issue::line).containsExactly(2, 4, 5, 6, 7, 8);
        assertThat(issues.get(0).message()).contains("not valid JSON");
        assertThat(issues.get(1).message()).contains("####");
        assertThat(issues.get(2).message()).contains("missing field \"question\"");
        assertThat(issues.get(3).message()).contains("not a number").contains("many");
        assertThat(issues.get(4).message()).contains("JSON object");
        assertThat(issues.get(5).message()).contains("\"question\" must be a non-empty string");
        assertThat(issues.get(0).toString()).startsWith("line 2: ");
    }

    @Test
    void should_strip_calculator_notes_and_keep_the_answer_when_parsing_a_solution() throws Exception {
        Task task = Gsm8k.load(fixture()).items().get(1);
        assertThat(task.referenceAnswer()).isEqualTo("1200");
        assertThat(task.referenceSteps()).containsExactly("1000 + 200 = 1200");
        assertThat(task.metadata()).containsEntry("line", "9");
    }

    @Test
    void should_name_the_path_when_the_file_is_missing() {
        assertThatThrownBy(() -> Gsm8k.load(Path.of("/no/such/test.jsonl")))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("/no/such/test.jsonl");
    }

    @Test
    void should_load_and_verify_every_problem_when_reading_the_real_test_set() {
        Path file = shared().resolve("data/gsm8k/test.jsonl");
        Assumptions.assumeTrue(Files.exists(file), "GSM8K not present at " + file);

        MathEnvironment env = MathEnvironment.gsm8k(file.getParent(), "test", null, null);

        assertThat(env.tasks()).hasSize(1319);
        assertThat(env.report().issues()).isEmpty();
        Set<String> ids = new HashSet<>();
        for (Task task : env.tasks()) {
            ids.add(task.id());
            String solution = String.join("\n", task.referenceSteps()) + "\nThe answer is " + task.referenceAnswer() + ".";
            assertThat(env.verify(task, solution).correct()).as(task.id()).isTrue();
        }
        assertThat(ids).hasSize(1319);
    }

    @Test
    void should_shuffle_reproducibly_and_cut_when_given_a_seed_and_limit() throws Exception {
        Path file = fixture();
        MathEnvironment a = MathEnvironment.gsm8k(file, null, 3L, 1);
        MathEnvironment b = MathEnvironment.gsm8k(file, null, 3L, 1);
        assertThat(a.tasks()).hasSize(1).isEqualTo(b.tasks());
        assertThat(a.report().skipped()).isEqualTo(6);
    }
}
