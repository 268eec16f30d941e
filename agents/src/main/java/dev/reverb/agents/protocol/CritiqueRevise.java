package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.Phase;
import dev.reverb.environments.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.reverb.environments.SettingsSpec;

/**
 * Critique → revise (Self-Refine, Madaan et al., 2023, with several critics): the proposer
 * answers, every critic reviews the answer in parallel (each under its own rubric, when given)
 * and ends with {@code VERDICT: correct} or {@code VERDICT: incorrect}; when every critic
 * approves, or after {@code maxRounds} answers, the latest answer is final; otherwise the
 * proposer revises, shown all critiques. A critique without a readable verdict counts as
 * disapproval and is reported in the trace. The verifier's feedback is never shown: the critics
 * are the only feedback. An answer with no final answer that can be read gets up to {@code repairs}
 * short repair prompts first; after them the round is graded as it is, traced as "no answer found".
 */
public record CritiqueRevise(String name, String proposer, List<String> critics, Map<String, String> rubrics,
                             int maxRounds, int repairs) implements Protocol {

    /** The scenario type {@code critique-revise}: its settings, checks and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("critique-revise",
            "Critique-revise (Self-Refine with several critics).",
            SettingsSpec.builder()
                    .agent("proposer", "The agent that answers and revises.").required()
                    .agents("critics", 1, "The agents that review each answer.").required()
                    .textMap("rubrics", "A rubric per critic.")
                    .integer("max-rounds", 1, 100, 3, "Answers at most.")
                    .integer(Repairs.KEY, 0, Repairs.MAX, Repairs.DEFAULT, Repairs.DESCRIPTION)
                    .check((s, problems) -> {
                        if (s.texts("critics").contains(s.text("proposer"))) {
                            problems.at("proposer", "the proposer cannot also be one of its critics");
                        }
                        s.textMap("rubrics").keySet().stream().filter(c -> !s.texts("critics").contains(c)).sorted()
                                .forEach(c -> problems.atKey("rubrics/" + c, "'" + c + "' is not one of this protocol's critics"));
                    })
                    .build(),
            (name, s, context) -> new CritiqueRevise(name, s.text("proposer"), s.texts("critics"), s.textMap("rubrics"),
                    s.integer("max-rounds"), s.integer(Repairs.KEY)));

    private static final Pattern VERDICT = Pattern.compile("(?i)verdict\\W*\\s*(correct|incorrect|approve[ds]?|reject(?:ed)?)");

    public CritiqueRevise {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(proposer, "proposer");
        critics = List.copyOf(critics);
        rubrics = Map.copyOf(rubrics);
        if (critics.isEmpty()) {
            throw new IllegalArgumentException("critique-revise needs at least one critic");
        }
        if (critics.contains(proposer)) {
            throw new IllegalArgumentException("the proposer cannot also be one of its critics");
        }
        if (maxRounds < 1) {
            throw new IllegalArgumentException("max-rounds must be >= 1");
        }
        Repairs.check(repairs);
    }

    /** With the default number of repair prompts. */
    public CritiqueRevise(String name, String proposer, List<String> critics, Map<String, String> rubrics, int maxRounds) {
        this(name, proposer, critics, rubrics, maxRounds, Repairs.DEFAULT);
    }

    @Override
    public List<String> agents() {
        List<String> all = new ArrayList<>();
        all.add(proposer);
        all.addAll(critics);
        return all;
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    /** A critique's verdict: true approves, false disapproves, null when none can be read (the last one counts). */
    static Boolean approves(String critique) {
        Matcher m = VERDICT.matcher(critique);
        Boolean verdict = null;
        while (m.find()) {
            String word = m.group(1).toLowerCase(Locale.ROOT);
            verdict = word.equals("correct") || word.startsWith("approve");
        }
        return verdict;
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Proposed(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Critiqued(String critic, Agent.Reply reply, Throwable error) implements Command {
        }

        private record Verified(Verdict verdict, Throwable error) implements Command {
        }

        private final CritiqueRevise config;
        private final List<RoundOutcome> rounds = new ArrayList<>();
        private final Map<String, String> critiques = new LinkedHashMap<>();
        private String answer = "";
        /** Repair prompts sent in the current round. */
        private int repaired;
        /** Whether the current round's answer has no final answer that can be read. */
        private boolean unanswered;

        Run(ActorContext<Command> context, CritiqueRevise config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            propose(0);
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Proposed.class, this::onProposed)
                    .onMessage(Critiqued.class, this::onCritiqued)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        private void propose(int round) {
            repaired = 0;
            ask(config.proposer(), round, round == 0 ? Phase.ANSWER : Phase.REVISE,
                    Map.of("answer", answer, "feedback", joined()), Proposed::new);
        }

        private Behavior<Command> onProposed(Proposed proposed) {
            if (proposed.error() != null) {
                return fail(proposed.error(), rounds);
            }
            String text = account(proposed.reply()).text();
            unanswered = !Repairs.answered(episode, text);
            if (unanswered && repaired < config.repairs()) {
                repaired++;
                event(rounds.size(), "repair", "no answer found; re-asking (" + repaired + " of " + config.repairs() + ")");
                ask(config.proposer(), rounds.size(), Phase.REVISE, Map.of("answer", text, "feedback", Repairs.feedback(text)),
                        Proposed::new);
                return this;
            }
            answer = text;
            verify(answer, Verified::new);
            return this;
        }

        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), rounds);
            }
            int round = rounds.size();
            Verdict verdict = verified.verdict();
            rounds.add(new RoundOutcome(round, verdict.extracted(), verdict.correct()));
            if (unanswered && !verdict.correct()) {
                event(round, "verdict", "incorrect: " + Repairs.noAnswer(repaired));
            }
            if (round + 1 >= config.maxRounds()) {
                event(round, "stop", "round limit");
                return finish(answer, verdict, rounds);
            }
            critiques.clear();
            for (String critic : config.critics()) {
                ask(critic, round, Phase.CRITIQUE, Map.of("candidate", answer,
                        "rubric", config.rubrics().getOrDefault(critic, "")),
                        (reply, error) -> new Critiqued(critic, reply, error));
            }
            return this;
        }

        private Behavior<Command> onCritiqued(Critiqued critiqued) {
            if (critiqued.error() != null) {
                return fail(critiqued.error(), rounds);
            }
            critiques.put(critiqued.critic(), account(critiqued.reply()).text());
            if (critiques.size() < config.critics().size()) {
                return this;
            }
            int round = rounds.size() - 1;
            List<String> verdicts = new ArrayList<>();
            boolean all = true;
            for (String critic : config.critics()) {
                Boolean approves = approves(critiques.get(critic));
                verdicts.add(critic + ": " + (approves == null ? "no verdict" : approves ? "approves" : "disapproves"));
                all &= Boolean.TRUE.equals(approves);
            }
            event(round, "critiques", String.join(", ", verdicts));
            if (all) {
                return finish(answer, rounds);
            }
            propose(round + 1);
            return this;
        }

        /** Every critique, in the configured order of the critics (not the order they arrived in). */
        private String joined() {
            StringBuilder sb = new StringBuilder();
            for (String critic : config.critics()) {
                String text = critiques.get(critic);
                if (text != null) {
                    sb.append(sb.length() == 0 ? "" : "\n\n").append("Reviewer ").append(critic).append(":\n")
                            .append(text.strip());
                }
            }
            return sb.toString();
        }
    }
}
