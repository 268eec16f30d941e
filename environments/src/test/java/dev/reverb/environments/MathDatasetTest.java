package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class MathDatasetTest {

    static Path sample() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(MathDatasetTest.class.getResource("/math/sample.jsonl")).toURI());
    }

    @Test
    void should_read_boxed_or_given_answers_and_report_each_bad_line_when_loading_math_format() throws Exception {
        JsonLines.Loaded<Task> loaded = MathDataset.load(sample());
        assertThat(loaded.items()).extracting(Task::referenceAnswer).containsExactly("\\frac{1}{2}", "3", "(1,\\frac{\\pi}{2})", "5");
        assertThat(loaded.items().get(0).metadata()).containsEntry("level", "Level 1").containsEntry("type", "Prealgebra");
        assertThat(loaded.items().get(0).id()).isEqualTo("sample-00001");
        assertThat(loaded.items().get(0).referenceSteps()).containsExactly("Adding gives $\\frac{2}{4} = \\frac{1}{2}$.");
        assertThat(MathDataset.unboxed("so \\boxed{\\frac{1}{2}} and \\boxed{3}")).isEqualTo("so \\frac{1}{2} and 3");
        assertThat(loaded.report().issues()).extracting(DatasetReport.Issue::line).containsExactly(3, 5, 6);
        assertThat(loaded.report().issues().get(1).message()).contains("no \\boxed{} answer");
        assertThat(loaded.report().issues().get(2).message()).contains("missing field \"solution\"");
    }

    @Test
    void should_accept_equivalent_latex_answers_when_verifying_math_tasks() throws Exception {
        MathEnvironment math = MathEnvironment.math(sample(), null, null);
        Task half = math.tasks().get(0);
        assertThat(math.verify(half, "So the sum is \\boxed{\\dfrac12}.").correct()).isTrue();
        assertThat(math.verify(half, "The answer is 0.5.").correct()).isTrue();
        assertThat(math.verify(half, "The answer is 0.25.").correct()).isFalse();
        assertThat(math.verify(math.tasks().get(2), "\\boxed{\\left( 1, \\frac{\\pi}{2} \\right)}").correct()).isTrue();
        assertThat(math.verify(half, "I do not know.").feedback()).contains("No final answer");
        assertThat(math.type()).isEqualTo("math");
    }
}
