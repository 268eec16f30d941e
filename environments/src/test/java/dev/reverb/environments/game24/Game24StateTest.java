package dev.reverb.environments.game24;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.environments.game24.Game24State.Step;
import dev.reverb.environments.game24.Game24State.StepCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Game24StateTest {

    private static Game24State after(Game24State state, String... steps) {
        Game24State s = state;
        for (String step : steps) {
            StepCheck check = Game24State.parseStep(s, step);
            assertThat(check.error()).as(step).isNull();
            s = s.apply(check.step());
        }
        return s;
    }

    @Test
    void should_list_each_distinct_step_when_expanding_the_start() {
        Game24State start = Game24State.start(List.of(4, 6, 1, 1));

        List<String> texts = start.expansions().stream().map(Step::text).toList();

        assertThat(start.numbersText()).isEqualTo("1 1 4 6");
        assertThat(texts).doesNotHaveDuplicates()
                .contains("4 * 6 = 24 (left: 1 1 24)", "6 - 4 = 2 (left: 1 1 2)", "4 - 6 = -2 (left: -2 1 1)",
                        "4 / 6 = 2/3 (left: 2/3 1 1)", "6 / 4 = 3/2 (left: 1 1 3/2)", "1 + 1 = 2 (left: 2 4 6)",
                        "1 - 1 = 0 (left: 0 4 6)", "1 / 1 = 1 (left: 1 4 6)");
        // (1, 1): + - * / read the same both ways, 4 steps; (1, 4) and (1, 6) twice each but the same steps,
        // 6 each; (4, 6): 6
        assertThat(texts).hasSize(4 + 6 + 6 + 6);
    }

    @Test
    void should_skip_division_by_zero_when_a_zero_is_left() {
        Game24State state = after(Game24State.start(List.of(1, 1, 4, 6)), "1 - 1 = 0");

        assertThat(state.numbersText()).isEqualTo("0 4 6");
        assertThat(state.expansions()).extracting(Step::equation)
                .contains("0 / 4 = 0", "0 - 4 = -4", "0 * 6 = 0")
                .noneMatch(e -> e.contains("/ 0 "));
    }

    @Test
    void should_be_solved_only_when_24_alone_is_left_after_applying_steps() {
        Game24State start = Game24State.start(List.of(4, 6, 1, 1));
        Game24State s1 = start.apply(start.expansions().stream()
                .filter(s -> s.equation().equals("4 * 6 = 24")).findFirst().orElseThrow());
        Game24State s2 = after(s1, "1 * 1 = 1");
        Game24State s3 = after(s2, "24 * 1 = 24 (left: 24)");

        assertThat(s1.numbersText()).isEqualTo("1 1 24");
        assertThat(s1.isSolved()).isFalse();
        assertThat(s2.isFinished()).isFalse();
        assertThat(s3.isSolved()).isTrue();
        assertThat(s3.isFinished()).isTrue();
        assertThat(s3.expansions()).isEmpty();
        assertThat(s3.steps()).extracting(Step::equation).containsExactly("4 * 6 = 24", "1 * 1 = 1", "24 * 1 = 24");
        assertThat(s3.expression()).contains("4 * 6 * 1 * 1");
        assertThat(start.steps()).isEmpty();

        Game24State wrong = after(start, "4 + 6 = 10", "10 + 1 = 11", "11 + 1 = 12");
        assertThat(wrong.isFinished()).isTrue();
        assertThat(wrong.isSolved()).isFalse();
    }

    @Test
    void should_reject_a_step_that_does_not_fit_when_applying_it() {
        Game24State start = Game24State.start(List.of(4, 6, 1, 1));
        Step foreign = Game24State.parseStep(Game24State.start(List.of(8, 3, 1, 1)), "3 * 8 = 24").step();

        assertThatThrownBy(() -> start.apply(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not left");
        assertThatThrownBy(() -> new Step(Fraction.of(4), Operator.TIMES, Fraction.of(6), Fraction.of(25), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_reach_24_with_exact_fractions_when_solving_3_3_8_8_step_by_step() {
        Game24State state = after(Game24State.start(List.of(3, 3, 8, 8)),
                "Step 1: 8 / 3 = 8/3 (left: 3 8/3 8)", "3 − 8/3 = 1/3", "8 ÷ 1/3 = 24");

        assertThat(state.isSolved()).isTrue();
        assertThat(state.expression()).contains("8 / (3 - 8 / 3)");
        assertThat(Game24Verifier.verify(List.of(3, 3, 8, 8), "Answer: " + state.expression().get()).correct()).isTrue();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', textBlock = """
            4 6 1 1 | 4 * 6 = 24                      | 4 * 6 = 24 (left: 1 1 24)
            4 6 1 1 | 4*6=24                          | 4 * 6 = 24 (left: 1 1 24)
            4 6 1 1 | 4 × 6 = 24 (left: 1 1 24)       | 4 * 6 = 24 (left: 1 1 24)
            4 6 1 1 | Step 1: 4 x 6 = 24              | 4 * 6 = 24 (left: 1 1 24)
            4 6 1 1 | 2. 6 - 4 = 2 (left: 1, 1, 2)    | 6 - 4 = 2 (left: 1 1 2)
            4 6 1 1 | - 1 - 1 = 0                     | 1 - 1 = 0 (left: 0 4 6)
            4 6 1 1 | 4 / 6 = 2/3                     | 4 / 6 = 2/3 (left: 2/3 1 1)
            4 6 1 1 | 4 / 6 = 0.67                    | 4 / 6 = 2/3 (left: 2/3 1 1)
            4 6 1 1 | 4 / 6 = 0.666                   | 4 / 6 = 2/3 (left: 2/3 1 1)
            4 6 1 1 | 4 - 6 = -2                      | 4 - 6 = -2 (left: -2 1 1)
            3 3 8 8 | 8 / 3 = 2.67 (left: 2.67 3 8)   | 8 / 3 = 8/3 (left: 8/3 3 8)
            """)
    void should_accept_a_correct_step_when_the_model_writes_it_loosely(String numbers, String proposal, String expected) {
        Game24State state = Game24State.start(java.util.Arrays.stream(numbers.split(" ")).map(Integer::valueOf).toList());

        StepCheck check = Game24State.parseStep(state, proposal);

        assertThat(check.error()).isNull();
        assertThat(check.valid()).isTrue();
        assertThat(check.step().text()).isEqualTo(expected);
        assertThat(state.apply(check.step()).steps()).containsExactly(check.step());
    }

    @Test
    void should_read_fractions_and_decimals_as_operands_when_they_are_left() {
        Game24State state = after(Game24State.start(List.of(3, 3, 8, 8)), "8 / 3 = 8/3");

        assertThat(Game24State.parseStep(state, "3 - 8/3 = 1/3").step().text()).isEqualTo("3 - 8/3 = 1/3 (left: 1/3 8)");
        assertThat(Game24State.parseStep(state, "3 * 8/3 = 8").step().text()).isEqualTo("3 * 8/3 = 8 (left: 8 8)");
        assertThat(Game24State.parseStep(state, "3 - (8/3) = 0.33").step().result()).isEqualTo(Fraction.of(1, 3));
        assertThat(Game24State.parseStep(state, "2.67 * 3 = 8").step().left()).isEqualTo(Fraction.of(8, 3));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            4 * 6 = 25                      | 4 * 6 is 24, not 25
            4 * 5 = 20                      | 5 is not among the numbers left (numbers left: 1 1 4 6)
            5 * 4 = 20                      | 5 is not among the numbers left
            4 * 4 = 16                      | uses 4 twice but only one 4 is left
            1 - 1 = 0 (left: 4 6)           | after 1 - 1 = 0 the numbers left are 0 4 6, not 4 6
            4 * 6 = 24 (left: 24)           | the numbers left are 1 1 24, not 24
            4 * 6 = 24 (left: a b)          | could not read the numbers left 'a b'
            4 * 6 * 1 = 24                  | is not one operation on two numbers
            4 * 6                           | could not read '4 * 6' as a step
            4 * 6 = 24 = 24                 | could not read
            4 * 6 = twenty-four             | could not read
            4 * 6 = 20 + 4                  | is not a single number
            I multiply four and six         | could not read
            ''                              | the step is empty
            """)
    void should_reject_a_proposal_with_a_reason_when_it_is_wrong(String proposal, String reason) {
        StepCheck check = Game24State.parseStep(Game24State.start(List.of(4, 6, 1, 1)), proposal);

        assertThat(check.valid()).isFalse();
        assertThat(check.step()).isNull();
        assertThat(check.error()).contains(reason);
    }

    @Test
    void should_reject_division_by_zero_and_steps_after_the_end_when_proposed() {
        Game24State zero = after(Game24State.start(List.of(4, 6, 1, 1)), "1 - 1 = 0");
        assertThat(Game24State.parseStep(zero, "4 / 0 = 0").error()).contains("divides by zero");

        Game24State done = after(Game24State.start(List.of(4, 6, 1, 1)), "4 * 6 = 24", "1 * 1 = 1", "24 * 1 = 24");
        assertThat(Game24State.parseStep(done, "24 + 0 = 24").error()).contains("no step is possible");
        assertThat(Game24State.parseStep(done, null).valid()).isFalse();
    }

    @Test
    void should_tell_solvable_from_unsolvable_when_searching_exhaustively() {
        assertThat(Game24State.solvable(List.of(4, 6, 1, 1))).isTrue();
        assertThat(Game24State.solvable(List.of(3, 3, 8, 8))).isTrue();
        assertThat(Game24State.solvable(List.of(1, 5, 5, 5))).isTrue();
        assertThat(Game24State.solvable(List.of(1, 1, 1, 1))).isFalse();
        assertThat(Game24State.solvable(List.of(1, 1, 1, 2))).isFalse();
        assertThat(Game24State.solve(List.of(3, 3, 8, 8)).flatMap(Game24State::expression)).contains("8 / (3 - 8 / 3)");
    }
}
