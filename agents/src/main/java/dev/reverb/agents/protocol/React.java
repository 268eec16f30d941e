package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Asks;
import dev.reverb.agents.Agent;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.Phase;
import dev.reverb.environments.InteractiveEnvironment;
import dev.reverb.environments.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.reverb.environments.SettingsSpec;

/**
 * ReAct (Yao et al., 2023) in an interactive environment, with Reflexion between attempts: the
 * actor sees the goal, its trajectory so far and writes one action per turn (phase
 * {@code step}; the last {@code Action: ...} line of its message, else its last line); the
 * environment, an {@link EnvironmentActor} per attempt, answers with an observation. An attempt ends when the task is done, the
 * environment's budget is spent, or after {@code maxSteps} actions. After a failed attempt the
 * reflector (when there is one) reflects on the trajectory, and the next attempt starts afresh
 * with every reflection so far, up to {@code maxTrials}. The final output is the last attempt's
 * actions, one per line, which the environment's verifier replays. Each attempt is a round.
 */
public record React(String name, String actor, String reflector, int maxTrials, int maxSteps) implements Protocol {

    /** The scenario type {@code react}: its settings and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("react",
            "ReAct in an interactive environment, with Reflexion-style retries when a reflector is given.",
            SettingsSpec.builder()
                    .agent("actor", "The agent that acts in an interactive environment (textworld).").required()
                    .agent("reflector", "The agent that reflects on a failed attempt before the next.")
                    .integer("max-trials", 1, 100, null, "Attempts at most (default 3 with a reflector, else 1).")
                    .derived(s -> s.has("reflector") ? 3L : 1L) // retrying needs reflections
                    .integer("max-steps", 1, 10_000, 50, "Actions per attempt at most.")
                    .build(),
            (name, s, context) -> new React(name, s.text("actor"), s.text("reflector"), s.integer("max-trials"),
                    s.integer("max-steps")));

    private static final Pattern ACTION = Pattern.compile("(?im)^\\s*action\\s*\\d*\\s*:\\s*(.+?)\\s*$");
    private static final Pattern PREFIX = Pattern.compile("(?i)^\\s*(?:step\\s*\\d+\\s*[:.)]|\\d+[.)]|[-*>])\\s*");

    public React {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(actor, "actor");
        if (maxTrials < 1 || maxSteps < 1) {
            throw new IllegalArgumentException("max-trials and max-steps must be >= 1");
        }
        if (reflector == null && maxTrials > 1) {
            throw new IllegalArgumentException("more than one trial needs a reflector");
        }
    }

    @Override
    public List<String> agents() {
        return reflector == null || reflector.equals(actor) ? List.of(actor) : List.of(actor, reflector);
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        if (!(episode.environment() instanceof InteractiveEnvironment)) {
            throw new IllegalArgumentException("react needs an interactive environment (e.g. textworld), not "
                    + episode.environment().type());
        }
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    /** The action in an actor's message: its last "Action: ..." line, else its last non-empty line. */
    static String action(String message) {
        Matcher m = ACTION.matcher(message);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        if (found == null) {
            List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            found = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
        return PREFIX.matcher(found).replaceFirst("").strip();
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Acted(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Reflected(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Started(String observation, Throwable error) implements Command {
        }

        private record Stepped(String action, InteractiveEnvironment.Outcome outcome, Throwable error) implements Command {
        }

        private record Verified(String output, Verdict verdict, Throwable error) implements Command {
        }

        private final React config;
        private final InteractiveEnvironment world;
        private final List<RoundOutcome> rounds = new ArrayList<>();
        private final List<String> reflections = new ArrayList<>();
        private ActorRef<EnvironmentActor.Command> session;
        private final List<String> actions = new ArrayList<>();
        private final StringBuilder trajectory = new StringBuilder();
        private int valid;

        Run(ActorContext<Command> context, React config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            this.world = (InteractiveEnvironment) episode.environment();
            startTrial();
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Acted.class, this::onActed)
                    .onMessage(Reflected.class, this::onReflected)
                    .onMessage(Started.class, this::onStarted)
                    .onMessage(Stepped.class, this::onStepped)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        private void startTrial() {
            if (session != null) {
                getContext().stop(session);
            }
            int attempt = rounds.size();
            actions.clear();
            valid = 0;
            trajectory.setLength(0);
            session = getContext().spawn(EnvironmentActor.create(world, episode.task()), "environment-" + attempt,
                    EnvironmentActor.dispatcher(getContext().getSystem()));
            Asks.askWithStatus(getContext(), String.class, session, episode.askTimeout(), EnvironmentActor.Look::new,
                    (observation, error) -> new Started(observation, error));
        }

        private Behavior<Command> onStarted(Started started) {
            if (started.error() != null) {
                return fail(started.error(), rounds);
            }
            trajectory.append("Observation: ").append(started.observation().strip());
            act();
            return this;
        }

        private void act() {
            int trial = rounds.size();
            // The round tells turns apart for seeding; "step" counts the actions that worked so far.
            ask(config.actor(), trial * config.maxSteps() + actions.size(), Phase.STEP, Map.of(
                    "steps", trajectory.toString(), "step", Integer.toString(valid + 1),
                    "reflections", numbered(reflections)), Acted::new);
        }

        private Behavior<Command> onActed(Acted acted) {
            if (acted.error() != null) {
                return fail(acted.error(), rounds);
            }
            String action = action(account(acted.reply()).text());
            Asks.askWithStatus(getContext(), InteractiveEnvironment.Outcome.class, session, episode.askTimeout(),
                    ref -> new EnvironmentActor.Act(action, ref), (outcome, error) -> new Stepped(action, outcome, error));
            return this;
        }

        private Behavior<Command> onStepped(Stepped stepped) {
            if (stepped.error() != null) {
                return fail(stepped.error(), rounds);
            }
            String action = stepped.action();
            InteractiveEnvironment.Outcome outcome = stepped.outcome();
            actions.add(action);
            valid += outcome.valid() ? 1 : 0;
            trajectory.append("\nAction: ").append(action).append("\nObservation: ").append(outcome.observation().strip());
            if (!outcome.done() && !outcome.over() && actions.size() < config.maxSteps()) {
                act();
                return this;
            }
            String output = String.join("\n", actions);
            verify(output, (verdict, error) -> new Verified(output, verdict, error));
            return this;
        }

        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), rounds);
            }
            int trial = rounds.size();
            String output = verified.output();
            Verdict verdict = verified.verdict();
            rounds.add(new RoundOutcome(trial, verdict.extracted().isEmpty() ? "" : "(" + actions.size() + " actions)",
                    verdict.correct()));
            event(trial, "attempt", (verdict.correct() ? "done" : "not done") + " after " + actions.size() + " actions");
            if (verdict.correct() || rounds.size() >= config.maxTrials()) {
                return finish(output, verdict, rounds);
            }
            ask(config.reflector(), trial, Phase.REFLECT, Map.of("candidate", trajectory.toString(),
                    "feedback", verdict.feedback(), "reflections", numbered(reflections)), Reflected::new);
            return this;
        }

        private Behavior<Command> onReflected(Reflected reflected) {
            if (reflected.error() != null) {
                return fail(reflected.error(), rounds);
            }
            reflections.add(account(reflected.reply()).text().strip());
            startTrial();
            return this;
        }
    }
}
