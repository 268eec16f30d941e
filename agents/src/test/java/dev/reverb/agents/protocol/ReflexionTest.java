package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.memory.Memory;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReflexionTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("solver", Role.SOLVER, "reflector", Role.REFLECTOR);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Wrong until trial {@code rightAt}; the reflector writes "REFLECTION-k" at trial k. */
    static ScriptedModel model(int rightAt) {
        return new ScriptedModel(r -> switch (r.context().phase()) {
            case REFLECT -> "REFLECTION-" + r.context().round();
            default -> r.context().round() >= rightAt ? "6 * 7 = 42\nThe answer is 42." : "The answer is " + (30 + r.context().round()) + ".";
        });
    }

    @Test
    void should_stop_at_the_first_correct_trial_when_the_solver_gets_it_right() {
        ScriptedModel model = model(1);
        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 5, true), episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("30", "42");
        assertThat(model.requests).extracting(q -> q.context().phase())
                .containsExactly(Phase.ANSWER, Phase.REFLECT, Phase.REVISE);
        assertThat(r.modelCalls()).isEqualTo(3);
        assertThat(r.promptTokens()).isEqualTo(30);
        assertThat(r.completionTokens()).isEqualTo(15);
    }

    @Test
    void should_carry_every_reflection_into_later_trials_when_reflections_are_on() {
        ScriptedModel model = model(3);
        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 4, true), episode(KIT, model, TEAM, Recall.EMPTY));

        List<String> prompts = model.prompts("solver");
        assertThat(prompts).hasSize(4);
        assertThat(prompts.get(0)).doesNotContain("REFLECTION").doesNotContain("reflections");
        assertThat(prompts.get(1)).contains("1. REFLECTION-0").doesNotContain("REFLECTION-1");
        assertThat(prompts.get(3)).contains("1. REFLECTION-0", "2. REFLECTION-1", "3. REFLECTION-2");
        assertThat(model.prompts("reflector").get(1)).contains("The answer is 31.").contains("incorrect")
                .contains("REFLECTION-0");
        assertThat(r.rounds()).hasSize(4);
        assertThat(r.verdict().correct()).isTrue();
    }

    @Test
    void should_stop_after_max_trials_when_always_wrong() {
        ScriptedModel model = model(99);
        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 3, true), episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.verdict().correct()).isFalse();
        assertThat(r.rounds()).hasSize(3).extracting(RoundOutcome::correct).containsOnly(false);
        assertThat(r.output()).isEqualTo("The answer is 32.");
        assertThat(model.prompts("reflector")).hasSize(2);
    }

    @Test
    void should_pass_feedback_instead_of_reflections_when_reflections_are_off() {
        ScriptedModel model = model(1);
        run(KIT, new Reflexion("reflexion", "solver", "reflector", 3, false), episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(model.prompts("reflector")).isEmpty();
        assertThat(model.prompts("solver").get(1)).contains("Your answer is incorrect.").doesNotContain("REFLECTION");
    }

    @Test
    void should_put_memory_items_in_the_prompt_and_record_their_ids_when_memory_is_given() {
        ScriptedModel model = model(1);
        MemoryItem insight = new MemoryItem("m-1", MemoryKind.CONCEPT, "global", "Multiply before adding.", Instant.now(), Map.of());
        MemoryItem solved = new MemoryItem("m-2", MemoryKind.EXPERIENTIAL, "team:t", "Task: 2 + 2\nOutcome: solved", Instant.now(), Map.of());
        MemoryItem privateNote = new MemoryItem("m-3", MemoryKind.REFLECTIVE, "agent:reflector", "Slow down.", Instant.now(), Map.of());
        Recall recall = new Recall(Memory.Limits.DEFAULT, List.of(solved), List.of(), List.of(privateNote), List.of(insight));
        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 2, true), episode(KIT, model, TEAM, recall));

        assertThat(model.prompts("solver").get(0)).contains("Insights from earlier tasks:\n1. Multiply before adding.")
                .contains("Similar tasks solved before:\nExample 1 (solved):\nTask: 2 + 2").doesNotContain("Slow down.");
        assertThat(model.prompts("reflector").get(0)).contains("Slow down.");
        assertThat(r.memoryUsed()).containsExactly("m-2", "m-1", "m-3");
        assertThat(r.messages()).extracting(EpisodeResult.Message::agent).containsExactly("solver", "reflector", "solver");
    }

    @Test
    void should_report_failure_when_the_model_keeps_failing() {
        ScriptedModel model = new ScriptedModel(r -> {
            throw new IllegalStateException("server down");
        });
        TestProbe<EpisodeOutcome> probe = KIT.createTestProbe();
        KIT.spawn(new Reflexion("reflexion", "solver", "reflector", 3, true).behavior(episode(KIT, model, TEAM, Recall.EMPTY), probe.getRef()));

        EpisodeOutcome outcome = probe.receiveMessage(Duration.ofSeconds(10));
        assertThat(outcome).isInstanceOf(EpisodeOutcome.Failed.class);
        assertThat(((EpisodeOutcome.Failed) outcome).reason()).contains("server down");
    }
}
