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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import dev.reverb.environments.Settings;
import dev.reverb.environments.SettingsSpec;
import java.util.Locale;

/**
 * Multi-agent debate (Du et al., 2023): the debaters answer independently, then for
 * {@code rounds} rounds each reads the latest answers and reasoning of the debaters it listens to,
 * critiques them and answers again, all in parallel. Who listens to whom is the topology: every
 * other debater ({@link #full}), the two ring neighbours ({@link #ring}), the hub and its spokes
 * ({@link #star}: the first debater reads everyone, the others read only the hub), or an explicit
 * adjacency list.
 *
 * <p>The vote, taken after every round and recorded: each debater's extracted answer is one vote
 * (an answer that cannot be read does not vote); most votes wins. A tie between answers goes,
 * with {@link TieBreak#FIRST}, to the tied answer given by the earliest debater in the configured
 * order; with {@link TieBreak#JUDGE}, after the last round, to the answer of the judge agent
 * shown the final answers (and to FIRST when the judge's answer cannot be read). With
 * {@link Aggregate#JUDGE} the judge decides after the last round whether or not the vote tied; with
 * {@link Aggregate#PRM} each final answer counts with the weight of the process reward model's
 * score (the minimum over its steps) of the text that gave it, summed per answer. The final output
 * is the text of the earliest debater whose answer won (the judge's text when the judge decided);
 * when no debater gave a readable answer it is the first debater's text.
 */
