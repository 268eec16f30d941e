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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import dev.reverb.environments.SettingsSpec;

/**
 * Process-reward-guided search: a policy agent proposes reasoning, a process reward model (the
 * model of the {@code scorer} agent) scores every step, and the scores choose.
 *
 * <ul>
 *   <li>{@link Strategy#BEST_OF_N}: {@code samples} whole solutions in one call; each is cut into
 *       steps (its non-empty lines) and scored; the best aggregate wins.</li>
 *   <li>{@link Strategy#BEAM}: step-level beam search. Each of the {@code width} kept chains gets
 *       {@code expansions} next steps (one call per chain); every extended chain is scored and the
 *       best {@code width} go on, until every kept chain has stated an answer or after
 *       {@code maxSteps} steps. With a {@code critic} (PRM-to-verbal feedback), a kept chain whose
 *       newest step scores below {@code critiqueBelow} is shown to the critic with that score; the
 *       critique is the feedback the policy sees when it writes that chain's next step. When the
 *       environment is a {@link dev.reverb.environments.StepChecker} (Game of 24), illegal steps are
 *       dropped before scoring.</li>
 * </ul>
 *
 * Chains compare by the {@code aggregation} of their step scores; ties keep the earlier one.
 * Each round of the result is one depth (beam) or the one choice (best-of-N).
 */
