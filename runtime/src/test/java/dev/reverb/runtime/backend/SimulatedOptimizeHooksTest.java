package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.environments.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stand-in's labelled hooks for {@code reverb optimize}: prompt cues and the simulated proposer. */
class SimulatedOptimizeHooksTest {

    private static final Task TASK = new Task("t1", "arithmetic", "Ann has 3 bags of 4 apples. How many apples?",
            "12", List.of("Ann has 3 bags of 4 apples: 3 * 4 = 12."), Map.of());

    private static double rightRate(SimulatedBackend backend, String system) {
        int right = 0;
        for (int i = 0; i < 1000; i++) {
            CallContext c = new CallContext("e" + i, TASK.id(), "solver", "solver", 0, Phase.ANSWER);
            String text = backend.generate(new GenerateRequest(List.of(ChatMessage.system(system),
                    ChatMessage.user("Problem: " + TASK.question())), Sampling.DEFAULT, 1, c))
                    .toCompletableFuture().join().text();
            right += text.endsWith("The answer is 12.") ? 1 : 0;
        }
        return right / 1000.0;
    }

    @Test
    void should_answer_with_the_cue_accuracy_when_the_prompt_contains_the_cue() {
        SimulatedBackend backend = new SimulatedBackend("p", 0.2, 0.0, 3, SimulatedBackend.lookup(List.of(TASK)))
                .withCues(Map.of("check each step", 0.9));

        assertThat(rightRate(backend, "Be careful.")).isBetween(0.15, 0.25);
        assertThat(rightRate(backend, "Be careful. Check each step.")).isBetween(0.85, 0.95);
        assertThat(backend.identity()).contains("prompt cues");
    }

    @Test
    void should_perturb_what_the_request_shows_when_proposing() {
        String prompt = SimulatedProposer.propose("Improve ... (prompt level).\nCurrent best design (x):\n"
                + "TEMPLATE solver\n[system]\nBe careful.\n[user]\n{{task}}\nEND\n", 0);
        String module = SimulatedProposer.propose("Choose ... (module level)\nLegal edits (from ...):\n"
                + "SET protocols.d.rounds=2\nSET protocols.d.rounds=3\n\nAnswer ...", 1);
        String unknown = SimulatedProposer.propose("Something else", 0);

        assertThat(prompt).contains("TEMPLATE solver\n[system]\nBe careful. " + SimulatedProposer.INSTRUCTIONS.get(0))
                .contains("[user]\n{{task}}\nEND");
        assertThat(module).isEqualTo("SET protocols.d.rounds=3\n");
        assertThat(unknown).contains("simulated optimizer");
    }
}
