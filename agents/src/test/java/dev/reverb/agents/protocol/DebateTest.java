package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DebateTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("a", Role.DEBATER, "b", Role.DEBATER, "c", Role.DEBATER,
            "judge", Role.JUDGE);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Debater answers as a function of (agent, round); the judge says 42. */
    static ScriptedModel model(BiFunction<String, Integer, String> answer) {
        return new ScriptedModel(r -> r.context().phase() == Phase.JUDGE ? "I side with 42.\nThe answer is 42."
                : "Reasoning of " + r.context().agent() + " in round " + r.context().round() + ".\nThe answer is "
                + answer.apply(r.context().agent(), r.context().round()) + ".");
    }

    @Test
    void should_run_every_round_and_show_each_debater_the_others_previous_answers() {
        ScriptedModel model = model((agent, round) -> "42");
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b", "c"), 2, Debate.TieBreak.FIRST, null),
                episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.rounds()).hasSize(3).extracting(RoundOutcome::round).containsExactly(0, 1, 2);
        assertThat(model.requests).hasSize(9);
        List<String> bPrompts = model.prompts("b");
        assertThat(bPrompts.get(0)).doesNotContain("Reasoning of");
        assertThat(bPrompts.get(1)).contains("Agent a:\nReasoning of a in round 0.", "Agent c:\nReasoning of c in round 0.")
                .contains("Your previous answer:\nReasoning of b in round 0.").doesNotContain("Agent b:");
        assertThat(bPrompts.get(2)).contains("Reasoning of a in round 1.").doesNotContain("in round 0.\nThe");
        assertThat(model.requests).filteredOn(q -> q.context().round() > 0)
                .allSatisfy(q -> assertThat(q.context().phase()).isEqualTo(Phase.REVISE));
        assertThat(r.modelCalls()).isEqualTo(9);
    }

    @Test
    void should_record_the_majority_after_every_round_when_minds_change() {
        // round 0: a=42, b=7, c=7 -> 7 wins; round 1: everyone converges on 42
        ScriptedModel model = model((agent, round) -> round == 0 && !agent.equals("a") ? "7" : "42");
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b", "c"), 1, Debate.TieBreak.FIRST, null),
                episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("7", "42");
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.output()).contains("Reasoning of a in round 1.");
    }

    @Test
    void should_give_a_tie_to_the_earliest_debater_when_tie_break_is_first() {
        ScriptedModel model = model((agent, round) -> agent.equals("a") ? "5" : "42");
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b"), 0, Debate.TieBreak.FIRST, null),
                episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("5");
        assertThat(r.verdict().correct()).isFalse();
        assertThat(r.output()).contains("Reasoning of a");
    }

    @Test
    void should_ask_the_judge_when_the_final_vote_ties_and_tie_break_is_judge() {
        ScriptedModel model = model((agent, round) -> agent.equals("a") ? "5" : "42");
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b"), 1, Debate.TieBreak.JUDGE, "judge"),
                episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(model.prompts("judge")).hasSize(1);
        assertThat(model.prompts("judge").get(0)).contains("Agent a:\nReasoning of a in round 1.", "Agent b:");
        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("5", "42");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.output()).startsWith("I side with 42.");
        assertThat(r.modelCalls()).isEqualTo(5);
    }

    @Test
    void should_not_count_unreadable_answers_when_voting() {
        assertThat(Vote.majority(List.of("", "3", "", "4", "4"))).isEqualTo(new Vote("4", false));
        assertThat(Vote.majority(List.of("3", "4"))).isEqualTo(new Vote("3", true));
        assertThat(Vote.majority(List.of("", ""))).isEqualTo(new Vote("", false));
        assertThat(Vote.majority(List.of("5", "6", "6", "5", "7"))).isEqualTo(new Vote("5", true));
        assertThat(Vote.majority(List.of("5", "6", "7", "7"))).isEqualTo(new Vote("7", false));
        assertThat(Vote.majority(List.of("5", "6", "6", "7", "7", "6"))).isEqualTo(new Vote("6", false));
    }

    @Test
    void should_give_the_weighted_vote_to_the_heaviest_answer_and_a_tie_to_the_first_when_weighing() {
        Map<String, Double> weights = new java.util.LinkedHashMap<>();
        weights.put("3", 0.5);
        weights.put("4", 0.9);
        assertThat(Vote.weighted(weights)).isEqualTo(new Vote("4", false));
        weights.put("3", 0.9);
        assertThat(Vote.weighted(weights)).isEqualTo(new Vote("3", true));
        assertThat(Vote.weighted(Map.of())).isEqualTo(new Vote("", false));
    }

    @Test
    void should_show_each_debater_only_its_neighbours_when_the_topology_is_a_ring_or_a_star() {
        List<String> four = List.of("a", "b", "c", "d");
        Map<String, Role> team = Map.of("a", Role.DEBATER, "b", Role.DEBATER, "c", Role.DEBATER, "d", Role.DEBATER);
        ScriptedModel ring = model((agent, round) -> "42");
        run(KIT, new Debate("ring", four, 1, Debate.TieBreak.FIRST, null, Debate.ring(four), Debate.Aggregate.MAJORITY),
                episode(KIT, ring, team, Recall.EMPTY));
        assertThat(ring.prompts("a").get(1)).contains("Agent b:", "Agent d:").doesNotContain("Agent c:");
        assertThat(ring.prompts("c").get(1)).contains("Agent b:", "Agent d:").doesNotContain("Agent a:");

        ScriptedModel star = model((agent, round) -> "42");
        run(KIT, new Debate("star", four, 1, Debate.TieBreak.FIRST, null, Debate.star(four), Debate.Aggregate.MAJORITY),
                episode(KIT, star, team, Recall.EMPTY));
        assertThat(star.prompts("a").get(1)).contains("Agent b:", "Agent c:", "Agent d:");
        assertThat(star.prompts("c").get(1)).contains("Agent a:").doesNotContain("Agent b:", "Agent d:");
    }

    @Test
    void should_follow_an_explicit_adjacency_list_and_refuse_one_that_names_strangers() {
        ScriptedModel model = model((agent, round) -> "42");
        Map<String, List<String>> adjacency = Map.of("a", List.of("c"), "b", List.of(), "c", List.of("a", "b"));
        run(KIT, new Debate("graph", List.of("a", "b", "c"), 1, Debate.TieBreak.FIRST, null, adjacency,
                Debate.Aggregate.MAJORITY), episode(KIT, model, TEAM, Recall.EMPTY));
        assertThat(model.prompts("a").get(1)).contains("Agent c:").doesNotContain("Agent b:");
        assertThat(model.prompts("b").get(1)).doesNotContain("Agent ");
        assertThat(model.prompts("c").get(1)).contains("Agent a:", "Agent b:");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Debate("bad", List.of("a", "b"), 1,
                Debate.TieBreak.FIRST, null, Map.of("a", List.of("zed")), Debate.Aggregate.MAJORITY))
                .hasMessageContaining("cannot listen to 'zed'");
    }

    @Test
    void should_let_the_judge_decide_after_the_last_round_even_without_a_tie_when_aggregate_is_judge() {
        ScriptedModel model = model((agent, round) -> "7"); // a unanimous wrong vote; the judge says 42
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b", "c"), 1, Debate.TieBreak.FIRST, "judge",
                Debate.full(List.of("a", "b", "c")), Debate.Aggregate.JUDGE), episode(KIT, model, TEAM, Recall.EMPTY));
        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("7", "42");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(model.prompts("judge")).hasSize(1);
    }

    @Test
    void should_weigh_each_final_answer_by_its_prm_score_when_aggregate_is_prm() {
        // a says 42 with a sound derivation; b and c say 7; the PRM trusts 42's steps (0.9) over 7's (0.2)
        ScriptedModel model = new ScriptedModel((r, i) -> "Reasoning of " + r.context().agent() + ".\nThe answer is "
                + (r.context().agent().equals("a") ? "42" : "7") + ".",
                q -> q.steps().stream().map(step -> step.contains("7.") ? 0.2 : 0.9).toList());
        Map<String, Role> team = Map.of("a", Role.DEBATER, "b", Role.DEBATER, "c", Role.DEBATER, "scorer", Role.JUDGE);
        EpisodeResult r = run(KIT, new Debate("debate", List.of("a", "b", "c"), 1, Debate.TieBreak.FIRST, null,
                Debate.full(List.of("a", "b", "c")), Debate.Aggregate.PRM, "scorer"), episode(KIT, model, team, Recall.EMPTY));

        assertThat(r.rounds()).extracting(RoundOutcome::answer).containsExactly("7", "42");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(model.scoreRequests).hasSize(3);
    }

    @Test
    void should_keep_the_first_rounds_outcomes_when_the_debate_fails_in_round_two() {
        ScriptedModel model = new ScriptedModel(r -> {
            if (r.context().round() == 1 && r.context().agent().equals("b")) {
                throw new IllegalStateException("server down in round 2");
            }
            return "Reasoning of " + r.context().agent() + ".\nThe answer is 42.";
        });
        TestProbe<EpisodeOutcome> probe = KIT.createTestProbe();
        KIT.spawn(new Debate("debate", List.of("a", "b", "c"), 2, Debate.TieBreak.FIRST, null)
                .behavior(episode(KIT, model, TEAM, Recall.EMPTY), probe.getRef()));

        EpisodeOutcome outcome = probe.receiveMessage(Duration.ofSeconds(10));
        assertThat(outcome).isInstanceOfSatisfying(EpisodeOutcome.Failed.class, f -> {
            assertThat(f.reason()).contains("server down in round 2");
            assertThat(f.partial().rounds()).containsExactly(new RoundOutcome(0, "42", true));
            assertThat(f.partial().modelCalls()).isGreaterThanOrEqualTo(3);
            assertThat(f.partial().messages()).filteredOn(m -> m.round() == 0).hasSize(3);
        });
    }
}
