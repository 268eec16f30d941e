package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MathEnvironmentTest {

    @TempDir
    Path folder;

    private MathEnvironment math() throws Exception {
        Path file = folder.resolve("algebra.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"problem\": \"Find all solutions to $x^2 + x - 2 = 0$. Enter all the solutions, separated by commas.\","
                        + " \"solution\": \"Factoring, $(x-1)(x+2)=0$, so $x = \\\\boxed{1,-2}$.\"}",
                "{\"problem\": \"Find the ordered pair $(a,b)$ with $a+b=3$ and $a-b=-1$.\","
                        + " \"solution\": \"$\\\\boxed{(1,2)}$\"}",
                "{\"problem\": \"Solve $2x < 4$ for $x > 0$. Give all the solutions as an interval.\","
                        + " \"solution\": \"$\\\\boxed{(0,2)}$\"}"));
        return MathEnvironment.math(file, null, null);
    }

    @Test
    void should_accept_the_solutions_in_any_order_when_the_question_asks_for_all_of_them() throws Exception {
        MathEnvironment math = math();
        Task roots = math.tasks().get(0);

        assertThat(math.verify(roots, "So the solutions are $\\boxed{-2, 1}$.").correct()).isTrue();
        assertThat(math.verify(roots, "The answer is 1, -2.").correct()).isTrue();
        assertThat(math.verify(roots, "\\boxed{x = -2, x = 1}").correct()).isTrue();
        assertThat(math.verify(roots, "\\boxed{1, -2, 1}").correct()).isTrue();
        assertThat(math.verify(roots, "\\boxed{1}").correct()).isFalse();
        assertThat(math.verify(roots, "\\boxed{-1, 2}").correct()).isFalse();
        assertThat(math.verify(roots, "\\boxed{1, -2, 3}").feedback()).contains("incorrect");
    }

    @Test
    void should_grade_plain_numbers_as_the_set_reading_does_when_the_question_asks_for_all_solutions() {
        List<String> numbers = List.of("2", "2.0", "-2", "02", "0.5", ".5", "-0", "0", "10", "1e1", "2.50", "2.5");
        for (String reference : numbers) {
            for (String answer : numbers) {
                assertThat(MathAnswers.equivalent(reference, answer, false)).as(reference + " " + answer)
                        .isEqualTo(MathAnswers.equivalent(reference, answer, true));
            }
        }
    }

    @Test
    void should_keep_the_order_when_the_answer_is_an_ordered_pair_or_an_interval() throws Exception {
        MathEnvironment math = math();

        assertThat(math.verify(math.tasks().get(1), "\\boxed{(1, 2)}").correct()).isTrue();
        assertThat(math.verify(math.tasks().get(1), "\\boxed{(2, 1)}").correct()).isFalse();
        assertThat(math.verify(math.tasks().get(2), "\\boxed{(0, 2)}").correct()).isTrue();
        assertThat(math.verify(math.tasks().get(2), "\\boxed{(2, 0)}").correct()).isFalse();
        assertThat(math.verify(math.tasks().get(2), "\\boxed{[0, 2)}").correct()).isFalse();
    }

    @Test
    void should_grade_the_generators_own_steps_and_their_expressions_right_when_read_as_answers() {
        MathEnvironment arithmetic = MathEnvironment.arithmetic(7, 40, 1, 4);
        for (Task task : arithmetic.tasks()) {
            String lastStep = task.referenceSteps().get(task.referenceSteps().size() - 1);
            String clause = lastStep.substring(Math.max(lastStep.lastIndexOf(", so "), lastStep.lastIndexOf(": ")) + 2);
            String expression = clause.substring(0, clause.indexOf(" = "));

            assertThat(arithmetic.verify(task, String.join("\n", task.referenceSteps())).correct()).as(lastStep).isTrue();
            assertThat(arithmetic.verify(task, "The answer is " + clause).correct()).as(clause).isTrue();
            assertThat(arithmetic.verify(task, "The answer is " + expression + ".").correct()).as(expression).isTrue();
            assertThat(arithmetic.verify(task, "The answer is " + expression + " + 1.").correct()).as(expression).isFalse();
        }
    }

    /** A random expression over small integers: its text (random operator glyphs and spacing) and its value. */
    private record Expression(String text, long value) {

        static Expression random(java.util.SplittableRandom r, int depth) {
            if (depth == 0 || r.nextInt(3) == 0) {
                long v = r.nextInt(0, 30);
                return new Expression(Long.toString(v), v);
            }
            Expression a = random(r, depth - 1);
            Expression b = random(r, depth - 1);
            String space = r.nextBoolean() ? " " : "";
            String[] times = {"*", "×", "·", "\\times", "\\cdot"};
            String[] minus = {"-", "−"};
            return switch (r.nextInt(3)) {
                case 0 -> new Expression("(" + a.text + space + "+" + space + b.text + ")", a.value + b.value);
                case 1 -> new Expression("(" + a.text + space + minus[r.nextInt(2)] + space + b.text + ")", a.value - b.value);
                default -> new Expression("(" + a.text + space + times[r.nextInt(times.length)] + " " + b.text + ")",
                        a.value * b.value);
            };
        }
    }

    @Test
    void should_compute_the_exact_value_when_an_answer_is_a_random_expression() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        MathEnvironment math = math();
        for (int n = 0; n < 500; n++) {
            Expression e = Expression.random(random, 4);
            String value = Long.toString(e.value());
            assertThat(NumericAnswers.extract("The answer is " + e.text() + ".")).as(e.text()).contains(value);
            assertThat(NumericAnswers.extract("The answer is " + e.text() + " = " + value + " apples.")).as(e.text()).contains(value);
            assertThat(NumericAnswers.extract("So the total is \\boxed{" + e.text() + "}")).as(e.text()).contains(value);
            assertThat(math.extractAnswer("We get $" + e.text() + " = " + value + "$.")).as(e.text()).contains(value);
            assertThat(math.extractAnswer("\\boxed{" + e.text() + "}")).as(e.text()).contains(value);
        }
    }

    @Test
    void should_never_throw_when_given_random_arithmetic_soup() throws Exception {
        String[] pieces = {"0", "7", "12", "1,000", ".5", "3.25", "+", "-", "−", "*", "×", "·", "/", "÷", "^", "(", ")",
            "{", "}", "=", ".", ",", "%", "$", "\\$", "\\frac", "\\times", "\\cdot", "\\div", "\\sqrt", "\\text{ cm}",
            " ", " ", " ", "x", "apples", "of", "The answer is ", "\\boxed{", "####", "\n"};
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        List<MathEnvironment> environments = List.of(math(), MathEnvironment.arithmetic(1, 1, 1, 1));
        for (int n = 0; n < 3000; n++) {
            StringBuilder output = new StringBuilder();
            for (int k = random.nextInt(1, 30); k > 0; k--) {
                output.append(pieces[random.nextInt(pieces.length)]);
            }
            String text = output.toString();
            for (MathEnvironment environment : environments) {
                assertThatCode(() -> assertThat(environment.verify(environment.tasks().get(0), text).feedback()).isNotBlank())
                        .as(text).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void should_give_a_wrong_verdict_with_feedback_and_never_throw_when_the_output_is_malformed() throws Exception {
        List<MathEnvironment> environments = List.of(math(), MathEnvironment.arithmetic(1, 1, 1, 1),
                MathEnvironment.gsm8k(Gsm8kTest.fixture(), null, null, null));
        List<String> garbage = Arrays.asList(null, "", "The answer is", "The answer is 5 / 0.", "The answer is (((((",
                "The answer is " + "(".repeat(5000) + "1" + ")".repeat(5000), "\\boxed{1/0 = }",
                "The answer is " + "9".repeat(3000) + " * " + "9".repeat(3000), "The answer is 1" + " * 99999999999".repeat(400),
                "The answer is \\frac{\\frac{\\frac{", "= = = =", "The answer is 1 + + 2", "#### -", "\\boxed{\\frac12\\frac}",
                "The answer is 2" + "(2".repeat(3000), "The answer is 1.2.3 = 4.5.6", "The answer is ÷ × ·",
                "The answer is 1,2,3,4 = ", "The answer is \u0000\u0001 = 3");
        for (MathEnvironment environment : environments) {
            Task task = environment.tasks().get(0);
            for (String output : garbage) {
                assertThatCode(() -> {
                    Verdict verdict = environment.verify(task, output);
                    assertThat(verdict.feedback()).isNotBlank();
                    assertThat(verdict.correct()).isFalse();
                }).as("%s: %s", environment.type(), output == null ? "null" : output.substring(0, Math.min(40, output.length())))
                        .doesNotThrowAnyException();
            }
        }
    }
}
