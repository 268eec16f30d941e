package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Asks;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.memory.Recall;
import dev.reverb.memory.Trajectory;
import dev.reverb.runtime.run.MemoryKeeper;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A cluster run's memory, on the seed node (the node that holds the run folder and the memory store):
 * every node's episodes recall from here and are remembered here, by the run's one {@link MemoryKeeper}
 * (which also distils, on the seed's models). Recalls run on the I/O dispatcher, as a local run's do.
 */
public final class MemoryDesk extends AbstractBehavior<MemoryDesk.Command> {

    public sealed interface Command extends JsonSerializable {
    }

    /** What memory offers a task; {@code replyTo} hears {@link Recalled}. */
    public record RecallFor(String environment, String taskId, String question, ActorRef<Recalled> replyTo)
            implements Command {
        public RecallFor {
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** A recall, or why there is none ({@code recall} null, {@code error} set). */
    public record Recalled(Recall recall, String error) implements JsonSerializable {
    }

    /** Keep a finished episode; {@code replyTo} hears {@link Kept} once it is durable (or could not be written). */
    public record Keep(Trajectory trajectory, ActorRef<Kept> replyTo) implements Command {
        public Keep {
            Objects.requireNonNull(trajectory, "trajectory");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    public enum Kept implements JsonSerializable { INSTANCE }

    private record Answer(ActorRef<Kept> replyTo) implements Command {
    }

    /**
     * @param plan    the run's memory (its store, the scopes prompts read)
     * @param keeper  the run's memory keeper, the store's one writer
     * @param timeout how long a keeper may take to keep one episode
     */
    public static Behavior<Command> create(MemoryKeeper.Plan plan, ActorRef<MemoryKeeper.Command> keeper,
                                           Duration timeout) {
        return Behaviors.setup(ctx -> new MemoryDesk(ctx, plan, keeper, timeout));
    }

    private final MemoryKeeper.Plan plan;
    private final ActorRef<MemoryKeeper.Command> keeper;
    private final Duration timeout;
    private final Executor io;

    private MemoryDesk(ActorContext<Command> context, MemoryKeeper.Plan plan, ActorRef<MemoryKeeper.Command> keeper,
                       Duration timeout) {
        super(context);
        this.plan = Objects.requireNonNull(plan, "plan");
        this.keeper = Objects.requireNonNull(keeper, "keeper");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.io = context.getSystem().dispatchers().lookup(EnvironmentActor.dispatcher(context.getSystem()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(RecallFor.class, this::onRecallFor)
                .onMessage(Keep.class, this::onKeep)
                .onMessage(Answer.class, this::onAnswer)
                .build();
    }

    private Behavior<Command> onRecallFor(RecallFor r) {
        plan.recall(r.environment(), r.taskId(), r.question(), io).whenComplete((recall, error) -> r.replyTo().tell(error == null ? new Recalled(recall, null)
                : new Recalled(null, String.valueOf((error.getCause() != null ? error.getCause() : error).getMessage()))));
        return this;
    }

    private Behavior<Command> onKeep(Keep keep) {
        Asks.ask(getContext(), MemoryKeeper.Done.class, keeper, timeout,
                ref -> new MemoryKeeper.Remember(keep.trajectory(), ref), (done, error) -> new Answer(keep.replyTo()));
        return this;
    }

    private Behavior<Command> onAnswer(Answer answer) {
        answer.replyTo().tell(Kept.INSTANCE);
        return this;
    }
}
