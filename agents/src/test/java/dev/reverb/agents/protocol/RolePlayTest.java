package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.memory.Recall;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RolePlayTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("boss", Role.INSTRUCTOR, "worker", Role.SOLVER);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** The worker is right from answer {@code rightAt}; the boss ends the task once it sees 42 (even before any answer). */
    static ScriptedModel model(int rightAt) {
        return new ScriptedModel(r -> {
            String prompt = r.messages().get(r.messages().size() - 1).content();
            if (r.context().phase() == Phase.INSTRUCT) {
                return r.context().round() == 0 || !prompt.contains("The answer is 42.")
                        ? "Instruction " + r.context().round() + ": multiply carefully. " + (r.context().round() == 0 ? "TASK_DONE?" : "")
                        : "Well done. TASK_DONE";
            }
            return r.context().round() >= rightAt ? "6 * 7 = 42\nThe answer is 42." : "The answer is " + (30 + r.context().round()) + ".";
        });
    }

    @Test
    void should_alternate_instructions_and_answers_until_the_instructor_says_done() {
        ScriptedModel model = model(2);
        EpisodeResult r = run(KIT, new RolePlay("rp", "boss", "worker", 5, null), episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("30", "31", "42");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(model.prompts("boss")).hasSize(4); // 3 instructions and the closing TASK_DONE
        assertThat(model.prompts("worker").get(0)).contains("Your instructor says:\nInstruction 0: multiply carefully.")
                .doesNotContain("Your previous answer");
        assertThat(model.prompts("worker").get(1)).contains("Your previous answer:\nThe answer is 30.");
        assertThat(model.prompts("boss").get(2)).contains("worker: The answer is 31.").contains("boss: Instruction 1");
    }

    @Test
    void should_stop_at_the_turn_limit_when_the_instructor_never_ends_it() {
        ScriptedModel model = model(99);
        EpisodeResult r = run(KIT, new RolePlay("rp", "boss", "worker", 3, null), episode(KIT, model, TEAM, Recall.EMPTY));
        assertThat(r.rounds()).hasSize(3);
        assertThat(r.verdict().correct()).isFalse();
        assertThatThrownBy(() -> new RolePlay("rp", "a", "a", 2, null)).hasMessageContaining("different agents");
    }
}
