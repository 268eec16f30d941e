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
 * Role play (CAMEL, Li et al., 2023): an instructor who never solves the task gives an executor
 * one instruction at a time and reads each answer; the episode ends when the instructor's message
 * contains the {@code doneToken} (or after {@code maxTurns} answers), and the executor's latest
 * answer is final. Each executor answer is a round.
 */
public record RolePlay(String name, String instructor, String executor, int maxTurns, String doneToken)
        implements Protocol {

    /** The scenario type {@code role-play}: its settings and factory. */
    public static final ProtocolDescriptor DESCRIPTOR = new ProtocolDescriptor("role-play",
            "Role-play (CAMEL): an instructor guides an executor until it says the done token.",
            SettingsSpec.builder()
                    .agent("instructor", "The agent that gives instructions and says when the task is done.").required()
                    .agent("executor", "The agent that carries out the instructions.").required()
                    .integer("max-turns", 1, 100, 4, "Executor answers at most.")
                    .text("done-token", RolePlay.DONE, "The instructor's word that ends the task.")
                    .check((s, problems) -> {
                        if (s.text("done-token").isBlank()) {
                            problems.at("done-token", "the done token cannot be blank");
                        }
                    })
                    .build(),
            (name, s, context) -> new RolePlay(name, s.text("instructor"), s.text("executor"), s.integer("max-turns"),
                    s.text("done-token")));

    public static final String DONE = "TASK_DONE";

    public RolePlay {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(instructor, "instructor");
        Objects.requireNonNull(executor, "executor");
        doneToken = doneToken == null || doneToken.isBlank() ? DONE : doneToken;
        if (instructor.equals(executor)) {
            throw new IllegalArgumentException("the instructor and the executor must be different agents");
        }
        if (maxTurns < 1) {
            throw new IllegalArgumentException("max-turns must be >= 1");
        }
    }

    @Override
    public List<String> agents() {
        return List.of(instructor, executor);
    }

    @Override
    public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
        return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
    }

    private static final class Run extends EpisodeBehavior<Run.Command> {

        sealed interface Command {
        }

        private record Instructed(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Executed(Agent.Reply reply, Throwable error) implements Command {
        }

        private record Verified(Verdict verdict, Throwable error) implements Command {
        }

        private final RolePlay config;
        private final List<RoundOutcome> rounds = new ArrayList<>();
        private final StringBuilder conversation = new StringBuilder();
        private String answer = "";

        Run(ActorContext<Command> context, RolePlay config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            super(context, episode, config.name(), config.agents(), replyTo);
            this.config = config;
            instruct();
        }

        @Override
        public Receive<Command> createReceive() {
            return newReceiveBuilder()
                    .onMessage(Instructed.class, this::onInstructed)
                    .onMessage(Executed.class, this::onExecuted)
                    .onMessage(Verified.class, this::onVerified)
                    .build();
        }

        private void instruct() {
            ask(config.instructor(), rounds.size(), Phase.INSTRUCT, Map.of("candidate", answer,
                    "others", conversation.toString()), Instructed::new);
        }

        private Behavior<Command> onInstructed(Instructed instructed) {
            if (instructed.error() != null) {
                return fail(instructed.error(), rounds);
            }
            String instruction = account(instructed.reply()).text().strip();
            say(config.instructor(), instruction);
            if (instruction.contains(config.doneToken()) && !rounds.isEmpty()) {
                event(rounds.size() - 1, "done", "the instructor ended the task");
                return finish(answer, rounds);
            }
            int round = rounds.size();
            String slot = (answer.isEmpty() ? "" : "Your previous answer:\n" + answer + "\n\n")
                    + "Your instructor says:\n" + instruction;
            ask(config.executor(), round, round == 0 ? Phase.ANSWER : Phase.REVISE, Map.of("instruction", slot),
                    Executed::new);
            return this;
        }

        private Behavior<Command> onExecuted(Executed executed) {
            if (executed.error() != null) {
                return fail(executed.error(), rounds);
            }
            answer = account(executed.reply()).text();
            say(config.executor(), answer);
            verify(answer, Verified::new);
            return this;
        }

        private Behavior<Command> onVerified(Verified verified) {
            if (verified.error() != null) {
                return fail(verified.error(), rounds);
            }
            Verdict verdict = verified.verdict();
            rounds.add(new RoundOutcome(rounds.size(), verdict.extracted(), verdict.correct()));
            if (rounds.size() >= config.maxTurns()) {
                event(rounds.size() - 1, "stop", "turn limit");
                return finish(answer, verdict, rounds);
            }
            instruct();
            return this;
        }

        private void say(String agent, String text) {
            conversation.append(conversation.length() == 0 ? "" : "\n\n").append(agent).append(": ").append(text.strip());
        }
    }
}
