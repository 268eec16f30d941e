package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.RecipientRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.pattern.StatusReply;
import akka.util.Timeout;
import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import scala.reflect.ClassTag;
import scala.util.Try;

/**
 * Asks from inside an actor, with an explicit timeout, whose answer comes back as the message
 * {@code adapt} makes: what {@code ActorContext.askWithStatus} does, without its hand-off.
 *
 * <p>Why not the Java API's ask: it turns Akka's future into a {@code CompletionStage} whose every
 * callback runs asynchronously on the JDK's common pool, and where that pool has fewer than two
 * threads (a 2-core machine) the JDK starts a new thread for each callback: one thread per agent
 * turn. Akka's Scala API completes the ask on the replying thread and only enqueues the adapted
 * message, which is all an answer needs.
 */
public final class Asks {

    private Asks() {
    }

    /**
     * Sends the request {@code createRequest} makes to {@code target}; its {@code StatusReply} (an
     * error reply as a {@code StatusReply.ErrorMessage}, no reply within {@code timeout} as a
     * timeout exception) comes back to {@code context}'s actor as {@code adapt(value, error)}.
     */
    public static <T, Req, Res> void askWithStatus(ActorContext<T> context, Class<Res> type, RecipientRef<Req> target,
                                                   Duration timeout, Function<ActorRef<StatusReply<Res>>, Req> createRequest,
                                                   BiFunction<Res, Throwable, T> adapt) {
        scala.Function1<ActorRef<StatusReply<Res>>, Req> create = createRequest::apply;
        scala.Function1<Try<Res>, T> map = result -> result.isSuccess() ? adapt.apply(result.get(), null)
                : adapt.apply(null, result.failed().get());
        context.asScala().askWithStatus(target, create, map, Timeout.create(timeout), ClassTag.apply(type));
    }

    /** {@link #askWithStatus} for a target that answers with a plain value. */
    public static <T, Req, Res> void ask(ActorContext<T> context, Class<Res> type, RecipientRef<Req> target,
                                         Duration timeout, Function<ActorRef<Res>, Req> createRequest,
                                         BiFunction<Res, Throwable, T> adapt) {
        scala.Function1<ActorRef<Res>, Req> create = createRequest::apply;
        scala.Function1<Try<Res>, T> map = result -> result.isSuccess() ? adapt.apply(result.get(), null)
                : adapt.apply(null, result.failed().get());
        context.asScala().ask(target, create, map, Timeout.create(timeout), ClassTag.apply(type));
    }
}