public record Debate(String name, List<String> debaters, int rounds, TieBreak tieBreak, String judge,
                     Map<String, List<String>> listensTo, Aggregate aggregate, String scorer) implements Protocol {

    /** The scenario type {@code debate}: its settings, checks and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("debate",
            "Multi-agent debate with a vote, a judge or PRM-weighted aggregation.",
            SettingsSpec.builder()
                    .agents("debaters", 2, "The agents that debate.").required()
                    .integer("rounds", 0, 100, 2, "Rounds of reading and answering again after the first answers.")
                    .choice("tie-break", List.of("first", "judge"), "first", "How a tied vote is decided.")
                    .agent("judge", "Decides ties (tie-break judge) or the answer (aggregate judge).")
                    .agentGraph("topology", List.of("full", "ring", "star"), "full",
                            "Who reads whom: full, ring, star (the first debater is the hub), or {debater: [debaters it reads]}.")
                    .choice("aggregate", List.of("majority", "judge", "prm"), "majority",
                            "The final answer by vote, by the judge, or by a vote weighted with the scorer's PRM scores.")
                    .scorer("scorer", "aggregate prm: the agent whose model scores the answers' steps.")
                    .check(Debate::checkSettings)
                    .build(),
            (name, s, context) -> {
                List<String> debaters = s.texts("debaters");
                Map<String, List<String>> graph = s.graph("topology");
                Map<String, List<String>> listensTo = graph != null ? graph : switch (s.text("topology")) {
                    case "ring" -> ring(debaters);
                    case "star" -> star(debaters);
                    default -> full(debaters);
                };
                return new Debate(name, debaters, s.integer("rounds"),
                        TieBreak.valueOf(s.text("tie-break").toUpperCase(Locale.ROOT)), s.text("judge"), listensTo,
                        Aggregate.valueOf(s.text("aggregate").toUpperCase(Locale.ROOT)), s.text("scorer"));
            });

    private static void checkSettings(Settings s, SettingsSpec.Problems problems) {
        if (!s.has("judge") && (s.text("aggregate").equals("judge") || s.text("tie-break").equals("judge"))) {
            problems.at(s.text("aggregate").equals("judge") ? "aggregate" : "tie-break", "needs a 'judge' agent");
        }
        if (!s.has("scorer") && s.text("aggregate").equals("prm")) {
            problems.at("aggregate", "needs a 'scorer' agent");
        }
        Map<String, List<String>> graph = s.graph("topology");
        List<String> debaters = s.texts("debaters");
        if (graph != null) {
            graph.forEach((d, heard) -> {
                if (!debaters.contains(d)) {
                    problems.atKey("topology/" + d, "'" + d + "' is not one of this debate's debaters");
                }
                for (int i = 0; i < heard.size(); i++) {
                    if (!debaters.contains(heard.get(i)) || heard.get(i).equals(d)) {
                        problems.at("topology/" + d + "/" + i, "'" + d + "' can listen only to another of this "
                                + "debate's debaters, not '" + heard.get(i) + "'");
                    }
                }
            });
        }
    }

    /** How a tied vote is decided. */
    public enum TieBreak { FIRST, JUDGE }

    /** How the final answer is chosen: by the vote, by the judge, or by a vote weighted with PRM scores. */
    public enum Aggregate { MAJORITY, JUDGE, PRM }

    /** A full debate with majority vote. */
    public Debate(String name, List<String> debaters, int rounds, TieBreak tieBreak, String judge) {
        this(name, debaters, rounds, tieBreak, judge, full(debaters), Aggregate.MAJORITY);
    }

    /** A debate without a PRM scorer. */
    public Debate(String name, List<String> debaters, int rounds, TieBreak tieBreak, String judge,
                  Map<String, List<String>> listensTo, Aggregate aggregate) {
        this(name, debaters, rounds, tieBreak, judge, listensTo, aggregate, null);
    }

    /** Every debater listens to every other. */
    public static Map<String, List<String>> full(List<String> debaters) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        debaters.forEach(d -> map.put(d, debaters.stream().filter(o -> !o.equals(d)).toList()));
        return map;
    }

    /** Each debater listens to its neighbours in the ring of the configured order. */
    public static Map<String, List<String>> ring(List<String> debaters) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        int n = debaters.size();
        for (int i = 0; i < n; i++) {
            String before = debaters.get((i + n - 1) % n);
            String after = debaters.get((i + 1) % n);
            map.put(debaters.get(i), before.equals(after) ? List.of(before) : List.of(before, after));
        }
        return map;
    }

    /** The first debater (the hub) listens to all; every other listens only to the hub. */
    public static Map<String, List<String>> star(List<String> debaters) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        String hub = debaters.get(0);
        debaters.forEach(d -> map.put(d, d.equals(hub) ? debaters.subList(1, debaters.size()) : List.of(hub)));
        return map;
    }

    public Debate {
        Objects.requireNonNull(name, "name");
        debaters = List.copyOf(debaters);
        Objects.requireNonNull(tieBreak, "tieBreak");
        Objects.requireNonNull(aggregate, "aggregate");
        Map<String, List<String>> copy = new LinkedHashMap<>();
        for (String d : debaters) {
            List<String> heard = List.copyOf(listensTo.getOrDefault(d, List.of()));
            for (String other : heard) {
                if (other.equals(d) || !debaters.contains(other)) {
                    throw new IllegalArgumentException("debater '" + d + "' cannot listen to '" + other
                            + "' (not another debater)");
                }
            }
            copy.put(d, heard);
        }
        for (String key : listensTo.keySet()) {
            if (!debaters.contains(key)) {
                throw new IllegalArgumentException("the topology names '" + key + "', who is not a debater");
            }
        }
        listensTo = java.util.Collections.unmodifiableMap(copy);
        if (debaters.size() < 2) {
            throw new IllegalArgumentException("a debate needs at least 2 debaters");
        }
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0");
        }
        if ((tieBreak == TieBreak.JUDGE || aggregate == Aggregate.JUDGE) && judge == null) {
            throw new IllegalArgumentException("a judge decision needs a judge agent");
        }
        if (aggregate == Aggregate.PRM && scorer == null) {
            throw new IllegalArgumentException("a PRM-weighted vote needs a scorer agent");
        }
    }

    @Override
    public List<String> agents() {
        List<String> all = new ArrayList<>(debaters);
        for (String extra : new String[] {judge, scorer}) {
            if (extra != null && !all.contains(extra)) {
                all.add(extra);
            }
        }
        return all;
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Answered(int round, String agent, Agent.Reply reply, Throwable error) implements Command {
        }

        private record Judged(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Weighed(String debater, StepScores scores, Throwable error) implements Command {
        }

        /** The verdict on the text that gave a round's winning answer. */
        private record Verified(String winner, String text, Verdict verdict, Throwable error) implements Command {
        }

        private final Debate config;
        private final List<RoundOutcome> outcomes = new ArrayList<>();
        /** The debaters' texts of the round before and of this round (the two maps swap at each round). */
        private Map<String, String> previous = new java.util.HashMap<>();
        private Map<String, String> current = new java.util.HashMap<>();
        private final Map<String, Double> weights = new LinkedHashMap<>();
        private final Map<String, String> extracted = new java.util.HashMap<>();
        private int weighing;
        private int round;

        Run(ActorContext<Command> context, Debate config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            startRound();
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Answered.class, this::onAnswered)
                    .onMessage(Judged.class, this::onJudged)
                    .onMessage(Weighed.class, this::onWeighed)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        private void startRound() {
            current.clear();
            int r = round;
            List<String> lastHeard = null;
            String lastOthers = null;
            for (String debater : config.debaters()) {
                Map<String, String> slots = Map.of();
                if (round > 0) {
                    List<String> heard = config.listensTo().get(debater);
                    if (!heard.equals(lastHeard)) { // debaters who hear the same ones (a star's spokes) share the text
                        lastHeard = heard;
                        lastOthers = others(heard, previous);
                    }
                    slots = Map.of("answer", previous.get(debater), "others", lastOthers);
                }
                ask(debater, r, r == 0 ? Phase.ANSWER : Phase.REVISE, slots,
                        (reply, error) -> new Answered(r, debater, reply, error));
            }
        }

        private Behavior<Command> onAnswered(Answered answered) {
            if (answered.error() != null) {
                return fail(answered.error(), outcomes);
            }
            current.put(answered.agent(), account(answered.reply()).text());
            if (current.size() < config.debaters().size()) {
                return this;
            }
            String[] read = new String[config.debaters().size()];
            for (int i = 0; i < read.length; i++) {
                read[i] = extract(current.get(config.debaters().get(i)));
            }
            List<String> answers = Arrays.asList(read);
            Vote vote = Vote.majority(answers);
            if (tracing()) {
                traceVote(answers, vote);
            }
            return round == config.rounds() ? aggregate(vote) : conclude(vote.winner(), textOf(vote.winner()));
        }

        private void traceVote(List<String> answers, Vote vote) {
            event(round, "vote", answers + " -> " + (vote.winner().isEmpty() ? "(none)" : vote.winner())
                    + (vote.tied() ? " (tie)" : ""));
        }

        /**
         * After the last round, the answer by the PRM-weighted vote or the judge (aggregate PRM or
         * JUDGE, or a tie with tie-break JUDGE); else the majority's.
         */
        private Behavior<Command> aggregate(Vote vote) {
            if (config.aggregate() == Aggregate.PRM) {
                for (String debater : config.debaters()) {
                    List<String> steps = PrmSearch.steps(current.get(debater));
                    if (!extract(current.get(debater)).isEmpty() && !steps.isEmpty()) {
                        weighing++;
                        score(config.scorer(), round, steps, (scores, error) -> new Weighed(debater, scores, error));
                    }
                }
                if (weighing > 0) {
                    return this;
                }
            }
            if (config.aggregate() == Aggregate.JUDGE || vote.tied() && config.tieBreak() == TieBreak.JUDGE) {
                ask(config.judge(), round, Phase.JUDGE, Map.of("others", others(config.debaters(), current)), Judged::new);
                return this;
            }
            return conclude(vote.winner(), textOf(vote.winner()));
        }

        /**
         * Ends the round with its winning answer, graded through the text that gave it (off this
         * thread); then the next round starts or, after the last, the episode ends with that text.
         */
        private Behavior<Command> conclude(String winner, String text) {
            if (winner.isEmpty()) { // nothing to grade: the round is lost
                return onVerified(new Verified(winner, text, null, null));
            }
            verify(text, (verdict, error) -> new Verified(winner, text, verdict, error));
            return this;
        }

        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), outcomes);
            }
            Verdict verdict = verified.verdict();
            outcomes.add(new RoundOutcome(round, verified.winner(), verdict != null && verdict.correct()));
            if (round == config.rounds()) {
                return verdict == null ? finish(verified.text(), outcomes) : finish(verified.text(), verdict, outcomes);
            }
            Map<String, String> done = previous;
            previous = current;
            current = done;
            round++;
            startRound();
            return this;
        }

        private Behavior<Command> onJudged(Judged judged) {
            if (judged.error() != null) {
                return fail(judged.error(), outcomes);
            }
            String text = account(judged.reply()).text();
            String answer = extract(text);
            if (answer.isEmpty()) {
                String fallback = Vote.majority(config.debaters().stream().map(d -> extract(current.get(d))).toList()).winner();
                event(round, "judge", "unreadable judgement; tie goes to the first debater's answer " + fallback);
                return conclude(fallback, textOf(fallback));
            }
            event(round, "judge", answer);
            return conclude(answer, text);
        }

        /** A PRM-weighted vote: each answer's weight is the sum of its debaters' minimum step scores. */
        private Behavior<Command> onWeighed(Weighed weighed) {
            if (weighed.error() != null) {
                return fail(weighed.error(), outcomes);
            }
            weights.put(weighed.debater(), weighed.scores().aggregate(StepScores.Aggregation.MIN));
            if (--weighing > 0) {
                return this;
            }
            Map<String, Double> byAnswer = new LinkedHashMap<>();
            for (String debater : config.debaters()) { // configured order, so a tie goes to the earliest debater
                if (weights.containsKey(debater)) {
                    byAnswer.merge(extract(current.get(debater)), weights.get(debater), Double::sum);
                }
            }
            String winner = Vote.weighted(byAnswer).winner();
            event(round, "weighted-vote", byAnswer + " -> " + winner);
            return conclude(winner, textOf(winner));
        }

        /** The text of the earliest debater whose answer is {@code winner}, else the first debater's. */
        private String textOf(String winner) {
            for (String debater : config.debaters()) {
                if (!winner.isEmpty() && winner.equals(extract(current.get(debater)))) {
                    return current.get(debater);
                }
            }
            return current.get(config.debaters().get(0));
        }

        /** The answer read from a text; each text is read once per episode (votes and {@link #textOf} read them again). */
        private String extract(String text) {
            String known = extracted.get(text);
            if (known == null) {
                Optional<String> answer = episode.environment().extractAnswer(text);
                known = answer.orElse("");
                extracted.put(text, known);
            }
            return known;
        }

        /** The texts of {@code heard}, in configured debater order. */
        private String others(List<String> heard, Map<String, String> texts) {
            int room = 0;
            for (String debater : heard) {
                String text = texts.get(debater);
                room += debater.length() + 12 + (text == null ? 4 : text.length());
            }
            StringBuilder sb = new StringBuilder(room);
            for (String debater : config.debaters()) {
                if (heard.contains(debater)) {
                    sb.append(sb.length() == 0 ? "" : "\n\n").append("Agent ").append(debater).append(":\n")
                            .append(texts.get(debater));
                }
            }
            return sb.toString();
        }
    }
}