public record PrmSearch(String name, Strategy strategy, String policy, String scorer, int samples, int width,
                        int expansions, int maxSteps, StepScores.Aggregation aggregation, String critic,
                        double critiqueBelow) implements Protocol {

    /** The scenario type {@code prm-search}: its settings and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("prm-search",
            "PRM-guided search: best-of-n or a step-level beam scored by a process reward model.",
            SettingsSpec.builder()
                    .choice("strategy", List.of("best-of-n", "beam"), "beam", "Whole samples or a step-level beam.")
                    .agent("policy", "The agent that proposes solutions or steps.").required()
                    .scorer("scorer", "The agent whose model (a process reward model) scores steps.").required()
                    .integer("samples", 1, 1024, 8, "best-of-n: solutions drawn.")
                    .integer("width", 1, 256, 2, "beam: chains kept.")
                    .integer("expansions", 1, 256, 3, "beam: next steps drawn per kept chain.")
                    .integer("max-steps", 1, 1000, 8, "beam: steps at most.")
                    .choice("aggregation", List.of("min", "product", "last"), "min", "Step scores to one chain score.")
                    .agent("critic", "beam: explains low-scored steps to the policy (PRM-to-verbal feedback).")
                    .number("critique-below", 0.0, 1.0, 0.5, "A newest step scored below this gets a critique.")
                    .build(),
            (name, s, context) -> new PrmSearch(name,
                    Strategy.valueOf(s.text("strategy").replace('-', '_').toUpperCase(Locale.ROOT)), s.text("policy"),
                    s.text("scorer"), s.integer("samples"), s.integer("width"), s.integer("expansions"),
                    s.integer("max-steps"), StepScores.Aggregation.fromId(s.text("aggregation")), s.text("critic"),
                    s.number("critique-below")));

    public enum Strategy { BEST_OF_N, BEAM }

    /** A step that states the answer ends its chain. */
    private static final Pattern FINAL = Pattern.compile("(?i)(the answer is|final answer|answer\\s*:|\\\\boxed|####)");

    public PrmSearch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(aggregation, "aggregation");
        if (samples < 1 || width < 1 || expansions < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("samples, width, expansions and max-steps must be >= 1");
        }
        if (critiqueBelow < 0 || critiqueBelow > 1) {
            throw new IllegalArgumentException("critique-below must be in [0, 1]");
        }
    }

    @Override
    public List<String> agents() {
        List<String> all = new ArrayList<>(List.of(policy));
        for (String a : new String[] {scorer, critic}) {
            if (a != null && !all.contains(a)) {
                all.add(a);
            }
        }
        return all;
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    /** The steps of a whole solution: its non-empty lines. */
    static List<String> steps(String solution) {
        return solution.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** The first non-empty line of a proposed next step (a policy may write more than asked). */
    static String firstLine(String text) {
        return steps(text).stream().findFirst().orElse("");
    }

    static boolean states(String step) {
        return FINAL.matcher(step).find();
    }

    /** A partial or whole solution, its step scores and the critique its next step will see. */
    record Chain(List<String> steps, List<Double> scores, double value, String critique) {
        Chain {
            steps = List.copyOf(steps);
            scores = List.copyOf(scores);
        }

        boolean done() {
            return !steps.isEmpty() && states(steps.get(steps.size() - 1));
        }

        String text() {
            return String.join("\n", steps);
        }
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Proposed(int chain, Agent.Reply reply, Throwable error) implements Command {
        }

        private record Scored(int candidate, StepScores scores, Throwable error) implements Command {
        }

        private record Critiqued(int chain, Agent.Reply reply, Throwable error) implements Command {
        }

        private record Verified(Chain best, Verdict verdict, Throwable error) implements Command {
        }

        private final PrmSearch config;
        private final List<RoundOutcome> rounds = new ArrayList<>();
        private List<Chain> kept = new ArrayList<>(List.of(new Chain(List.of(), List.of(), 1.0, "")));
        private final List<List<String>> candidates = new ArrayList<>();
        /** The scored candidates by candidate index, so ranking never depends on the order replies arrive in. */
        private Chain[] scored = new Chain[0];
        /** Kept chains that had already stated an answer: they compete again unchanged. */
        private final List<Chain> finished = new ArrayList<>();
        private int waiting;
        private int depth;

        Run(ActorContext<Command> context, PrmSearch config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            if (config.strategy() == Strategy.BEST_OF_N) {
                waiting = 1;
                ask(config.policy(), 0, Phase.ANSWER, Map.of(), config.samples(),
                        (reply, error) -> new Proposed(0, reply, error));
            } else {
                expand();
            }
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Proposed.class, this::onProposed)
                    .onMessage(Scored.class, this::onScored)
                    .onMessage(Critiqued.class, this::onCritiqued)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        /** Beam: asks the policy for the next steps of every unfinished kept chain. */
        private void expand() {
            candidates.clear();
            finished.clear();
            waiting = 0;
            for (int c = 0; c < kept.size(); c++) {
                Chain chain = kept.get(c);
                if (chain.done()) {
                    continue;
                }
                int index = c;
                waiting++;
                ask(config.policy(), depth, Phase.STEP, Map.of("steps", chain.text(),
                        "step", Integer.toString(chain.steps().size() + 1), "feedback", chain.critique()),
                        config.expansions(), (reply, error) -> new Proposed(index, reply, error));
            }
        }

        private Behavior<Command> onProposed(Proposed proposed) {
            if (proposed.error() != null) {
                return fail(proposed.error(), rounds);
            }
            Agent.Reply reply = account(proposed.reply());
            for (String text : reply.texts()) {
                if (config.strategy() == Strategy.BEST_OF_N) {
                    candidates.add(steps(text));
                } else {
                    List<String> before = kept.get(proposed.chain()).steps();
                    String step = firstLine(text);
                    if (illegal(depth, before, step).isPresent()) {
                        continue;
                    }
                    List<String> extended = new ArrayList<>(before);
                    extended.add(step);
                    candidates.add(extended);
                }
            }
            if (--waiting > 0) {
                return this;
            }
            if (config.strategy() == Strategy.BEAM) {
                kept.stream().filter(Chain::done).forEach(finished::add);
                if (candidates.isEmpty() && finished.isEmpty()) {
                    // Every proposed step was illegal: the kept chains try again at the next depth.
                    depth++;
                    if (depth >= config.maxSteps()) {
                        return finish(kept.get(0).text(), rounds);
                    }
                    expand();
                    return this;
                }
            }
            scored = new Chain[candidates.size()];
            waiting = candidates.size();
            for (int i = 0; i < candidates.size(); i++) {
                score(i, candidates.get(i));
            }
            return waiting == 0 ? choose() : this;
        }

        private void score(int index, List<String> steps) {
            if (steps.isEmpty()) {
                getContext().getSelf().tell(new Scored(index, null, null));
                return;
            }
            score(config.scorer(), depth, steps, (scores, error) -> new Scored(index, scores, error));
        }

        private Behavior<Command> onScored(Scored s) {
            if (s.error() != null) {
                return fail(s.error(), rounds);
            }
            List<String> steps = candidates.get(s.candidate());
            scored[s.candidate()] = s.scores() == null ? new Chain(steps, List.of(), 0, "")
                    : new Chain(steps, s.scores().scores(), s.scores().aggregate(config.aggregation()), "");
            return --waiting > 0 ? this : choose();
        }

        /** Keeps the best chains (stable: among equal values the earlier candidate), then goes on or ends. */
        private Behavior<Command> choose() {
            List<Chain> ranked = new ArrayList<>(finished);
            ranked.addAll(List.of(scored));
            ranked.sort(Comparator.comparingDouble(Chain::value).reversed()); // stable: ties keep the earlier
            int keep = config.strategy() == Strategy.BEST_OF_N ? 1 : config.width();
            kept = new ArrayList<>(ranked.subList(0, Math.min(keep, ranked.size())));
            Chain best = kept.isEmpty() ? new Chain(List.of(), List.of(), 0, "") : kept.get(0);
            event(depth, "scores", ranked.stream().map(c -> String.format(Locale.ROOT, "%.3f", c.value())).toList()
                    + " -> kept " + kept.size());
            verify(best.text(), (verdict, error) -> new Verified(best, verdict, error));
            return this;
        }

        /** The round's best chain graded: the search goes on or ends. */
        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), rounds);
            }
            Chain best = verified.best();
            rounds.add(new RoundOutcome(depth, verified.verdict().extracted(), verified.verdict().correct()));
            depth++;
            if (config.strategy() == Strategy.BEST_OF_N || kept.stream().allMatch(Chain::done)
                    || depth >= config.maxSteps() || kept.isEmpty()) {
                Chain finalChain = kept.stream().filter(Chain::done).findFirst().orElse(best);
                return finish(finalChain.text(), rounds);
            }
            return critiqueOrExpand();
        }

        /** PRM-to-verbal feedback: a critic explains each weak newest step before the chain goes on. */
        private Behavior<Command> critiqueOrExpand() {
            waiting = 0;
            if (config.critic() != null) {
                for (int c = 0; c < kept.size(); c++) {
                    Chain chain = kept.get(c);
                    if (chain.done() || chain.scores().isEmpty()) {
                        continue;
                    }
                    double last = chain.scores().get(chain.scores().size() - 1);
                    if (last < config.critiqueBelow()) {
                        int index = c;
                        waiting++;
                        String feedback = String.format(Locale.ROOT, "A process reward model scored the last step %.2f "
                                + "(below %.2f): it is probably wrong.", last, config.critiqueBelow());
                        event(depth - 1, "low-step", feedback);
                        ask(config.critic(), depth - 1, Phase.CRITIQUE, Map.of("candidate", chain.text(),
                                "feedback", feedback), (reply, error) -> new Critiqued(index, reply, error));
                    }
                }
            }
            if (waiting == 0) {
                expand();
            }
            return this;
        }

        private Behavior<Command> onCritiqued(Critiqued c) {
            if (c.error() != null) {
                return fail(c.error(), rounds);
            }
            Chain chain = kept.get(c.chain());
            kept.set(c.chain(), new Chain(chain.steps(), chain.scores(), chain.value(),
                    account(c.reply()).text().strip()));
            if (--waiting == 0) {
                expand();
            }
            return this;
        }
    }
}
