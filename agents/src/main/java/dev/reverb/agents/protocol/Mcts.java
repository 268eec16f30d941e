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

    /**
     * The numbers of a search tree: visits, total values and terminal marks of nodes, with UCT
     * selection and backup. Nodes are ids; the root is {@link #ROOT}. Pure and single-threaded.
     */
    static final class Tree {

        static final int ROOT = 0;

        private static final class Node {
            final int parent;
            final int depth;
            final List<Integer> children = new ArrayList<>();
            int visits;
            double total;
            boolean terminal;

            Node(int parent, int depth, boolean terminal) {
                this.parent = parent;
                this.depth = depth;
                this.terminal = terminal;
            }
        }

        private final List<Node> nodes = new ArrayList<>(List.of(new Node(-1, 0, false)));

        /** Adds a child of {@code parent}; returns its id. */
        int add(int parent, boolean terminal) {
            Node p = node(parent);
            if (p.terminal) {
                throw new IllegalStateException("a terminal node has no children: " + parent);
            }
            nodes.add(new Node(parent, p.depth + 1, terminal));
            int id = nodes.size() - 1;
            p.children.add(id);
            return id;
        }

        void markTerminal(int id) {
            node(id).terminal = true;
        }

        int size() {
            return nodes.size();
        }

        int parent(int id) {
            return node(id).parent;
        }

        int depth(int id) {
            return node(id).depth;
        }

        List<Integer> children(int id) {
            return List.copyOf(node(id).children);
        }

        int visits(int id) {
            return node(id).visits;
        }

        double total(int id) {
            return node(id).total;
        }

        /** The mean value, 0 while unvisited. */
        double q(int id) {
            Node n = node(id);
            return n.visits == 0 ? 0 : n.total / n.visits;
        }

        boolean terminal(int id) {
            return node(id).terminal;
        }

        /** UCT of a child: infinite while unvisited, else {@code Q + c * sqrt(ln N(parent) / N(child))}. */
        double uct(int child, double c) {
            Node n = node(child);
            if (n.visits == 0) {
                return Double.POSITIVE_INFINITY;
            }
            int parentVisits = node(n.parent).visits;
            return q(child) + c * Math.sqrt(Math.log(Math.max(parentVisits, 1)) / n.visits);
        }

        /** The child with the highest UCT (the earliest among equals); -1 when there is none. */
        int select(int id, double c) {
            int best = -1;
            double bestUct = Double.NEGATIVE_INFINITY;
            for (int child : node(id).children) {
                double u = uct(child, c);
                if (best == -1 || u > bestUct) {
                    best = child;
                    bestUct = u;
                }
            }
            return best;
        }

        /** Selection: from the root by {@link #select} down to a terminal node or one without children. */
        int descend(double c) {
            int id = ROOT;
            while (!terminal(id) && !node(id).children.isEmpty()) {
                id = select(id, c);
            }
            return id;
        }

        /** Adds one visit and {@code value} to the node and each of its ancestors. */
        void backup(int id, double value) {
            for (int n = id; n != -1; n = node(n).parent) {
                node(n).visits++;
                node(n).total += value;
            }
        }

        /** Nothing left to learn below: a visited terminal node, or one whose children are all exhausted. */
        boolean exhausted(int id) {
            Node n = node(id);
            if (n.terminal) {
                return n.visits > 0;
            }
            return !n.children.isEmpty() && n.children.stream().allMatch(this::exhausted);
        }

        /** The most visited child (ties: the higher mean value, then the earlier); -1 when there is none. */
        int mostVisited(int id) {
            int best = -1;
            for (int child : node(id).children) {
                if (best == -1 || visits(child) > visits(best)
                        || visits(child) == visits(best) && q(child) > q(best)) {
                    best = child;
                }
            }
            return best;
        }

        /** The final path: from the root (excluded) by {@link #mostVisited} down to a node without children. */
        List<Integer> principal() {
            List<Integer> path = new ArrayList<>();
            for (int id = mostVisited(ROOT); id != -1; id = mostVisited(id)) {
                path.add(id);
            }
            return path;
        }

        /** The visit counts of a node's children, in order. */
        List<Integer> childVisits(int id) {
            return node(id).children.stream().map(this::visits).toList();
        }

        private Node node(int id) {
            if (id < 0 || id >= nodes.size()) {
                throw new IllegalArgumentException("no node " + id);
            }
            return nodes.get(id);
        }
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

        private final Mcts config;
        private final Tree tree = new Tree();
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
            while (iteration < config.iterations() && !tree.exhausted(Tree.ROOT)) {
                int leaf = tree.descend(config.exploration());
                event(iteration, "select", "node " + leaf + " depth " + tree.depth(leaf)
                        + (tree.terminal(leaf) ? " terminal" : "") + " visits " + tree.visits(leaf));
                if (tree.terminal(leaf) && terminalValues.containsKey(leaf)) {
                    backup(leaf, terminalValues.get(leaf));
                    continue;
                }
                if (leaf == Tree.ROOT && tree.terminal(leaf)) {
                    backup(leaf, 0); // nothing was proposed at all
                    continue;
                }
                if (tree.terminal(leaf) || leaf != Tree.ROOT && tree.visits(leaf) == 0) {
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
                if (e.node() == Tree.ROOT) {
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

        /** Reports the root's visit counts and answers along the most visited path. */
        private Behavior<Command> end() {
            event(Math.max(iteration - 1, 0), "visits", tree.childVisits(Tree.ROOT).toString());
            List<RoundOutcome> rounds = new ArrayList<>();
            List<Integer> path = tree.principal();
            for (int i = 0; i < path.size(); i++) {
                var verdict = episode.environment().verify(episode.task(), text(chains.get(path.get(i))));
                rounds.add(new RoundOutcome(i, verdict.extracted(), verdict.correct()));
            }
            List<String> last = path.isEmpty() ? List.of() : chains.get(path.get(path.size() - 1));
            String output = text(last);
            boolean answered = !last.isEmpty() && PrmSearch.states(last.get(last.size() - 1));
            if (!answered && bestAnswer != null) {
                output = text(bestAnswer);
                event(rounds.size(), "answer", String.format(Locale.ROOT,
                        "the most visited path states no answer: best answering chain (%.3f)", bestAnswerValue));
            }
            if (rounds.isEmpty() || !output.equals(text(last))) {
                var verdict = episode.environment().verify(episode.task(), output);
                rounds.add(new RoundOutcome(rounds.size(), verdict.extracted(), verdict.correct()));
            }
            return finish(output, rounds);
        }

        private static String text(List<String> steps) {
            return String.join("\n", steps);
        }
    }
}
