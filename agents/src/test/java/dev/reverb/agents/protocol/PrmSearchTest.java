package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.reverb.agents.Episode;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.memory.Recall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PrmSearchTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("policy", Role.SOLVER, "prm", Role.JUDGE, "critic", Role.CRITIC);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** The PRM: a step with "bad" scores 0.1, a step stating 7 scores 0.2, any other 0.9. */
    static List<Double> prm(ScoreRequest r) {
        return r.steps().stream().map(s -> s.contains("bad") ? 0.1 : s.contains("is 7") ? 0.2 : 0.9).toList();
    }

    static String prompt(GenerateRequest r) {
        return r.messages().get(r.messages().size() - 1).content();
    }

    @Test
    void should_pick_the_best_scored_of_n_samples_drawn_in_one_call() {
        ScriptedModel model = new ScriptedModel((r, i) -> i == 2 ? "Step 1: 6 * 7 = 42\nThe answer is 42."
                : "Step 1: bad guess " + i + "\nThe answer is 7.", PrmSearchTest::prm);
        PrmSearch search = new PrmSearch("bon", PrmSearch.Strategy.BEST_OF_N, "policy", "prm", 4, 1, 1, 1,
                StepScores.Aggregation.MIN, null, 0);
        EpisodeResult r = run(KIT, search, episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(model.requests).hasSize(1);
        assertThat(model.requests.get(0).n()).isEqualTo(4);
        assertThat(model.scoreRequests).hasSize(4).allSatisfy(q -> assertThat(q.steps()).hasSize(2));
        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.output()).isEqualTo("Step 1: 6 * 7 = 42\nThe answer is 42.");
        assertThat(r.rounds()).hasSize(1);
    }

    @Test
    void should_expand_every_kept_chain_and_prune_to_the_beam_width_at_each_step() {
        // Step 1: sample 0 is good, samples 1 and 2 are bad. Step 2: a good chain states 42, a bad one 7.
        ScriptedModel model = new ScriptedModel((r, i) -> {
            if (r.context().round() == 0) {
                return i == 0 ? "Step 1: multiply 6 by 7" : "Step 1: bad " + i + "\n(more text that is cut)";
            }
            return prompt(r).contains("Step 1: multiply") ? "Step 2: The answer is 42." : "Step 2: The answer is 7.";
        }, PrmSearchTest::prm);
        PrmSearch search = new PrmSearch("beam", PrmSearch.Strategy.BEAM, "policy", "prm", 1, 2, 3, 5,
                StepScores.Aggregation.MIN, null, 0);
        EpisodeResult r = run(KIT, search, episode(KIT, model, TEAM, Recall.EMPTY));

        // depth 0: one call (3 samples); depth 1: one call per kept chain (2 x 3 samples)
        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(3, 3, 3);
        assertThat(model.requests).allSatisfy(q -> assertThat(q.context().phase()).isEqualTo(Phase.STEP));
        assertThat(model.scoreRequests).hasSize(9);
        assertThat(model.scoreRequests.subList(0, 3)).allSatisfy(q -> assertThat(q.steps()).hasSize(1));
        assertThat(model.scoreRequests).anySatisfy(q -> assertThat(q.steps()).containsExactly("Step 1: bad 1")); // first line only
        assertThat(r.output()).isEqualTo("Step 1: multiply 6 by 7\nStep 2: The answer is 42.");
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
    }

    @Test
    void should_have_a_critic_explain_a_low_scored_step_and_show_the_critique_to_the_policy() {
        ScriptedModel model = new ScriptedModel((r, i) -> {
            if (r.context().phase() == Phase.CRITIQUE) {
                return "Step 1 multiplies the wrong numbers; recompute 6 * 7.";
            }
            if (r.context().round() == 0) {
                return "Step 1: bad product 6 * 8 = 48";
            }
            return prompt(r).contains("recompute 6 * 7") ? "Step 2: 6 * 7 = 42, so the answer is 42." : "Step 2: The answer is 48.";
        }, PrmSearchTest::prm);
        PrmSearch search = new PrmSearch("guided", PrmSearch.Strategy.BEAM, "policy", "prm", 1, 1, 1, 4,
                StepScores.Aggregation.LAST, "critic", 0.5);
        EpisodeResult r = run(KIT, search, episode(KIT, model, TEAM, Recall.EMPTY));

        List<String> critic = model.prompts("critic");
        assertThat(critic).singleElement().asString().contains("Step 1: bad product 6 * 8 = 48")
                .contains("scored the last step 0.10 (below 0.50)");
        assertThat(model.prompts("policy").get(1)).contains("recompute 6 * 7");
        assertThat(r.verdict().correct()).isTrue();
    }

    @Test
    void should_drop_illegal_steps_before_scoring_when_the_environment_checks_steps() {
        var game = dev.reverb.environments.game24.Game24Environment.of(List.of(List.of(4, 6, 1, 1)));
        ScriptedModel model = new ScriptedModel((r, i) -> {
            if (r.context().round() == 0) {
                return List.of("4 * 7 = 28", "4 * 6 = 24 (left: 1 1 24)", "1 + 1 = 3").get(i);
            }
            return "Answer: 4 * 6 * 1 * 1 = 24";
        }, q -> q.steps().stream().map(step -> 0.9).toList());
        Episode base = episode(KIT, model, TEAM, Recall.EMPTY);
        Episode episode = new Episode(base.id(), game.tasks().get(0), game, 1, base.agents(), Recall.EMPTY,
                ProtocolTestKit.TRACE::add, java.time.Duration.ofSeconds(5));
        PrmSearch search = new PrmSearch("beam", PrmSearch.Strategy.BEAM, "policy", "prm", 1, 2, 3, 4,
                StepScores.Aggregation.MIN, null, 0);
        EpisodeResult r = run(KIT, search, episode);

        assertThat(model.scoreRequests.stream().filter(q -> q.steps().size() == 1).toList()).singleElement()
                .satisfies(q -> assertThat(q.steps()).containsExactly("4 * 6 = 24 (left: 1 1 24)"));
        assertThat(ProtocolTestKit.TRACE).filteredOn(e -> e instanceof dev.reverb.agents.trace.TraceEvent.ProtocolEvent p
                && p.episodeId().equals(base.id()) && p.event().equals("illegal-step")).hasSize(2);
        assertThat(r.output()).isEqualTo("4 * 6 = 24 (left: 1 1 24)\nAnswer: 4 * 6 * 1 * 1 = 24");
        assertThat(r.verdict().correct()).isTrue();
    }
}
