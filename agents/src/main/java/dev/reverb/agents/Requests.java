package dev.reverb.agents;

import akka.actor.Cancellable;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * The requests an actor waits on, without an ask each: every request gets an id, every reply
 * names it and comes back through one reply address the actor made once ({@code messageAdapter}),
 * and one timer, armed at the oldest request's deadline and armed again while requests wait,
 * answers a request with no reply within {@code timeout} with a {@link TimeoutException}. So a
 * lost reply still ends its request, and a request costs no temporary actor, no promise and no
 * scheduler task of its own (an ask has all three).
 *
 * <p>An actor keeps one {@code Requests} per reply type (a message adapter is registered per
 * class) and calls {@link #cancel} when it stops. Replies are adapted on the actor's own thread,
 * so {@code adapt} may touch the actor's state. A reply that comes after its request timed out is
 * dropped (it reaches the actor as a message no behavior handles).
 *
 * @param <R> the reply type
 * @param <T> the actor's message type
 */
public final class Requests<R extends Requests.Tagged, T> {

    /** A reply that names the request it answers. */
    public interface Tagged {
        long id();
    }

    /** The timer's message; a tick of an earlier arming ({@code generation}) is stale and changes nothing. */
    private record Tick(Requests<?, ?> owner, long generation) {
    }

    /** What the actor receives for a reply or a tick that answers nothing: no behavior handles it. */
    private enum Nothing { INSTANCE }

    private record Pending<R, T>(String target, long deadline, BiFunction<R, Throwable, T> adapt) {
    }

    private final ActorContext<T> context;
    private final Duration timeout;
    private final ActorRef<R> replyTo;
    private final ActorRef<Tick> ticks;
    /** Waiting requests in the order sent, so also by deadline: all share one timeout. */
    private final Map<Long, Pending<R, T>> pending = new java.util.LinkedHashMap<>();
    private long lastId;
    /** Whether a tick is on its way (scheduled, or sent to come at once). */
    private boolean armed;
    private Cancellable timer;
    private long generation;

    public Requests(ActorContext<T> context, Class<R> type, Duration timeout) {
        this.context = context;
        this.timeout = timeout;
        this.replyTo = context.messageAdapter(type, this::answered);
        this.ticks = context.messageAdapter(Tick.class, tick -> unchecked(tick.owner().expire(tick.generation())));
    }

    /**
     * Sends {@code target} the request {@code create} makes from a new id and the reply address;
     * its reply, or a {@link TimeoutException} naming {@code name} when none comes in time, comes
     * back to the actor as the message {@code adapt} makes.
     */
    public <Q> void send(ActorRef<Q> target, String name, BiFunction<Long, ActorRef<R>, Q> create,
                         BiFunction<R, Throwable, T> adapt) {
        long id = ++lastId;
        pending.put(id, new Pending<>(name, System.nanoTime() + timeout.toNanos(), adapt));
        if (!armed) {
            arm(timeout.toNanos());
        }
        target.tell(create.apply(id, replyTo));
    }

    /** Requests still waiting for their reply. */
    public int waiting() {
        return pending.size();
    }

    /** Stops the timer: call it when the actor stops (a timer left armed would tick at a dead actor). */
    public void cancel() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        armed = false;
        generation++;
    }

    private T answered(R reply) {
        Pending<R, T> request = pending.remove(reply.id());
        return request == null ? nothing() : request.adapt().apply(reply, null);
    }

    /** The oldest request past its deadline fails; another one past it is told by a tick of its own. */
    private T expire(long tick) {
        if (tick != generation) {
            return nothing();
        }
        armed = false;
        timer = null;
        long now = System.nanoTime();
        Pending<R, T> expired = null;
        for (Iterator<Pending<R, T>> it = pending.values().iterator(); it.hasNext(); ) {
            Pending<R, T> request = it.next();
            if (request.deadline() - now > 0) {
                arm(request.deadline() - now);
                break;
            }
            if (expired != null) { // one message per tick: the next one expires at once
                armed = true;
                ticks.tell(new Tick(this, ++generation));
                break;
            }
            expired = request;
            it.remove();
        }
        if (expired == null) {
            return nothing();
        }
        return expired.adapt().apply(null, new TimeoutException("no reply from " + expired.target() + " within "
                + timeout.toMillis() + " ms"));
    }

    private void arm(long nanos) {
        armed = true;
        timer = context.scheduleOnce(Duration.ofNanos(nanos), ticks, new Tick(this, ++generation));
    }

    @SuppressWarnings("unchecked")
    private T nothing() {
        return (T) (Object) Nothing.INSTANCE;
    }

    @SuppressWarnings("unchecked")
    private static <T> T unchecked(Object message) {
        return (T) message;
    }
}
