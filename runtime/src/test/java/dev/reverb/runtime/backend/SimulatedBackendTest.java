package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.environments.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedBackendTest {

    private static final Task TASK = new Task("t1", "arithmetic", "Ann has 3 bags of 4 apples. How many apples?",
            "12", List.of("Ann has 3 bags of 4 apples: 3 * 4 = 12."), Map.of());

    private static final java.util.function.Function<String, java.util.Optional<Task>> KNOWN =
            SimulatedBackend.lookup(List.of(TASK));

    private static Generation call(SimulatedBackend backend, String episode, String agent, int round, Phase phase) {
        CallContext c = new CallContext(episode, TASK.id(), agent, "solver", round, phase);
        return backend.generate(new GenerateRequest(List.of(ChatMessage.user("Problem: " + TASK.question())),
                Sampling.DEFAULT, 1, c)).toCompletableFuture().join();
    }

    private static boolean right(Generation g) {
        return g.text().endsWith("The answer is 12.");
    }

    @Test
    void should_mark_every_output_simulated_when_answering() {
        Generation g = call(new SimulatedBackend("policy", 0.5, 0.5, 1, KNOWN), "e1", "a", 0, Phase.ANSWER);
        assertThat(g.simulated()).isTrue();
        assertThat(g.model()).isEqualTo("simulated:policy");
        assertThat(g.promptTokens()).isPositive();
        assertThat(g.completionTokens()).isPositive();
    }

    @Test
    void should_answer_the_same_when_called_again_with_the_same_seed() {
        SimulatedBackend a = new SimulatedBackend("p", 0.5, 0.5, 7, KNOWN);
        SimulatedBackend b = new SimulatedBackend("p", 0.5, 0.5, 7, KNOWN);
        for (int i = 0; i < 50; i++) {
            assertThat(call(a, "e" + i, "x", 0, Phase.ANSWER).text())
                    .isEqualTo(call(b, "e" + i, "x", 0, Phase.ANSWER).text());
        }
    }

    @Test
    void should_be_right_about_as_often_as_its_accuracy_when_answering_first() {
        SimulatedBackend backend = new SimulatedBackend("p", 0.3, 0.0, 3, KNOWN);
        long right = 0;
        for (int i = 0; i < 2000; i++) {
            right += right(call(backend, "e" + i, "x", 0, Phase.ANSWER)) ? 1 : 0;
        }
        assertThat(right / 2000.0).isBetween(0.26, 0.34);
    }

    @Test
    void should_fix_wrong_answers_at_the_fix_rate_and_keep_right_ones_when_revising() {
        SimulatedBackend backend = new SimulatedBackend("p", 0.5, 0.6, 5, KNOWN);
        int wrongFirst = 0;
        int fixed = 0;
        for (int i = 0; i < 2000; i++) {
            boolean first = right(call(backend, "e" + i, "x", 0, Phase.ANSWER));
            boolean second = right(call(backend, "e" + i, "x", 1, Phase.REVISE));
            if (first) {
                assertThat(second).as("a right answer stays right").isTrue();
            } else {
                wrongFirst++;
                fixed += second ? 1 : 0;
            }
        }
        assertThat((double) fixed / wrongFirst).isBetween(0.55, 0.65);
    }

    @Test
    void should_give_a_different_wrong_number_and_a_slip_when_wrong() {
        SimulatedBackend backend = new SimulatedBackend("p", 0.0, 0.0, 9, KNOWN);
        Generation g = call(backend, "e1", "x", 0, Phase.ANSWER);
        assertThat(g.text()).doesNotEndWith("The answer is 12.").contains("roughly").matches("(?s).*The answer is -?\\d+\\.$");
    }

    @Test
    void should_not_reveal_the_answer_when_reflecting() {
        Generation g = call(new SimulatedBackend("p", 0.0, 0.0, 9, KNOWN), "e1", "x", 0, Phase.REFLECT);
        assertThat(g.text()).contains("step 1").doesNotContain("12");
    }

    @Test
    void should_score_reference_steps_high_and_slips_low_when_scoring() {
        CallContext c = new CallContext("e1", TASK.id(), "prm", "judge", 0, Phase.SCORE);
        var scores = new SimulatedBackend("p", 0.5, 0.5, 1, KNOWN).score(new dev.reverb.agents.model.ScoreRequest(
                TASK.question(), List.of("Step 1: Ann has 3 bags of 4 apples: 3 * 4 = 12.", "Step 2: so 13."), c))
                .toCompletableFuture().join();
        assertThat(scores.scores()).containsExactly(0.9, 0.2);
        assertThat(scores.model()).startsWith("simulated:");
    }

    @Test
    void should_answer_like_a_model_that_does_not_know_when_the_task_id_is_unknown() {
        SimulatedBackend backend = new SimulatedBackend("p", 1.0, 1.0, 1, KNOWN);
        for (Phase phase : List.of(Phase.ANSWER, Phase.REVISE, Phase.STEP, Phase.CRITIQUE, Phase.REFLECT, Phase.JUDGE)) {
            CallContext c = new CallContext("e1", "not-a-run-task", "a", "solver", 1, phase);
            Generation g = backend.generate(new GenerateRequest(List.of(ChatMessage.user("What is 3 * 4?")),
                    Sampling.DEFAULT, 2, c)).toCompletableFuture().join();
            assertThat(g.simulated()).isTrue();
            assertThat(g.texts()).as(phase.name()).hasSize(2).allSatisfy(text -> assertThat(text)
                    .contains("simulated model").contains("not-a-run-task").doesNotContain("12"));
        }
        var scores = backend.score(new dev.reverb.agents.model.ScoreRequest("What is 3 * 4?", List.of("3 * 4 = 12"),
                new CallContext("e1", "not-a-run-task", "prm", "judge", 0, Phase.SCORE))).toCompletableFuture().join();
        assertThat(scores.scores()).containsExactly(0.5);
    }

    @Test
    void should_answer_from_the_looked_up_task_when_the_id_is_a_run_task() {
        SimulatedBackend knows = new SimulatedBackend("p", 1.0, 1.0, 1, KNOWN);
        SimulatedBackend knowsNothing = new SimulatedBackend("p", 1.0, 1.0, 1, id -> java.util.Optional.empty());

        assertThat(call(knows, "e1", "a", 0, Phase.ANSWER).text()).endsWith("The answer is 12.");
        assertThat(call(knowsNothing, "e1", "a", 0, Phase.ANSWER).text()).doesNotContain("12");
    }

    @Test
    void should_write_a_wrong_whole_answer_as_through_big_decimal_when_the_reference_is_a_plain_whole_number() {
        for (String reference : List.of("0", "7", "-7", "+7", "007", "-0", "40", "100", "99999999999999999", "1.5",
                "1e3", "", "-", "3/4", "123456789012345678")) {
            long whole = SimulatedBackend.plainWhole(reference);
            for (int delta = -9; delta <= 9; delta++) {
                if (whole != Long.MIN_VALUE) {
                    assertThat(Long.toString(whole + delta)).as(reference + " " + delta).isEqualTo(
                            new java.math.BigDecimal(reference).add(java.math.BigDecimal.valueOf(delta))
                                    .stripTrailingZeros().toPlainString());
                }
            }
        }
        assertThat(SimulatedBackend.plainWhole("1.5")).isEqualTo(Long.MIN_VALUE);
        assertThat(SimulatedBackend.plainWhole("123456789012345678")).isEqualTo(Long.MIN_VALUE);
        assertThat(SimulatedBackend.plainWhole("-")).isEqualTo(Long.MIN_VALUE);
    }
}
