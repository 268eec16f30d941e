package dev.reverb.environments.game24;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.environments.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Game24VerifierTest {

    private static List<Integer> puzzle(String numbers) {
        return Arrays.stream(numbers.split(" ")).map(Integer::valueOf).toList();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            1 1 4 6   | Answer: 4 * 6 * 1 * 1 = 24                                     | 4 * 6 * 1 * 1
            1 1 11 11 | Answer: 11 + 11 + 1 + 1 = 24                                   | 11 + 11 + 1 + 1
            3 3 8 8   | Answer: 8 / (3 - 8/3) = 24                                     | 8 / (3 - 8 / 3)
            3 3 8 8   | Answer: 8 ÷ (3 − 8 ÷ 3) = 24                                   | 8 / (3 - 8 / 3)
            1 2 3 4   | Let me think.\\n(1 + 2 + 3) x 4 = 24                           | (1 + 2 + 3) * 4
            1 2 3 4   | **Answer:** $(1+2+3) \\times 4 = 24$                           | (1 + 2 + 3) * 4
            1 2 3 4   | answer: 4 × (1 + 2 + 3)                                        | 4 * (1 + 2 + 3)
            1 2 3 4   | Answer: 1*2*3*4 = 24.                                          | 1 * 2 * 3 * 4
            1 2 3 4   | Answer: 24 = 4 * 3 * 2 * 1                                     | 4 * 3 * 2 * 1
            1 2 3 4   | Answer: (1 + 3) * (2 + 4) = 4 * 6 = 24                         | (1 + 3) * (2 + 4)
            1 2 3 4   | Answer: (1 + 3) * (2 + 4), which is 24                         | (1 + 3) * (2 + 4)
            1 2 3 4   | Answer:\\n(1 + 3) * (2 + 4) = 24                               | (1 + 3) * (2 + 4)
            1 2 3 4   | Answer: 1 + 1 = 2\\nsorry, correction.\\nAnswer: 4*(1+2+3)=24   | 4 * (1 + 2 + 3)
            1 2 3 4   | The answer is (1 + 3) * (2 + 4).                               | (1 + 3) * (2 + 4)
            4 4 10 10 | Answer: (10 * 10 - 4) / 4 = 24                                 | (10 * 10 - 4) / 4
            1 5 5 5   | Answer: 5 * (5 - 1/5) = 24                                     | 5 * (5 - 1 / 5)
            1 5 5 5   | Answer: $5 \\times \\left(5 - \\frac{1}{5}\\right) = 24$          | 5 * (5 - (1) / (5))
            """)
    void should_accept_when_the_expression_uses_each_number_once_and_is_exactly_24(
            String numbers, String output, String expected) {
        Verdict verdict = Game24Verifier.verify(puzzle(numbers), output.replace("\\n", "\n"));

        assertThat(verdict.correct()).as(verdict.feedback()).isTrue();
        assertThat(verdict.reward()).isEqualTo(1.0);
        assertThat(verdict.extracted()).isEqualTo(expected);
        assertThat(Game24Verifier.extract(output.replace("\\n", "\n"))).contains(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            3 3 8 8   | Answer: 8 * 8 - 3 * 3 * 3 = 24      | uses 3 three times but the puzzle has two 3s
            3 3 8 8   | Answer: (8 + 8) * 3 / 2 = 24        | uses 2, which is not one of the numbers
            3 3 8 8   | Answer: 8 * 3 = 24                  | uses 8 only once but the puzzle has two 8s
            1 2 3 4   | Answer: 2 * 4 * 1 = 24              | does not use 3
            1 1 4 6   | Answer: (1 + 1) * (4 * 6) / 2 = 24  | uses 2, which is not one of the numbers
            1 1 11 11 | Answer: (11 + 1) * (1 + 1) = 24     | uses 1 three times but the puzzle has two 1s; it uses 11 only once
            3 3 8 8   | Answer: 8 * 8 * 3 = 24              | uses 3 only once but the puzzle has two 3s
            1 1 4 6   | Answer: 4 * 6 * 1 * 1 * 1 = 24      | uses 1 three times but the puzzle has two 1s
            1 1 4 6   | Answer: 4 * 4 * 1 + 6 = 24          | uses 4 twice but the puzzle has one 4
            1 1 4 6   | Answer: 4 * 6 + 1 - 1 + 1 - 1 = 24  | uses 1 four times
            1 1 4 6   | Answer: 4 * 6 + 1 - 1 = 24          | (correct)
            1 1 4 6   | Answer: 4 * 6 + 1 + 1 = 24          | evaluates to 26, not 24
            1 2 3 4   | Answer: 1 + 2 + 3 + 4 = 24          | evaluates to 10, not 24
            3 3 8 8   | Answer: 8 / (3 - 3) * 8 = 24        | divides by zero
            3 3 8 8   | Answer: 3 * 8 / 8 / 3 = 24          | evaluates to 1, not 24
            3 3 8 8   | Answer: 8 / (3 - 8 / 3 * 1) = 24    | uses 1, which is not one of the numbers
            1 2 3 4   | Answer: (1 + 2 + 3) * 4 / 1.5 = 24  | uses 1.5, which is not one of the numbers
            1 2 3 4   | Answer: -1 + 2 + 3 * 4 = 24         | not allowed
            1 2 3 4   | Answer: ((1 + 2 + 3) * 4 = 24       | never closed
            1 2 3 4   | Answer: (1 + 2 + 3) * * 4 = 24      | '*' has no number before it
            1 2 3 4   | Answer: 2(3 + 4) + 1 = 24           | expected an operator before '('
            1 2 3 4   | I could not find a solution.        | Could not read an expression
            1 2 3 4   | Answer: none                        | Could not read an expression
            """)
    void should_reject_with_specific_feedback_when_the_expression_is_wrong(
            String numbers, String output, String feedback) {
        Verdict verdict = Game24Verifier.verify(puzzle(numbers), output);

        if (feedback.equals("(correct)")) {
            assertThat(verdict.correct()).as(verdict.feedback()).isTrue();
            return;
        }
        assertThat(verdict.correct()).isFalse();
        assertThat(verdict.reward()).isZero();
        assertThat(verdict.feedback()).contains(feedback);
    }

    @Test
    void should_name_every_problem_and_the_rule_when_several_things_are_wrong() {
        Verdict verdict = Game24Verifier.verify(puzzle("3 3 8 8"), "Answer: 8 * 8 - 8 = 24");

        assertThat(verdict.extracted()).isEqualTo("8 * 8 - 8");
        assertThat(verdict.feedback())
                .isEqualTo("Your expression 8 * 8 - 8 uses 8 three times but the puzzle has two 8s; it does not use 3"
                        + " (the puzzle has two 3s); it evaluates to 56, not 24. Use each of 3 3 8 8 exactly once with"
                        + " + - * / and parentheses, and end with a line 'Answer: <expression> = 24'.");
    }

    @Test
    void should_report_a_fractional_value_exactly_when_the_expression_is_not_24() {
        Verdict verdict = Game24Verifier.verify(puzzle("3 3 8 8"), "Answer: 8 / 3 + 8 * 3");
        assertThat(verdict.feedback()).contains("evaluates to 80/3, not 24");
    }

    @Test
    void should_take_the_last_arithmetic_line_when_there_is_no_answer_line() {
        String output = "Try 1 + 2 + 3 + 4 = 10, too small.\n(1 + 2 + 3) * 4 = 24\nThat works!";
        assertThat(Game24Verifier.extract(output)).contains("(1 + 2 + 3) * 4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "No idea.", "Answer:", "3 + 5 = 8 and then we are stuck"})
    void should_find_nothing_when_the_output_has_no_expression(String output) {
        assertThat(Game24Verifier.extract(output)).isEmpty();
        assertThat(Game24Verifier.verify(puzzle("1 2 3 4"), output).correct()).isFalse();
    }

    @Test
    void should_never_throw_when_given_odd_input() {
        for (String odd : new String[] {null, "Answer: 1/0", "Answer: ((((", "Answer: )))", "Answer: " + "9".repeat(5000),
                "Answer: \\frac{\\frac{", "Answer: 1 / (2 - 2) / 0", "Answer: . . .", "Answer: 3 ** 8"}) {
            Verdict verdict = Game24Verifier.verify(puzzle("1 2 3 4"), odd);
            assertThat(verdict.correct()).isFalse();
            assertThat(verdict.feedback()).isNotBlank();
        }
    }
}
