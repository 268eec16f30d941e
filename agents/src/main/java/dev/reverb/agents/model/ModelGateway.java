package dev.reverb.agents.model;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.Signal;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.pattern.StatusReply;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The only way agents reach a model. One gateway per configured model owns the backend's
 * concurrency limit, a bounded wait queue, the per-call timeout, bounded retries with
 * exponential backoff, token accounting and the model-call trace.
 *
 * <p>A gateway that fails (a backend that throws where it should return a failed future) is
 * restarted by its parent; before it restarts or stops it answers every call it holds (queued,
 * in flight or waiting for a retry) with an error naming the cause, so no caller waits out its
 * ask timeout. A backend result that arrives after the restart is dropped.
 */
public final class ModelGateway extends AbstractBehavior<ModelGateway.Command> {

    public sealed interface Command {
    }

    /** A request the gateway serves through its backend: completions or step scores. */
    private sealed interface Call extends Command permits Complete, ScoreSteps {
        CallContext context();
    }

    /**
     * Ask for completions. The answer is a {@link Completed} with the same {@code id}: an actor that
     * keeps its calls in a {@link dev.reverb.agents.Requests} gets every answer through the one reply
     * address it made, without an ask per call; a caller outside the actors asks with any {@code id}.
     * When every try failed the answer carries the error (never an exception).
     */
    public record Complete(long id, GenerateRequest request, ActorRef<Completed> replyTo) implements Call {
        @Override
        public CallContext context() {
            return request.context();
        }
    }

    /** The answer to the {@link Complete} {@code id}: the generation, or (as {@code error}) why there is none. */
    public record Completed(long id, Generation generation, String error) implements dev.reverb.agents.Requests.Tagged {
        public Completed {
            if ((generation == null) == (error == null)) {
                throw new IllegalArgumentException("a call is answered with either a generation or an error");
            }
        }
    }

    /** Ask a process reward model for one score per step; an error reply when it cannot. */
    public record ScoreSteps(ScoreRequest request, ActorRef<StatusReply<StepScores>> replyTo) implements Call {
        @Override
        public CallContext context() {
            return request.context();
        }
    }

    /** Ask for the gateway's counters. */
    public record GetUsage(ActorRef<Usage> replyTo) implements Command {
    }

    /** Counters since the gateway started. */
    public record Usage(long calls, long failures, long retries, long promptTokens, long completionTokens) {
    }

    private record Finished(Pending pending, Object result, Throwable error) {
    }

    /**
     * Calls have finished at the backend: their results wait in {@link #finishedCalls}. A control message
     * ({@link akka.dispatch.ControlMessage}): in a gateway spawned with {@link #MAILBOX} it goes ahead of
     * the calls waiting in the mailbox, so a freed slot starts the next call at once even while
     * thousands of new calls arrive.
     */
    private enum Freed implements Command, akka.dispatch.ControlMessage { INSTANCE }

    private record RetryDue(Pending pending) implements Command {
    }

    private static final class Pending {
        final Call request;
        final long startNanos = System.nanoTime();
        long tryStartNanos = startNanos;
        /** The failed tries, made at the first failure (most calls have none). */
        List<TraceEvent.TryError> tries = List.of();
        int attempts;
        boolean answered;

        Pending(Call request) {
            this.request = request;
        }
    }

    /**
     * The mailbox to spawn a gateway with ({@code akka.dispatch.UnboundedControlAwareMailbox}, configured
     * in the runtime's {@code reference.conf}), where finished calls overtake new ones; any other mailbox
     * works too, finished calls then wait their turn.
     */
    public static final String MAILBOX = "reverb.gateway-mailbox";

    public static Behavior<Command> create(ModelBackend backend, GatewaySettings settings, TraceSink trace) {
        return Behaviors.setup(ctx -> new ModelGateway(ctx, backend, settings, trace));
    }

