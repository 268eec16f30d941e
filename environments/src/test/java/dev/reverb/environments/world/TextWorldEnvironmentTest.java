package dev.reverb.environments.world;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextWorldEnvironmentTest {

    private final TextWorldEnvironment env = TextWorldEnvironment.generate(5, 40, Difficulty.MEDIUM);

    private Task taskWithGoal(String prefix) {
        return env.tasks().stream()
                .filter(t -> t.metadata().get("goal").startsWith(prefix) && !t.metadata().get("goal").contains(", and"))
                .findFirst().orElseThrow();
    }

    @Test
    void should_describe_goal_first_observation_and_grammar_when_making_tasks() {
        Task task = env.tasks().get(0);

        assertThat(env.type()).isEqualTo("textworld");
        assertThat(env.tasks()).hasSize(40).extracting(Task::id).startsWith("textworld-0001", "textworld-0002");
        assertThat(task.question()).contains("Your task is to: " + task.metadata().get("goal"))
                .contains("You are in the ").contains("go to <room>").contains("clean <object> with sink")
                .contains("You have " + task.metadata().get("budget") + " steps");
        assertThat(task.metadata()).containsEntry("difficulty", "MEDIUM").containsKeys("seed", "budget", "goal");
        assertThat(task.referenceSteps()).isNotEmpty();
        assertThat(env.session(task).observation()).isEqualTo(env.session(task).observation());
        assertThat(task.question()).contains(env.session(task).observation());
        assertThat(env.report().loaded()).isEqualTo(40);
    }

    @Test
    void should_accept_the_reference_plan_when_it_is_wrapped_in_thoughts_and_action_prefixes() {
        for (Task task : env.tasks()) {
            StringBuilder output = new StringBuilder();
            for (String step : task.referenceSteps()) {
                output.append("Thought: next I will ").append(step).append(".\nAction: ").append(step).append('\n')
                        .append("Observation: something happens\n");
            }

            Verdict verdict = env.verify(task, output.toString());

            assertThat(verdict.correct()).as(task.id()).isTrue();
            assertThat(verdict.reward()).isEqualTo(1.0);
            assertThat(verdict.extracted()).isEqualTo(task.referenceAnswer());
            assertThat(verdict.feedback()).startsWith("Goal reached in " + task.referenceSteps().size() + " of ");
        }
    }

    @Test
    void should_give_partial_reward_and_say_what_is_missing_when_the_last_step_is_left_out() {
        Task task = taskWithGoal("put a clean");
        List<String> steps = task.referenceSteps();
        String output = String.join("\n", steps.subList(0, steps.size() - 1));

        Verdict verdict = env.verify(task, output);

        String object = task.metadata().get("goal").split(" ")[3];
        assertThat(verdict.correct()).isFalse();
        assertThat(verdict.reward()).isEqualTo(0.5);
        assertThat(verdict.feedback()).contains("without reaching the goal")
                .contains("Still missing: you are holding the " + object + " but it is not ")
                .contains("Last observations:\n> ").contains("> " + steps.get(steps.size() - 2) + "\n");
    }

    @Test
    void should_report_invalid_actions_and_running_out_of_steps_when_the_output_dawdles() {
        Task task = env.tasks().get(1);
        int budget = Integer.parseInt(task.metadata().get("budget"));
        String output = String.join("\n", Collections.nCopies(budget + 5, "fly away"));

        Verdict verdict = env.verify(task, output);

        assertThat(verdict.correct()).isFalse();
        assertThat(verdict.reward()).isZero();
        assertThat(verdict.extracted()).isEmpty();
        assertThat(verdict.feedback()).startsWith("No actions found");

        Verdict looking = env.verify(task, String.join("\n", Collections.nCopies(budget + 5, "look")));
        assertThat(looking.feedback()).startsWith("You ran out of steps (budget " + budget + ").")
                .contains("Still missing: ");
        Verdict invalid = env.verify(task, "open the moon\nlook");
        assertThat(invalid.feedback()).contains("1 of your actions were invalid")
                .contains("> open moon\nYou don't see a moon here.");
    }

    @Test
    void should_extract_normalised_actions_when_reading_free_text() {
        String output = """
                Thought: I think I should find the mug first.
                Action: Take the dirty mug from the Cabinet.
                Observation: You take the mug.
                2. go to the lab
                > open fridge
                I am done.
                i
                """;

        assertThat(env.extractAnswer(output)).contains("take dirty mug from cabinet\ngo to lab\nopen fridge\ni");
        assertThat(env.extractAnswer("The answer is 42.")).isEmpty();
        assertThat(TextWorldEnvironment.actions(null)).isEmpty();
    }

    @Test
    void should_let_a_protocol_play_step_by_step_when_opening_a_session() {
        Task task = env.tasks().get(2);
        WorldSession session = env.session(task);
        List<StepResult> results = new ArrayList<>();

        for (String step : task.referenceSteps()) {
            results.add(session.act(step));
        }

        assertThat(results).allMatch(StepResult::valid);
        assertThat(results.get(results.size() - 1).done()).isTrue();
        assertThat(session.stepsLeft()).isEqualTo(Integer.parseInt(task.metadata().get("budget"))
                - task.referenceSteps().size());
    }
}
