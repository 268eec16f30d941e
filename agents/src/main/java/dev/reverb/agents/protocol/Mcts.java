package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.StepScores;
import dev.reverb.environments.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import dev.reverb.environments.SettingsSpec;

/**
 * Monte Carlo tree search over reasoning steps (UCT), valued by a process reward model: a policy
 * agent proposes next steps, the process reward model of the {@code scorer} agent values chains
 * of steps, and {@code iterations} simulations share the budget.
 *
 * <p>Each node of the tree is a chain of steps (the root is the empty chain). One simulation:
 * <ol>
 *   <li><b>Selection</b>: from the root, follow the child with the highest
 *       {@code Q + exploration * sqrt(ln N(parent) / N(child))} (unvisited children first; ties go
 *       to the earlier child) until a node without children or a terminal node. A node is
 *       terminal when its last step states an answer ({@link PrmSearch#states}) or it has
 *       {@code maxSteps} steps.</li>
 *   <li><b>Expansion</b>: a visited non-terminal leaf (or the root) gets {@code expansions} next
 *       steps in one policy call (the first non-empty line of each sample; repeated steps are
 *       kept once; steps an environment that checks steps rejects are dropped) as children, and the
 *       first child is evaluated. A leaf that was added by an
 *       earlier expansion and never visited is evaluated itself, without expanding it, so every
 *       proposed step gets its own value. A leaf whose expansion yields no step becomes terminal.</li>
 *   <li><b>Evaluation</b>: with {@code rolloutDepth > 0} a non-terminal node is rolled out
 *       greedily (one sample per step) for up to {@code rolloutDepth} steps, until a step states an
 *       answer or the chain reaches {@code maxSteps}; the PRM scores the rolled-out chain. Without
 *       rollouts, and for terminal nodes, the PRM scores the node's own chain. The value is the
 *       {@code aggregation} of the step scores. A terminal node keeps its value: selecting it again
 *       costs no model call.</li>
 *   <li><b>Backup</b>: the value is added to every node from the evaluated one up to the root.</li>
 * </ol>
 * The search stops after {@code iterations} simulations or when every leaf is terminal and visited.
 * The answer follows the most visited child from the root down (ties: the higher mean value, then
 * the earlier child). When that path does not end in a step that states an answer, the best-valued
 * chain or rollout that stated one during the search is the answer instead, and failing that the
 * path's text.
 *
 * <p>Rounds of the result: one per depth of the final path (the chain down to that depth), and
 * one more for the answer when it came from elsewhere than the path's end. Model calls carry the
 * simulation's index as their round. The trace has {@code select}, {@code expand}, {@code rollout}
 * and {@code value} events per simulation and, at the end, {@code visits}: the visit counts of
 * the root's children, in order (for example {@code [5, 1]}).
 */
