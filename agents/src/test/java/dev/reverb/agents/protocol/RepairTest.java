package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.TRACE;
import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.reverb.agents.Episode;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.memory.Recall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Malformed model output: a reply with no readable answer gets a repair prompt, up to {@code repairs}, then a failed round. */
class RepairTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> REFLEXION_TEAM = Map.of("solver", Role.SOLVER, "reflector", Role.REFLECTOR);
    static final Map<String, Role> CRITIQUE_TEAM = Map.of("writer", Role.SOLVER, "critic", Role.CRITIC);
    static final String RAMBLE = "Let me think about six and seven together, carefully.";

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** The solver rambles (no number) except when it is shown the repair prompt and {@code obeys}. */
    static ScriptedModel model(boolean obeys) {
        return new ScriptedModel(r -> {
            String prompt = r.messages().get(r.messages().size() - 1).content();
            return switch (r.context().phase()) {
                case REFLECT -> "I never stated an answer.";
                case CRITIQUE -> "VERDICT: incorrect";
                default -> obeys && prompt.contains(Repairs.PROMPT) ? "The answer is 42." : RAMBLE;
            };
        });
    }

    static List<String> events(Episode episode, String name) {
        return TRACE.stream().filter(e -> e instanceof TraceEvent.ProtocolEvent p && p.episodeId().equals(episode.id())
                && p.event().equals(name)).map(e -> ((TraceEvent.ProtocolEvent) e).detail()).toList();
    }

    @Test
    void should_re_ask_the_solver_with_a_repair_prompt_when_no_answer_can_be_read() {
        ScriptedModel model = model(true);
        Episode episode = episode(KIT, model, REFLEXION_TEAM, Recall.EMPTY);

        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 3, true), episode);

        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("42");
        List<String> prompts = model.prompts("solver");
        assertThat(prompts).hasSize(2);
        assertThat(prompts.get(0)).doesNotContain(Repairs.PROMPT);
        assertThat(prompts.get(1)).contains(Repairs.PROMPT);
        assertThat(model.requests).extracting(q -> q.context().phase()).containsExactly(Phase.ANSWER, Phase.REVISE);
        assertThat(r.modelCalls()).isEqualTo(2);
        assertThat(events(episode, "repair")).containsExactly("no answer found; re-asking (1 of 1)");
        assertThat(events(episode, "verdict")).containsExactly("correct: 42");
    }

    @Test
    void should_record_failed_rounds_saying_no_answer_found_when_the_repairs_run_out() {
        ScriptedModel model = model(false);
        Episode episode = episode(KIT, model, REFLEXION_TEAM, Recall.EMPTY);

        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 2, true, 2), episode);

        assertThat(r.verdict().correct()).isFalse();
        assertThat(r.rounds()).hasSize(2).allSatisfy(o -> {
            assertThat(o.correct()).isFalse();
            assertThat(o.answer()).isEmpty();
        });
        assertThat(model.prompts("solver")).hasSize(6); // 2 trials x (1 attempt + 2 repairs)
        assertThat(model.prompts("reflector")).hasSize(1);
        assertThat(r.modelCalls()).isEqualTo(7);
        assertThat(events(episode, "repair")).hasSize(4).contains("no answer found; re-asking (2 of 2)");
        assertThat(events(episode, "verdict")).containsExactly(
                "incorrect: no answer found after 2 repair prompts", "incorrect: no answer found after 2 repair prompts");
    }

    @Test
    void should_not_re_ask_when_repairs_are_zero() {
        ScriptedModel model = model(true);
        Episode episode = episode(KIT, model, REFLEXION_TEAM, Recall.EMPTY);

        EpisodeResult r = run(KIT, new Reflexion("reflexion", "solver", "reflector", 1, true, 0), episode);

        assertThat(r.verdict().correct()).isFalse();
        assertThat(model.prompts("solver")).hasSize(1);
        assertThat(events(episode, "repair")).isEmpty();
        assertThat(events(episode, "verdict")).containsExactly("incorrect: no answer found");
    }

    @Test
    void should_repair_the_proposers_answer_in_critique_revise() {
        ScriptedModel model = model(true);
        Episode episode = episode(KIT, model, CRITIQUE_TEAM, Recall.EMPTY);

        EpisodeResult r = run(KIT, new CritiqueRevise("cr", "writer", List.of("critic"), Map.of(), 1), episode);

        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.output()).isEqualTo("The answer is 42.");
        assertThat(model.prompts("writer")).hasSize(2);
        assertThat(model.prompts("writer").get(1)).contains(Repairs.PROMPT).contains(RAMBLE);
        assertThat(events(episode, "repair")).containsExactly("no answer found; re-asking (1 of 1)");
    }

    @Test
    void should_finish_with_a_no_answer_round_in_critique_revise_when_the_proposer_never_answers() {
        ScriptedModel model = model(false);
        Episode episode = episode(KIT, model, CRITIQUE_TEAM, Recall.EMPTY);

        EpisodeResult r = run(KIT, new CritiqueRevise("cr", "writer", List.of("critic"), Map.of(), 2, 1), episode);

        assertThat(r.verdict().correct()).isFalse();
        assertThat(r.rounds()).hasSize(2).extracting(RoundOutcome::answer).containsOnly("");
        assertThat(model.prompts("writer")).hasSize(4);
        assertThat(model.prompts("critic")).hasSize(1);
        assertThat(events(episode, "verdict")).containsExactly(
                "incorrect: no answer found after 1 repair prompt", "incorrect: no answer found after 1 repair prompt");
    }

    @Test
    void should_offer_a_repairs_setting_from_0_to_5_defaulting_to_1() {
        for (ProtocolDescriptor d : List.of(Reflexion.DESCRIPTOR, CritiqueRevise.DESCRIPTOR)) {
            var key = d.settings().keys().get("repairs");
            assertThat(key).as(d.type()).isNotNull();
            assertThat(key.defaultValue()).isEqualTo(1L);
            assertThat(key.min().longValue()).isZero();
            assertThat(key.max().longValue()).isEqualTo(5);
        }
        assertThatThrownBy(() -> new Reflexion("r", "s", "f", 1, true, 6)).hasMessageContaining("from 0 to 5");
        assertThatThrownBy(() -> new CritiqueRevise("c", "w", List.of("c1"), Map.of(), 1, -1))
                .hasMessageContaining("from 0 to 5");
    }
}
