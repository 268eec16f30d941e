package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.StatusReply;
import dev.reverb.environments.InteractiveEnvironment;
import dev.reverb.environments.Task;

/**
 * One episode of an interactive environment as an actor: agents act through it, one message per
 * action, so a slow environment never runs inside a protocol actor. Spawn it on
 * {@link #dispatcher}: the I/O dispatcher. If the session cannot be opened, every request is
 * answered with that error.
 */
public final class EnvironmentActor {

    /** The dispatcher of environment sessions, recording and memory writes (in the runtime's {@code reference.conf}). */
    public static final String IO_DISPATCHER = "reverb.io-dispatcher";

    /** {@link #IO_DISPATCHER} when the system's configuration names it, else Akka's blocking-I/O dispatcher. */
    public static DispatcherSelector dispatcher(ActorSystem<?> system) {
        return system.settings().config().hasPath(IO_DISPATCHER) ? DispatcherSelector.fromConfig(IO_DISPATCHER)
                : DispatcherSelector.blocking();
    }

    public sealed interface Command {
    }

    /** Reply with the first observation (the goal and the surroundings). */
    public record Look(ActorRef<StatusReply<String>> replyTo) implements Command {
    }

    /** Perform one action; the reply is what it did (or the error it raised). */
    public record Act(String action, ActorRef<StatusReply<InteractiveEnvironment.Outcome>> replyTo) implements Command {
    }

    public static Behavior<Command> create(InteractiveEnvironment environment, Task task) {
        return Behaviors.setup(ctx -> {
            InteractiveEnvironment.Session session;
            try {
                session = environment.session(task);
            } catch (RuntimeException e) {
                return Behaviors.receive(Command.class)
                        .onMessage(Look.class, look -> reply(look.replyTo(), e))
                        .onMessage(Act.class, act -> reply(act.replyTo(), e))
                        .build();
            }
            return Behaviors.receive(Command.class)
                    .onMessage(Look.class, look -> {
                        look.replyTo().tell(StatusReply.success(session.observation()));
                        return Behaviors.same();
                    })
                    .onMessage(Act.class, act -> {
                        try {
                            act.replyTo().tell(StatusReply.success(session.step(act.action())));
                        } catch (RuntimeException e) {
                            act.replyTo().tell(StatusReply.error(e));
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    private static <T> Behavior<Command> reply(ActorRef<StatusReply<T>> to, Throwable error) {
        to.tell(StatusReply.error(error));
        return Behaviors.same();
    }

    private EnvironmentActor() {
    }
}
