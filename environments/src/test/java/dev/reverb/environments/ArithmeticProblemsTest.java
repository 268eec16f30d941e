package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ArithmeticProblemsTest {

    private static final Pattern CALC = Pattern.compile("(\\d+) ([-+*/]) (\\d+)(?: / 100)? = (\\d+)");

    @Test
    void should_generate_the_same_problems_when_given_the_same_seed() {
        assertThat(ArithmeticProblems.generate(5, 30, 2, 4)).isEqualTo(ArithmeticProblems.generate(5, 30, 2, 4));
        assertThat(ArithmeticProblems.generate(5, 30, 2, 4)).isNotEqualTo(ArithmeticProblems.generate(6, 30, 2, 4));
    }

    @Test
    void should_generate_the_problems_sequential_generation_gave_when_generating_many_in_parallel() {
        List<Task> many = ArithmeticProblems.generate(7, 100_000, 2, 4);
        // the hash of the 100,000 problems the one-thread generator made (every field of every task)
        assertThat(many.hashCode()).isEqualTo(-230880775);
        assertThat(many.subList(0, 30)).isEqualTo(ArithmeticProblems.generate(7, 30, 2, 4));
        assertThat(many.get(99_999).id()).isEqualTo("arith-100000");
    }

    @Test
    void should_pad_ids_to_four_digits_as_before_when_numbering_tasks() {
        for (int i : new int[] {1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 100000}) {
            assertThat(ArithmeticProblems.id(i)).isEqualTo(String.format("arith-%04d", i));
        }
    }

    @Test
    void should_keep_steps_in_bounds_and_answers_consistent_when_generating() {
        List<Task> tasks = ArithmeticProblems.generate(11, 200, 2, 5);
        assertThat(tasks).extracting(Task::id).startsWith("arith-0001", "arith-0002").doesNotHaveDuplicates();
        assertThat(tasks).extracting(Task::question).doesNotHaveDuplicates();
        MathEnvironment env = MathEnvironment.arithmetic(11, 200, 2, 5);
        for (Task task : tasks) {
            assertThat(task.referenceSteps()).hasSizeBetween(2, 5);
            String last = task.referenceSteps().get(task.referenceSteps().size() - 1);
            assertThat(last).endsWith("= " + task.referenceAnswer() + ".");
            assertThat(Integer.parseInt(task.referenceAnswer())).isPositive();
            for (String step : task.referenceSteps()) {
                Matcher m = CALC.matcher(step);
                while (m.find()) {
                    long a = Long.parseLong(m.group(1));
                    long b = Long.parseLong(m.group(3));
                    long c = Long.parseLong(m.group(4));
                    long expected = switch (m.group(2)) {
                        case "+" -> a + b;
                        case "-" -> a - b;
                        case "*" -> step.contains(" / 100 = ") && m.group(0).contains("/ 100") ? a * b / 100 : a * b;
                        default -> a / b;
                    };
                    assertThat(c).as(step).isEqualTo(expected);
                }
            }
            assertThat(env.verify(task, "The answer is " + task.referenceAnswer() + ".").correct()).isTrue();
            assertThat(env.verify(task, "The answer is " + (Integer.parseInt(task.referenceAnswer()) + 1) + ".")
                    .feedback()).contains("incorrect").doesNotContain(task.referenceAnswer() + ".");
        }
    }

    @Test
    void should_explain_how_to_answer_when_no_number_can_be_read() {
        Task task = ArithmeticProblems.generate(1, 1, 2, 2).get(0);
        Verdict v = MathEnvironment.arithmetic(1, 1, 2, 2).verify(task, "I am not sure.");
        assertThat(v.correct()).isFalse();
        assertThat(v.feedback()).contains("The answer is N.");
    }
}
