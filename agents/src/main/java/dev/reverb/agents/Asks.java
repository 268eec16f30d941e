package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code ActorContext.askWithStatus} without a thread hand-off per reply. Akka's Java ask hands
 * back a Scala-made {@code CompletionStage} that runs every plain callback (the one
 * {@code pipeToSelf} adds) on {@code CompletableFuture}'s default executor: a hop through the
 * common pool, or, with fewer than three cores (common-pool parallelism below 2), a new thread per
 * reply. Here the reply is moved, on the thread that delivers it, into a plain future, which
 * {@code pipeToSelf} turns into a message; the adapter still runs on the asking actor's thread.
 * Call it from the actor's own thread, like {@code askWithStatus}.
 */
public final class Asks {

    private Asks() {
    }

    /**
     * Asks {@code target} and adapts its {@link StatusReply} (an error reply and a timeout become
     * the error, as with {@code askWithStatus}) into a message to this actor.
     */
    public static <T, Req, Res> void withStatus(ActorContext<T> context, RecipientRef<Req> target, Duration timeout,
                                                Function<ActorRef<StatusReply<Res>>, Req> createRequest,
                                                BiFunction<Res, Throwable, T> applyToResponse) {
        CompletableFuture<Res> reply = new CompletableFuture<>();
        AskPattern.<Req, StatusReply<Res>>ask(target, createRequest::apply, timeout, context.getSystem().scheduler())
                .whenCompleteAsync((status, error) -> {
                    if (error != null) {
                        reply.completeExceptionally(error);
                    } else if (status.isSuccess()) {
                        reply.complete(status.getValue());
                    } else {
                        reply.completeExceptionally(status.getError());
                    }
                }, Runnable::run);
        context.pipeToSelf(reply, applyToResponse::apply);
    }
}