    private final ModelBackend backend;
    private final GatewaySettings settings;
    private final TraceSink trace;
    private final Deque<Pending> queue = new ArrayDeque<>();
    /** Calls at the backend, and calls waiting for their retry: answered on a crash with the queue. */
    private final Set<Pending> active = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Pending> retrying = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Calls finished at the backend, added from the backend's threads; the gateway takes them all at its
     * next {@link Freed}. One per gateway incarnation: what a call started before a restart adds is never read.
     */
    private final java.util.Queue<Finished> finishedCalls = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Whether a {@link Freed} is on its way (set by the thread that adds to an idle {@link #finishedCalls}). */
    private final java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
    private int inFlight;
    /** Whether {@link #drain} is running (a call that finishes at once calls it again from inside). */
    private boolean draining;
    /** What made the current message's handler throw, for the answers sent before a restart. */
    private Throwable crash;
    private long calls;
    private long failures;
    private long retries;
    private long promptTokens;
    private long completionTokens;

    private ModelGateway(ActorContext<Command> context, ModelBackend backend, GatewaySettings settings,
                         TraceSink trace) {
        super(context);
        this.backend = backend;
        this.settings = settings;
        this.trace = trace;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Complete.class, guarded(this::onCall))
                .onMessage(ScoreSteps.class, guarded(this::onCall))
                .onMessage(Freed.class, guarded(this::onFreed))
                .onMessage(RetryDue.class, guarded(this::onRetryDue))
                .onMessage(GetUsage.class, this::onGetUsage)
                .onSignal(PreRestart.class, this::dropAll)
                .onSignal(PostStop.class, this::dropAll)
                .build();
    }

    /**
     * Remembers why a handler threw (the restart signal does not say), then lets it fail the actor. A
     * handler's {@code this} goes back as {@code Behaviors.same()}: the supervisor around the gateway
     * would otherwise wrap it anew after every message.
     */
    private <M> akka.japi.function.Function<M, Behavior<Command>> guarded(Function<M, Behavior<Command>> handler) {
        return message -> {
            try {
                Behavior<Command> next = handler.apply(message);
                return next == this ? Behaviors.same() : next;
            } catch (RuntimeException | Error e) {
                crash = e;
                throw e;
            }
        };
    }

    /** Before a restart or a stop: every call still held gets an error reply now. */
    private Behavior<Command> dropAll(Signal signal) {
        String why = crash == null ? "stopped" : "failed ("
                + (crash.getMessage() == null ? crash.getClass().getSimpleName() : crash.getMessage()) + ")";
        List<Pending> held = new java.util.ArrayList<>(queue);
        held.addAll(active);
        held.addAll(retrying);
        queue.clear();
        active.clear();
        retrying.clear();
        for (Pending pending : held) {
            if (!pending.answered) {
                pending.answered = true;
                failures++;
                reply(pending.request, StatusReply.error("model '" + backend.name() + "' gateway " + why
                        + "; the call was not completed"));
            }
        }
        return this;
    }

    private Behavior<Command> onCall(Call call) {
        if (inFlight < settings.concurrency()) {
            start(new Pending(call));
        } else if (queue.size() < settings.queueCapacity()) {
            queue.addLast(new Pending(call));
        } else {
            failures++;
            reply(call, StatusReply.error("model '" + backend.name() + "' is overloaded: "
                    + settings.queueCapacity() + " requests already wait (queue-capacity)"));
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    private static void reply(Call call, StatusReply<?> reply) {
        if (call instanceof Complete c) {
            c.replyTo().tell(reply.isSuccess() ? new Completed(c.id(), (Generation) reply.getValue(), null)
                    : new Completed(c.id(), null, reply.getError().getMessage()));
        } else if (call instanceof ScoreSteps s) {
            s.replyTo().tell((StatusReply<StepScores>) reply);
        }
    }

    private void start(Pending pending) {
        inFlight++;
        active.add(pending);
        pending.attempts++;
        pending.tryStartNanos = System.nanoTime();
        CompletableFuture<?> call;
        try {
            GenerateRequest generate = generateRequest(pending.request);
            call = generate != null
                    ? backend.generate(generate).toCompletableFuture()
                    : backend.score(((ScoreSteps) pending.request).request()).toCompletableFuture();
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        if (call.isDone() && !call.isCompletedExceptionally() && call.getNow(null) != null) {
            // an instant answer (a cache hit, an in-process stand-in): no timer, no hop; failures take the path below
            onFinished(new Finished(pending, call.getNow(null), null));
            return;
        }
        CompletableFuture<?> backendCall = call;
        CompletableFuture<?> timed = call.copy().orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        // a call that timed out is no longer wanted: let the backend free its slot for the retry
        // (cancelled before the gateway hears of the timeout, so a retry never overlaps it)
        CompletableFuture<?> settled = timed.whenComplete((generation, error) -> {
            if (unwrap(error) instanceof TimeoutException) {
                backendCall.cancel(true);
            }
        });
        ActorRef<Command> self = getContext().getSelf();
        settled.whenComplete((result, error) -> {
            finishedCalls.add(result == null && error == null
                    ? new Finished(pending, null, new IllegalStateException("backend returned no result"))
                    : new Finished(pending, result, unwrap(error)));
            if (signalled.compareAndSet(false, true)) {
                self.tell(Freed.INSTANCE);
            }
        });
    }

    /** Takes every call that has finished since the last {@link Freed}, then starts waiting calls in their slots. */
    private Behavior<Command> onFreed(Freed freed) {
        signalled.set(false); // a call that finishes from here on signals again
        for (Finished f; (f = finishedCalls.poll()) != null; ) {
            onFinished(f);
        }
        return this;
    }

    /** The request of a call for completions; null for a scoring call. */
    private static GenerateRequest generateRequest(Call call) {
        return call instanceof Complete c ? c.request() : null;
    }

    private Behavior<Command> onFinished(Finished finished) {
        Pending pending = finished.pending();
        if (!active.contains(pending)) {
            return this; // started before a restart, and already answered then
        }
        // It stays active until answered or rescheduled, so a throw below still answers it.
        if (finished.error() != null) {
            if (pending.tries.isEmpty()) {
                pending.tries = new java.util.ArrayList<>();
            }
            pending.tries.add(new TraceEvent.TryError(pending.attempts, Instant.now(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pending.tryStartNanos), what(finished.error())));
        }
        if (finished.error() == null) {
            calls++;
            record(pending, finished.result(), null);
            answer(pending, StatusReply.success(finished.result()));
        } else if (pending.attempts <= settings.maxRetries() && !isFinal(finished.error())
                && backend.isRetryable(finished.error())) {
            retries++;
            retrying.add(pending);
            active.remove(pending);
            inFlight--;
            Duration delay = settings.backoff().multipliedBy(1L << Math.min(pending.attempts - 1, 20));
            getContext().scheduleOnce(delay, getContext().getSelf(), new RetryDue(pending));
        } else {
            failures++;
            String message = describe(finished.error(), pending.attempts);
            record(pending, null, message);
            answer(pending, StatusReply.error(message));
        }
        drain();
        return this;
    }

    private void answer(Pending pending, StatusReply<?> reply) {
        active.remove(pending);
        inFlight--;
        pending.answered = true;
        reply(pending.request, reply);
    }

    /** Failures that another try cannot fix, whatever the backend says: an unsupported call, a request too long for the model. */
    private static boolean isFinal(Throwable error) {
        return error instanceof UnsupportedOperationException || error instanceof ContextLengthExceeded;
    }

    private Behavior<Command> onRetryDue(RetryDue due) {
        if (!retrying.remove(due.pending())) {
            return this; // scheduled before a restart, and already answered then
        }
        queue.addFirst(due.pending());
        drain();
        return this;
    }

    private Behavior<Command> onGetUsage(GetUsage get) {
        get.replyTo().tell(new Usage(calls, failures, retries, promptTokens, completionTokens));
        return this;
    }

    private void drain() {
        if (draining) { // a call that finished at once, inside start(): the loop below goes on
            return;
        }
        draining = true;
        try {
            while (inFlight < settings.concurrency() && !queue.isEmpty()) {
                start(queue.pollFirst());
            }
        } finally {
            draining = false;
        }
    }

    /** Counts the call's tokens and traces it; {@code result} is null when every try failed. */
    private void record(Pending pending, Object result, String error) {
        CallContext c = pending.request.context();
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pending.startNanos);
        List<ChatMessage> prompt;
        List<String> outputs = List.of();
        String model = backend.name();
        int read = 0;
        int written = 0;
        boolean simulated = false;
        GenerateRequest generate = generateRequest(pending.request);
        if (generate != null) {
            prompt = generate.messages();
        } else {
            ScoreRequest s = ((ScoreSteps) pending.request).request();
            prompt = List.of(ChatMessage.user(s.problem() + "\n" + String.join("\n", s.steps())));
        }
        if (result instanceof Generation g) {
            outputs = g.texts();
            model = g.model();
            read = g.promptTokens();
            written = g.completionTokens();
            simulated = g.simulated();
        } else if (result instanceof StepScores s) {
            outputs = s.scores().stream().map(String::valueOf).toList();
            model = s.model();
            read = s.promptTokens();
        }
        promptTokens += read;
        completionTokens += written;
        if (trace == TraceSink.NONE) {
            return;
        }
        trace.emit(new TraceEvent.ModelCall(Instant.now(), c.episodeId(), c.agent(), c.round(), c.phase(), model,
                simulated, prompt, outputs, read, written, latency, pending.attempts, error, identity(),
                pending.tries));
        if (result instanceof Generation g) {
            for (String note : g.notes()) {
                trace.emit(new TraceEvent.ProtocolEvent(Instant.now(), c.episodeId(), "model", c.round(), "model-note",
                        g.model() + ": " + note));
            }
        }
    }

    private String describe(Throwable error, int attempts) {
        return "model '" + backend.name() + "' failed after " + attempts + (attempts == 1 ? " try: " : " tries: ")
                + what(error);
    }

    /** One try's error in words: a timeout says its limit, anything else its message (or its type when it has none). */
    private String what(Throwable error) {
        if (error instanceof TimeoutException) {
            return "timed out after " + settings.timeout().toMillis() + " ms";
        }
        return error.getMessage() == null ? error.getClass().getName() : error.getMessage();
    }

    /** The backend's identity; a backend whose identity() throws is named by its configured name. */
    private String identity() {
        try {
            return backend.identity();
        } catch (RuntimeException e) {
            return backend.name();
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
