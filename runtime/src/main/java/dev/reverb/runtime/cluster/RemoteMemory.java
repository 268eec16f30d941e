package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import dev.reverb.environments.Task;
import dev.reverb.memory.Recall;
import dev.reverb.memory.Trajectory;
import dev.reverb.runtime.run.MemoryLink;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** A worker's view of the run's memory: every recall and every episode to keep goes to the seed's {@link MemoryDesk}. */
record RemoteMemory(ActorRef<MemoryDesk.Command> desk, Scheduler scheduler, Duration timeout) implements MemoryLink {

    RemoteMemory {
        Objects.requireNonNull(desk, "desk");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public CompletionStage<Recall> recall(Task task) {
        return AskPattern.<MemoryDesk.Command, MemoryDesk.Recalled>ask(desk,
                        replyTo -> new MemoryDesk.RecallFor(task.environment(), task.id(), task.question(), replyTo),
                        timeout, scheduler)
                .thenApply(r -> {
                    if (r.recall() == null) {
                        throw new CompletionException(new IOException("recall on the seed failed: " + r.error()));
                    }
                    return r.recall();
                });
    }

    @Override
    public CompletionStage<?> remember(Trajectory trajectory) {
        return AskPattern.<MemoryDesk.Command, MemoryDesk.Kept>ask(desk,
                replyTo -> new MemoryDesk.Keep(trajectory, replyTo), timeout, scheduler);
    }
}
