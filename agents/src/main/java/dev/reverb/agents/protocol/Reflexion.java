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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import dev.reverb.environments.SettingsSpec;

/**
 * Reflexion (Shinn et al., 2023): the solver attempts the task, the environment's verifier gives
 * feedback, and after a failure the reflector writes a verbal reflection on what went wrong;
 * the next trial sees every reflection so far (or, with {@code carryReflections} off, only the
 * last feedback). It stops at the first correct attempt or after {@code maxTrials}. A reply with no
 * final answer that can be read gets up to {@code repairs} short repair prompts; after them the
 * trial is graded as it is and its verdict event says "no answer found".
 */
public record Reflexion(String name, String solver, String reflector, int maxTrials, boolean carryReflections,
                        int repairs) implements Protocol {

    /** The scenario type {@code reflexion}: its settings and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("reflexion",
            "Reflexion: attempt, get the verifier's feedback, reflect, try again.",
            SettingsSpec.builder()
                    .agent("solver", "The agent that attempts the task.").required()
                    .agent("reflector", "The agent that reflects on failures.").required()
                    .integer("max-trials", 1, 100, 3, "Attempts at most.")
                    .integer(Repairs.KEY, 0, Repairs.MAX, Repairs.DEFAULT, Repairs.DESCRIPTION)
                    .build(),
            (name, s, context) -> new Reflexion(name, s.text("solver"), s.text("reflector"), s.integer("max-trials"),
                    context.carryReflections(), s.integer(Repairs.KEY)));

    public Reflexion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(solver, "solver");
        Objects.requireNonNull(reflector, "reflector");
        if (maxTrials < 1) {
            throw new IllegalArgumentException("max-trials must be >= 1");
        }
        Repairs.check(repairs);
    }

    /** With the default number of repair prompts. */
    public Reflexion(String name, String solver, String reflector, int maxTrials, boolean carryReflections) {
        this(name, solver, reflector, maxTrials, carryReflections, Repairs.DEFAULT);
    }

    @Override
    public List<String> agents() {
        return solver.equals(reflector) ? List.of(solver) : List.of(solver, reflector);
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Attempted(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Reflected(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Verified(Verdict verdict, Throwable error) implements Command {
        }

        private final Reflexion config;
        private final List<String> reflections = new ArrayList<>();
        private final List<RoundOutcome> rounds = new ArrayList<>();
        private String attempt = "";
        private Verdict verdict;
        /** Repair prompts sent in the current trial. */
        private int repaired;
        /** Whether the current trial's attempt has no answer that can be read. */
        private boolean unanswered;

        Run(ActorContext<Command> context, Reflexion config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            attempt(0);
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Attempted.class, this::onAttempted)
                    .onMessage(Reflected.class, this::onReflected)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        private void attempt(int trial) {
            repaired = 0;
            String feedback = trial > 0 && !config.carryReflections() ? verdict.feedback() : "";
            ask(config.solver(), trial, trial == 0 ? Phase.ANSWER : Phase.REVISE,
                    Map.of("reflections", config.carryReflections() ? numbered(reflections) : "",
                            "feedback", feedback, "answer", attempt),
                    Attempted::new);
        }

        private Behavior<Command> onAttempted(Attempted attempted) {
            if (attempted.error() != null) {
                return fail(attempted.error(), rounds);
            }
            String text = account(attempted.reply()).text();
            unanswered = !Repairs.answered(episode, text);
            int trial = rounds.size();
            if (unanswered && repaired < config.repairs()) {
                repaired++;
                event(trial, "repair", "no answer found; re-asking (" + repaired + " of " + config.repairs() + ")");
                ask(config.solver(), trial, Phase.REVISE, Map.of("reflections",
                        config.carryReflections() ? numbered(reflections) : "", "answer", text,
                        "feedback", Repairs.feedback(text)), Attempted::new);
                return this;
            }
            attempt = text;
            verify(attempt, Verified::new);
            return this;
        }

        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), rounds);
            }
            int trial = rounds.size();
            verdict = verified.verdict();
            rounds.add(new RoundOutcome(trial, verdict.extracted(), verdict.correct()));
            event(trial, "verdict", verdict.correct() ? "correct: " + verdict.extracted()
                    : "incorrect: " + (unanswered ? Repairs.noAnswer(repaired) : verdict.extracted()));
            if (verdict.correct() || trial + 1 >= config.maxTrials()) {
                return finish(attempt, verdict, rounds);
            }
            if (!config.carryReflections()) {
                attempt(trial + 1);
                return this;
            }
            ask(config.reflector(), trial, Phase.REFLECT, Map.of("candidate", attempt,
                    "feedback", verdict.feedback(), "reflections", numbered(reflections)), Reflected::new);
            return this;
        }

        private Behavior<Command> onReflected(Reflected reflected) {
            if (reflected.error() != null) {
                return fail(reflected.error(), rounds);
            }
            reflections.add(account(reflected.reply()).text().strip());
            attempt(rounds.size());
            return this;
        }
    }
}
