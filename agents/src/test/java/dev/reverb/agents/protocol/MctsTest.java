package dev.reverb.agents.protocol;

import static dev.reverb.agents.protocol.ProtocolTestKit.episode;
import static dev.reverb.agents.protocol.ProtocolTestKit.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.reverb.agents.Episode;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.memory.Recall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class MctsTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Map<String, Role> TEAM = Map.of("policy", Role.SOLVER, "prm", Role.JUDGE);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    // ---- the pure tree ------------------------------------------------------------------------

    @Test
    void should_select_unvisited_children_first_in_order_when_some_are_unvisited() {
        MctsTree tree = new MctsTree();
        int a = tree.add(MctsTree.ROOT, false);
        int b = tree.add(MctsTree.ROOT, false);
        int c = tree.add(MctsTree.ROOT, false);

        assertThat(tree.select(MctsTree.ROOT, 1.0)).isEqualTo(a);
        tree.backup(a, 1.0);
        assertThat(tree.select(MctsTree.ROOT, 1.0)).isEqualTo(b);
        tree.backup(b, 0.0);
        assertThat(tree.select(MctsTree.ROOT, 1.0)).isEqualTo(c);
        assertThat(tree.uct(c, 1.0)).isInfinite();
    }

    @Test
    void should_select_by_q_plus_c_sqrt_ln_n_parent_over_n_child_when_every_child_is_visited() {
        MctsTree tree = new MctsTree();
        int a = tree.add(MctsTree.ROOT, false);
        int b = tree.add(MctsTree.ROOT, false);
        tree.backup(a, 0.9);
        tree.backup(a, 0.8);
        tree.backup(a, 0.7); // a: N = 3, W = 2.4, Q = 0.8
        tree.backup(b, 0.3); // b: N = 1, W = 0.3, Q = 0.3; root: N = 4

        // c = 1: a = 0.8 + sqrt(ln 4 / 3) = 1.47978, b = 0.3 + sqrt(ln 4 / 1) = 1.47741
        assertThat(tree.uct(a, 1.0)).isCloseTo(1.47978, within(1e-5));
        assertThat(tree.uct(b, 1.0)).isCloseTo(1.47741, within(1e-5));
        assertThat(tree.select(MctsTree.ROOT, 1.0)).isEqualTo(a);
        // c = 2: a = 0.8 + 2 * 0.67978 = 2.15956, b = 0.3 + 2 * 1.17741 = 2.65482: exploration wins
        assertThat(tree.uct(a, 2.0)).isCloseTo(2.15956, within(1e-5));
        assertThat(tree.uct(b, 2.0)).isCloseTo(2.65482, within(1e-5));
        assertThat(tree.select(MctsTree.ROOT, 2.0)).isEqualTo(b);
        // c = 0: the mean value alone
        assertThat(tree.select(MctsTree.ROOT, 0.0)).isEqualTo(a);
    }

    @Test
    void should_select_the_earlier_child_when_uct_values_tie() {
        MctsTree tree = new MctsTree();
        int a = tree.add(MctsTree.ROOT, false);
        int b = tree.add(MctsTree.ROOT, false);
        tree.backup(a, 0.5);
        tree.backup(b, 0.5);

        assertThat(tree.uct(a, 1.0)).isEqualTo(tree.uct(b, 1.0));
        assertThat(tree.select(MctsTree.ROOT, 1.0)).isEqualTo(a);
    }

    @Test
    void should_add_one_visit_and_the_value_to_every_node_on_the_path_when_backing_up() {
        MctsTree tree = new MctsTree();
        int a = tree.add(MctsTree.ROOT, false);
        int b = tree.add(MctsTree.ROOT, false);
        int a1 = tree.add(a, false);

        tree.backup(a1, 0.7);
        tree.backup(b, 0.2);
        tree.backup(a1, 0.4);

        assertThat(tree.visits(a1)).isEqualTo(2);
        assertThat(tree.total(a1)).isCloseTo(1.1, within(1e-12));
        assertThat(tree.visits(a)).isEqualTo(2);
        assertThat(tree.total(a)).isCloseTo(1.1, within(1e-12));
        assertThat(tree.q(a)).isCloseTo(0.55, within(1e-12));
        assertThat(tree.visits(b)).isEqualTo(1);
        assertThat(tree.total(b)).isCloseTo(0.2, within(1e-12));
        assertThat(tree.visits(MctsTree.ROOT)).isEqualTo(3);
        assertThat(tree.total(MctsTree.ROOT)).isCloseTo(1.3, within(1e-12));
        assertThat(tree.childVisits(MctsTree.ROOT)).containsExactly(2, 1);
        assertThat(tree.depth(a1)).isEqualTo(2);
        assertThat(tree.parent(a1)).isEqualTo(a);
    }

    @Test
    void should_descend_to_a_terminal_node_or_a_node_without_children_when_selecting() {
        MctsTree tree = new MctsTree();
        assertThat(tree.descend(1.0)).isEqualTo(MctsTree.ROOT);
        int a = tree.add(MctsTree.ROOT, true);
        int b = tree.add(MctsTree.ROOT, false);
        tree.backup(a, 1.0);
        assertThat(tree.descend(1.0)).isEqualTo(b); // unvisited first
        tree.backup(b, 0.0);
        assertThat(tree.descend(1.0)).isEqualTo(a); // a terminal node is a leaf
        int b1 = tree.add(b, false);
        tree.backup(a, 0.0);
        tree.backup(a, 0.0); // a: Q = 1/3 with 3 visits; b: Q = 0 with 1 visit, root: 4 visits
        assertThat(tree.descend(1.0)).isEqualTo(b1); // b wins on exploration, then its unvisited child
        assertThatThrownBy(() -> tree.add(a, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void should_be_exhausted_only_when_every_leaf_below_is_terminal_and_visited() {
        MctsTree tree = new MctsTree();
        assertThat(tree.exhausted(MctsTree.ROOT)).isFalse();
        int a = tree.add(MctsTree.ROOT, true);
        int b = tree.add(MctsTree.ROOT, false);
        tree.backup(a, 1.0);
        assertThat(tree.exhausted(a)).isTrue();
        assertThat(tree.exhausted(MctsTree.ROOT)).isFalse();
        int b1 = tree.add(b, true);
        assertThat(tree.exhausted(b)).isFalse(); // its terminal child was never visited
        tree.backup(b1, 0.0);
        assertThat(tree.exhausted(b)).isTrue();
        assertThat(tree.exhausted(MctsTree.ROOT)).isTrue();
    }

    @Test
    void should_follow_the_most_visited_child_and_break_ties_by_mean_value_when_choosing_the_final_path() {
        MctsTree tree = new MctsTree();
        int a = tree.add(MctsTree.ROOT, false);
        int b = tree.add(MctsTree.ROOT, false);
        int a1 = tree.add(a, false);
        int a2 = tree.add(a, false);
        tree.backup(b, 0.9);
        tree.backup(a1, 0.2);
        tree.backup(a2, 0.6);

        assertThat(tree.mostVisited(MctsTree.ROOT)).isEqualTo(a); // 2 visits against 1
        assertThat(tree.mostVisited(a)).isEqualTo(a2); // 1 visit each: the higher Q
        assertThat(tree.principal()).containsExactly(a, a2);
        assertThat(tree.mostVisited(a2)).isEqualTo(-1);
    }

    // ---- the protocol -------------------------------------------------------------------------

    /** The PRM: a step with "bad" scores 0.1, any other 0.9. */
    static List<Double> prm(ScoreRequest r) {
        return r.steps().stream().map(s -> s.contains("bad") ? 0.1 : 0.9).toList();
    }

    static String prompt(GenerateRequest r) {
        return r.messages().get(r.messages().size() - 1).content();
    }

    /** Step 1: sample 0 is good, sample 1 bad. Step 2 states an answer (two different good ones). */
    static String twoStepPolicy(GenerateRequest r, int i) {
        if (prompt(r).contains("Write only step 1")) {
            return i == 0 ? "Step 1: multiply 6 by 7" : "Step 1: bad guess 6 + 7\n(more text that is cut)";
        }
        if (prompt(r).contains("Step 1: multiply")) {
            return i == 0 ? "Step 2: 6 * 7 = 42, so the answer is 42." : "Step 2: The answer is 42.";
        }
        return "Step 2: The answer is 13.";
    }

    static List<String> visitsEvents(Episode episode) {
        return ProtocolTestKit.TRACE.stream()
                .filter(e -> e instanceof TraceEvent.ProtocolEvent p && p.episodeId().equals(episode.id())
                        && p.event().equals("visits"))
                .map(e -> ((TraceEvent.ProtocolEvent) e).detail()).toList();
    }

    @Test
    void should_spend_most_visits_on_the_good_step_and_answer_with_its_chain_when_the_budget_is_spent() {
        ScriptedModel model = new ScriptedModel(MctsTest::twoStepPolicy, MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 6, 2, 3, 1.0, 0, StepScores.Aggregation.MIN);
        Episode episode = episode(KIT, model, TEAM, Recall.EMPTY);
        EpisodeResult r = run(KIT, mcts, episode);

        // 1: expand root -> [good, bad], value good (0.9)   2: value bad (0.1, unvisited)
        // 3: good -> expand -> [g1, g2] (both state 42), value g1   4: value g2 (unvisited)
        // 5, 6: good again (UCT 1.58 > 1.28, 1.53 > 1.37); g1 then g2 are terminal: their kept value, no call
        assertThat(visitsEvents(episode)).containsExactly("[5, 1]");
        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(2, 2);
        assertThat(model.requests).allSatisfy(q -> assertThat(q.context().phase()).isEqualTo(Phase.STEP));
        assertThat(model.scoreRequests).extracting(ScoreRequest::steps).containsExactly(
                List.of("Step 1: multiply 6 by 7"),
                List.of("Step 1: bad guess 6 + 7"), // first line only
                List.of("Step 1: multiply 6 by 7", "Step 2: 6 * 7 = 42, so the answer is 42."),
                List.of("Step 1: multiply 6 by 7", "Step 2: The answer is 42."));
        assertThat(r.output()).isEqualTo("Step 1: multiply 6 by 7\nStep 2: 6 * 7 = 42, so the answer is 42.");
        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
        assertThat(r.modelCalls()).isEqualTo(2);
    }

    @Test
    void should_stop_expanding_and_end_early_when_every_proposed_step_states_an_answer() {
        ScriptedModel model = new ScriptedModel((q, i) -> switch (i) {
            case 0 -> "The answer is 42.";
            case 1 -> "A bad guess: the answer is 7.";
            default -> "The answer is 42."; // the same step again is kept once
        }, MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 10, 3, 5, 1.0, 0, StepScores.Aggregation.MIN);
        Episode episode = episode(KIT, model, TEAM, Recall.EMPTY);
        EpisodeResult r = run(KIT, mcts, episode);

        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(3);
        assertThat(model.scoreRequests).hasSize(2);
        assertThat(visitsEvents(episode)).containsExactly("[1, 1]"); // exhausted after 2 of 10 simulations
        assertThat(r.output()).isEqualTo("The answer is 42.");
        assertThat(r.verdict().correct()).isTrue();
    }

    @Test
    void should_treat_a_chain_of_max_steps_as_terminal_when_it_states_no_answer() {
        ScriptedModel model = new ScriptedModel((q, i) -> i == 0 ? "Step 1: 6 * 7 = 42" : "Step 1: bad 6 + 7 = 13",
                MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 10, 2, 1, 1.0, 3, StepScores.Aggregation.MIN);
        Episode episode = episode(KIT, model, TEAM, Recall.EMPTY);
        EpisodeResult r = run(KIT, mcts, episode);

        // both children are terminal at depth 1: no rollout, no further expansion
        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(2);
        assertThat(model.scoreRequests).allSatisfy(q -> assertThat(q.steps()).hasSize(1)).hasSize(2);
        assertThat(visitsEvents(episode)).containsExactly("[1, 1]");
        assertThat(r.output()).isEqualTo("Step 1: 6 * 7 = 42");
        assertThat(r.rounds()).hasSize(1);
    }

    @Test
    void should_roll_out_greedily_and_score_the_longer_chain_when_rollout_depth_is_positive() {
        ScriptedModel model = new ScriptedModel((q, i) -> {
            String p = prompt(q);
            boolean good = p.contains("Step 1: multiply");
            if (p.contains("Write only step 1")) {
                return i == 0 ? "Step 1: multiply 6 by 7" : "Step 1: bad guess 6 + 7";
            }
            if (p.contains("Write only step 2")) {
                return good ? "Step 2: 6 * 7 = 42" : "Step 2: bad 6 + 7 = 13";
            }
            return good ? "Step 3: The answer is 42." : "Step 3: The answer is 13.";
        }, MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 2, 2, 5, 1.0, 2, StepScores.Aggregation.MIN);
        Episode episode = episode(KIT, model, TEAM, Recall.EMPTY);
        EpisodeResult r = run(KIT, mcts, episode);

        // 1: expand root (n = 2), roll out the good step for 2 steps (n = 1 each), score 3 steps
        // 2: roll out the unvisited bad step the same way
        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(2, 1, 1, 1, 1);
        assertThat(model.scoreRequests).extracting(ScoreRequest::steps).containsExactly(
                List.of("Step 1: multiply 6 by 7", "Step 2: 6 * 7 = 42", "Step 3: The answer is 42."),
                List.of("Step 1: bad guess 6 + 7", "Step 2: bad 6 + 7 = 13", "Step 3: The answer is 13."));
        assertThat(visitsEvents(episode)).containsExactly("[1, 1]");
        // the most visited path (the good step) states no answer: the best answering rollout does
        assertThat(r.output()).isEqualTo("Step 1: multiply 6 by 7\nStep 2: 6 * 7 = 42\nStep 3: The answer is 42.");
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
    }

    @Test
    void should_stop_a_rollout_at_its_depth_when_no_step_states_an_answer() {
        ScriptedModel model = new ScriptedModel((q, i) -> prompt(q).contains("Write only step 1")
                ? "Step 1: multiply 6 by 7" : "Step: keep going", MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 1, 1, 10, 1.0, 3, StepScores.Aggregation.MIN);
        EpisodeResult r = run(KIT, mcts, episode(KIT, model, TEAM, Recall.EMPTY));

        assertThat(model.requests).extracting(GenerateRequest::n).containsExactly(1, 1, 1, 1);
        assertThat(model.scoreRequests).singleElement().satisfies(q -> assertThat(q.steps()).hasSize(4));
        assertThat(r.output()).isEqualTo("Step 1: multiply 6 by 7");
    }

    @Test
    void should_end_without_scoring_when_the_policy_proposes_no_step_at_all() {
        ScriptedModel model = new ScriptedModel((q, i) -> "   \n", MctsTest::prm);
        Mcts mcts = new Mcts("mcts", "policy", "prm", 5, 2, 3, 1.0, 0, StepScores.Aggregation.MIN);
        Episode episode = episode(KIT, model, TEAM, Recall.EMPTY);
        EpisodeResult r = run(KIT, mcts, episode);

        assertThat(model.requests).hasSize(1);
        assertThat(model.scoreRequests).isEmpty();
        assertThat(visitsEvents(episode)).containsExactly("[]");
        assertThat(r.output()).isEmpty();
        assertThat(r.rounds()).hasSize(1);
    }

    @Test
    void should_reject_settings_when_they_cannot_make_a_search() {
        assertThatThrownBy(() -> new Mcts("m", "p", "s", 0, 2, 3, 1.0, 0, StepScores.Aggregation.MIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Mcts("m", "p", "s", 5, 2, 3, -1.0, 0, StepScores.Aggregation.MIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Mcts("m", "p", "s", 5, 2, 3, 1.0, -1, StepScores.Aggregation.MIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Mcts("m", "p", "p", 5, 2, 3, 1.0, 0, StepScores.Aggregation.MIN).agents()).containsExactly("p");
        assertThat(new Mcts("m", "p", "s", 5, 2, 3, 1.0, 0, StepScores.Aggregation.MIN).agents())
                .containsExactly("p", "s");
    }
}