public record Mcts(String name, String policy, String scorer, int iterations, int expansions, int maxSteps,
                   double exploration, int rolloutDepth, StepScores.Aggregation aggregation) implements Protocol {

    /** The scenario type {@code mcts}: its settings and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("mcts",
            "Monte Carlo tree search over reasoning steps, scored by a process reward model.",
            SettingsSpec.builder()
                    .agent("policy", "The agent that proposes steps.").required()
                    .scorer("scorer", "The agent whose model (a process reward model) scores steps.").required()
                    .integer("iterations", 1, 100_000, 16, "Simulations (the budget).")
                    .integer("expansions", 1, 256, 2, "Children drawn when a node is expanded.")
                    .integer("max-steps", 1, 1000, 8, "Steps at most.")
                    .number("exploration", 0.0, 100.0, 1.0, "The UCT exploration constant c.")
                    .integer("rollout-depth", 0, 1000, 0, "Greedy steps rolled out before scoring a new node.")
                    .choice("aggregation", List.of("min", "product", "last"), "min", "Step scores to one chain score.")
                    .build(),
            (name, s, context) -> new Mcts(name, s.text("policy"), s.text("scorer"), s.integer("iterations"),
                    s.integer("expansions"), s.integer("max-steps"), s.number("exploration"), s.integer("rollout-depth"),
                    StepScores.Aggregation.fromId(s.text("aggregation"))));

    public Mcts {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(aggregation, "aggregation");
        if (iterations < 1 || expansions < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("iterations, expansions and max-steps must be >= 1");
        }
        if (rolloutDepth < 0) {
            throw new IllegalArgumentException("rollout-depth must be >= 0");
        }
        if (Double.isNaN(exploration) || exploration < 0 || Double.isInfinite(exploration)) {
            throw new IllegalArgumentException("exploration must be a finite number >= 0");
        }
    }

    @Override
    public List<String> agents() {
        return policy.equals(scorer) ? List.of(policy) : List.of(policy, scorer);
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo).start());
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Expanded(int node, Agent.Reply reply, Throwable error) implements Command {
        }

        private record RolledOut(int node, Agent.Reply reply, Throwable error) implements Command {
        }

        private record Scored(int node, StepScores scores, Throwable error) implements Command {
        }

        /** The verdicts on the chains of the final path, then (when it differs) on the output. */
        private record Verified(List<String> graded, String output, List<Verdict> verdicts, Throwable error)
                implements Command {
        }

        private final Mcts config;
        private final MctsTree tree = new MctsTree();
        /** The chain of steps of each node, by node id. */
        private final List<List<String>> chains = new ArrayList<>(List.of(List.of()));
        /** The values of terminal nodes, kept so that selecting one again costs no call. */
        private final Map<Integer, Double> terminalValues = new HashMap<>();
        /** The chain being rolled out from the node under evaluation. */
        private List<String> rollout = List.of();
        /** The best-valued chain that stated an answer so far, and its value. */
        private List<String> bestAnswer;
        private double bestAnswerValue = Double.NEGATIVE_INFINITY;
        private int iteration;

        Run(ActorContext<Command> context, Mcts config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Expanded.class, this::onExpanded)
                    .onMessage(RolledOut.class, this::onRolledOut)
                    .onMessage(Scored.class, this::onScored)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        /** Starts the first simulation once the behavior is set up. */
        Behavior<Command> start() {
            return simulate();
        }

        /**
         * Runs simulations until one waits for a model (then the reply continues it), the budget is
         * spent, or the tree is exhausted. Terminal nodes selected again are backed up at once.
         */
        private Behavior<Command> simulate() {
            while (iteration < config.iterations() && !tree.exhausted(MctsTree.ROOT)) {
                int leaf = tree.descend(config.exploration());
                event(iteration, "select", "node " + leaf + " depth " + tree.depth(leaf)
                        + (tree.terminal(leaf) ? " terminal" : "") + " visits " + tree.visits(leaf));
                if (tree.terminal(leaf) && terminalValues.containsKey(leaf)) {
                    backup(leaf, terminalValues.get(leaf));
                    continue;
                }
                if (leaf == MctsTree.ROOT && tree.terminal(leaf)) {
                    backup(leaf, 0); // nothing was proposed at all
                    continue;
                }
                if (tree.terminal(leaf) || leaf != MctsTree.ROOT && tree.visits(leaf) == 0) {
                    evaluate(leaf);
                } else {
                    int node = leaf;
                    List<String> steps = chains.get(node);
                    ask(config.policy(), iteration, Phase.STEP, Map.of("steps", String.join("\n", steps),
                            "step", Integer.toString(steps.size() + 1), "feedback", ""), config.expansions(),
                            (reply, error) -> new Expanded(node, reply, error));
                }
                return this;
            }
            return end();
        }

        private Behavior<Command> onExpanded(Expanded e) {
            if (e.error() != null) {
                return fail(e.error());
            }
            Agent.Reply reply = account(e.reply());
            List<String> parent = chains.get(e.node());
            Set<String> proposed = new LinkedHashSet<>();
            for (String text : reply.texts()) {
                String step = PrmSearch.firstLine(text);
                if (!step.isEmpty() && illegal(iteration, parent, step).isEmpty()) {
                    proposed.add(step);
                }
            }
            if (proposed.isEmpty()) {
                tree.markTerminal(e.node());
                event(iteration, "expand", "no step: node " + e.node() + " is terminal");
                if (e.node() == MctsTree.ROOT) {
                    return simulate(); // backs up 0 for the empty root
                }
                evaluate(e.node());
                return this;
            }
            int first = -1;
            for (String step : proposed) {
                List<String> chain = new ArrayList<>(parent);
                chain.add(step);
                int child = tree.add(e.node(), PrmSearch.states(step) || chain.size() >= config.maxSteps());
                chains.add(List.copyOf(chain));
                if (first == -1) {
                    first = child;
                }
            }
            event(iteration, "expand", "node " + e.node() + " -> " + tree.children(e.node()));
            evaluate(first);
            return this;
        }

        /** Values a node: a rollout from it when configured and it is not terminal, else its own chain. */
        private void evaluate(int node) {
            rollout = chains.get(node);
            if (config.rolloutDepth() > 0 && !tree.terminal(node)) {
                rollOn(node);
            } else {
                score(node);
            }
        }

        /** Asks the policy for one more step of the rollout. */
        private void rollOn(int node) {
            ask(config.policy(), iteration, Phase.STEP, Map.of("steps", String.join("\n", rollout),
                    "step", Integer.toString(rollout.size() + 1), "feedback", ""),
                    (reply, error) -> new RolledOut(node, reply, error));
        }

        private Behavior<Command> onRolledOut(RolledOut r) {
            if (r.error() != null) {
                return fail(r.error());
            }
            String step = PrmSearch.firstLine(account(r.reply()).text());
            if (!step.isEmpty()) {
                List<String> longer = new ArrayList<>(rollout);
                longer.add(step);
                rollout = List.copyOf(longer);
            }
            int rolled = rollout.size() - chains.get(r.node()).size();
            boolean done = step.isEmpty() || PrmSearch.states(step) || rolled >= config.rolloutDepth()
                    || rollout.size() >= config.maxSteps();
            if (done) {
                event(iteration, "rollout", "node " + r.node() + " +" + rolled + " steps");
                score(r.node());
            } else {
                rollOn(r.node());
            }
            return this;
        }

        /** Asks the process reward model to score the chain under evaluation ({@link #rollout}). */
        private void score(int node) {
            List<String> steps = rollout;
            score(config.scorer(), iteration, steps, (scores, error) -> new Scored(node, scores, error));
        }

        private Behavior<Command> onScored(Scored s) {
            if (s.error() != null) {
                return fail(s.error());
            }
            double value = s.scores().scores().isEmpty() ? 0 : s.scores().aggregate(config.aggregation());
            if (!rollout.isEmpty() && PrmSearch.states(rollout.get(rollout.size() - 1)) && value > bestAnswerValue) {
                bestAnswer = rollout;
                bestAnswerValue = value;
            }
            if (tree.terminal(s.node())) {
                terminalValues.put(s.node(), value);
            }
            backup(s.node(), value);
            return simulate();
        }

        private void backup(int node, double value) {
            tree.backup(node, value);
            event(iteration, "value", String.format(Locale.ROOT, "node %d value %.3f visits %d", node, value,
                    tree.visits(node)));
            iteration++;
        }

        /** Reports the root's visit counts and grades the most visited path (off this thread). */
        private Behavior<Command> end() {
            event(Math.max(iteration - 1, 0), "visits", tree.childVisits(MctsTree.ROOT).toString());
            List<String> graded = new ArrayList<>();
            List<Integer> path = tree.principal();
            for (int id : path) {
                graded.add(text(chains.get(id)));
            }
            List<String> last = path.isEmpty() ? List.of() : chains.get(path.get(path.size() - 1));
            String output = text(last);
            boolean answered = !last.isEmpty() && PrmSearch.states(last.get(last.size() - 1));
            if (!answered && bestAnswer != null) {
                output = text(bestAnswer);
                event(graded.size(), "answer", String.format(Locale.ROOT,
                        "the most visited path states no answer: best answering chain (%.3f)", bestAnswerValue));
            }
            if (graded.isEmpty() || !output.equals(text(last))) {
                graded.add(output);
            }
            String finalOutput = output;
            verifyAll(graded, (verdicts, error) -> new Verified(graded, finalOutput, verdicts, error));
            return this;
        }

        /** One round per depth of the final path, and one more for an answer from elsewhere. */
        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error());
            }
            List<RoundOutcome> rounds = new ArrayList<>();
            for (Verdict verdict : verified.verdicts()) {
                rounds.add(new RoundOutcome(rounds.size(), verdict.extracted(), verdict.correct()));
            }
            return finish(verified.output(), rounds);
        }

        private static String text(List<String> steps) {
            return String.join("\n", steps);
        }
    }
}
