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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CritiqueReviseTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("writer", Role.SOLVER, "strict", Role.CRITIC, "lenient", Role.CRITIC);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** The writer is right from round {@code rightAt}; critics approve exactly the right answer ("lenient" always does). */
    static ScriptedModel model(int rightAt) {
        return new ScriptedModel(r -> {
            if (r.context().phase() == Phase.CRITIQUE) {
                boolean right = r.messages().get(r.messages().size() - 1).content().contains("The answer is 42.");
                return r.context().agent().equals("lenient") || right ? "Fine.\nVERDICT: correct"
                        : "Step 2 is wrong.\nVERDICT: incorrect";
            }
            return r.context().round() >= rightAt ? "6 * 7 = 42\nThe answer is 42." : "The answer is " + (30 + r.context().round()) + ".";
        });
    }

    static final CritiqueRevise PROTOCOL = new CritiqueRevise("cr", "writer", List.of("strict", "lenient"),
            Map.of("strict", "Check every multiplication."), 4);

    @Test
    void should_revise_until_every_critic_approves_and_show_the_writer_every_critique() {
        ScriptedModel model = model(2);
        EpisodeResult r = run(KIT, PROTOCOL, episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("30", "31", "42");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(model.prompts("strict")).hasSize(3).allSatisfy(p -> assertThat(p).contains("Check every multiplication."));
        assertThat(model.prompts("lenient")).hasSize(3).allSatisfy(p -> assertThat(p).doesNotContain("rubric"));
        assertThat(model.prompts("writer").get(1)).contains("Reviewer strict:\nStep 2 is wrong.")
                .contains("Reviewer lenient:\nFine.");
        assertThat(r.modelCalls()).isEqualTo(9);
    }

    @Test
    void should_stop_at_the_round_limit_without_a_last_critique() {
        ScriptedModel model = model(99);
        EpisodeResult r = run(KIT, PROTOCOL, episode(KIT, model, TEAM, Recall.EMPTY));
        assertThat(r.rounds()).hasSize(4);
        assertThat(r.verdict().correct()).isFalse();
        assertThat(model.prompts("strict")).hasSize(3);
    }

    @Test
    void should_read_the_last_verdict_of_a_critique_and_treat_none_as_disapproval() {
        assertThat(CritiqueRevise.approves("VERDICT: incorrect ... on reflection, VERDICT: correct")).isTrue();
        assertThat(CritiqueRevise.approves("**Verdict:** Incorrect")).isFalse();
        assertThat(CritiqueRevise.approves("Looks good to me.")).isNull();
        assertThatThrownBy(() -> new CritiqueRevise("cr", "w", List.of("w"), Map.of(), 2))
                .hasMessageContaining("cannot also be one of its critics");
    }
}
