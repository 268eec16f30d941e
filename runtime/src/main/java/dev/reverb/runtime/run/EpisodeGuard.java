package dev.reverb.runtime.run;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.PostStop;
import akka.actor.typed.Signal;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tells the experiment how one episode actor ended, from inside the actor, in place of a death watch
 * (a watch costs the parent and the child a system message each, and the parent a {@code Terminated}
 * message and a search of its watch map per episode). Every message and signal of the episode passes
 * through it: the first exception the protocol throws (while starting, in a message or in a signal)
 * is reported as {@code the protocol actor failed: <cause>} before the actor fails, and the actor's
 * stop ({@link PostStop}) as {@code the protocol actor stopped without reporting an outcome} unless a
 * failure was reported already. The experiment ignores the report of an episode that has ended, so
 * one that reported its outcome first (an actor's messages arrive in the order sent) is not failed.
 *
 * <p>A handler that returns its own behavior again ({@code return this}) is passed on as {@code
 * Behaviors.same()}, so the interceptor is not made anew for every message.
 */
final class EpisodeGuard extends BehaviorInterceptor<Object, Object> {

    private final Consumer<String> report;
    /** The protocol's current behavior: a handler that returns it has not changed it. */
    private Behavior<Object> current;
    private boolean reported;

    /** A guard that gives {@code report} the reason the episode actor ended, once. */
    EpisodeGuard(Consumer<String> report) {
        super(Object.class);
        this.report = Objects.requireNonNull(report, "report");
    }

    /** {@code behavior} (a protocol's episode actor), reporting through {@code report} how it ended. */
    @SuppressWarnings("unchecked")
    static Behavior<Object> guard(Behavior<?> behavior, Consumer<String> report) {
        EpisodeGuard guard = new EpisodeGuard(report);
        return Behaviors.intercept(() -> guard, (Behavior<Object>) behavior);
    }

    @Override
    public Behavior<Object> aroundStart(TypedActorContext<Object> ctx, PreStartTarget<Object> target) {
        try {
            Behavior<Object> started = target.start(ctx);
            current = started;
            return started;
        } catch (RuntimeException | Error e) {
            failed(e);
            throw e;
        }
    }

    @Override
    public Behavior<Object> aroundReceive(TypedActorContext<Object> ctx, Object msg, ReceiveTarget<Object> target) {
        Behavior<Object> next;
        try {
            next = target.apply(ctx, msg);
        } catch (RuntimeException | Error e) {
            failed(e);
            throw e;
        }
        if (next == current) {
            return Behaviors.same();
        }
        if (next != Behaviors.same() && next != Behaviors.unhandled()) {
            current = next;
        }
        return next;
    }

    @Override
    public Behavior<Object> aroundSignal(TypedActorContext<Object> ctx, Signal signal, SignalTarget<Object> target) {
        try {
            return target.apply(ctx, signal);
        } catch (RuntimeException | Error e) {
            failed(e);
            throw e;
        } finally {
            if (signal instanceof PostStop) {
                report("the protocol actor stopped without reporting an outcome (see the log)");
            }
        }
    }

    private void failed(Throwable error) {
        report("the protocol actor failed: " + Experiment.describe(error));
    }

    private void report(String reason) {
        if (!reported) {
            reported = true;
            report.accept(reason);
        }
    }
}
