package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.protocol.RoundOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;

/**
 * Appends a run's records: every trace event to {@code trace.jsonl} (unless the run's trace is off),
 * every ended episode to {@code episodes.jsonl} (finished, or failed with its cause and partial
 * trajectory). Lines are collected while messages keep arriving and written when the recorder has
 * caught up (a {@code Flush} it sends itself lands behind them; at most {@link #BATCH} bytes
 * wait): each write is of whole lines, the trace's (in one write) before each episode's (one write
 * each), so a run killed at any point leaves only complete lines (and at most one torn last line),
 * and an episode's line is never on disk before its trace. Runs on the {@code reverb.io-dispatcher}; the {@link RunListener} hears about
 * each episode after its line is on disk. A write that fails (or a listener that throws) fails the
 * recorder, and the run ends at once with "recorder failed: ..." (see {@link Runner}).
 */
public final class Recorder extends AbstractBehavior<Recorder.Command> {

    public sealed interface Command {
    }

    public record Trace(TraceEvent event) implements Command {
    }

    /** An ended episode; {@code node} names the cluster node that ran it (null in a one-JVM run: not written). */
    public record Ended(EpisodePlan plan, EpisodeOutcome outcome, String node) implements Command {
        public Ended(EpisodePlan plan, EpisodeOutcome outcome) {
            this(plan, outcome, null);
        }
    }

    public enum AllDone implements Command { INSTANCE }

    /** Trace events wait in {@code queue}: take them. */
    private record Drain(TraceQueue queue) implements Command {
    }

    /** {@link #DRAIN_EVERY} after a drain: take what came meanwhile, or let the queue tell again when idle. */
    private record DrainDue(TraceQueue queue) implements Command {
    }

    /**
     * While events keep coming, the recorder takes them this often instead of being told of each
     * burst: a run's actors then hand the recorder's thread one message per interval, not one per
     * event or two (every tell to an idle recorder wakes its thread).
     */
    static final java.time.Duration DRAIN_EVERY = java.time.Duration.ofMillis(5);

    /** A trace sink whose events {@code recorder} writes to {@code trace.jsonl}, in the order they were emitted. */
    public static TraceSink sink(ActorRef<Command> recorder) {
        return new TraceQueue(queue -> recorder.tell(new Drain(queue)));
    }

    /** Writes what was collected: sent by the recorder to itself, so it arrives after the messages queued before it. */
    private enum Flush implements Command { INSTANCE }

    /** Bytes collected before they are written even though more messages wait. */
    static final int BATCH = 1 << 16;

    public static Behavior<Command> create(RunFolder folder, RunListener listener) {
        return create(folder, true, listener);
    }

    /** A recorder that writes {@code trace.jsonl} only when {@code traced}. */
    public static Behavior<Command> create(RunFolder folder, boolean traced, RunListener listener) {
        return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> new Recorder(ctx, timers, folder, traced, listener)));
    }

    private final RunListener listener;
    private final akka.actor.typed.javadsl.TimerScheduler<Command> timers;
    private final FileChannel episodes;
    /** Null when the run's trace is off. */
    private final FileChannel trace;
    private final TraceLines traceLines = new TraceLines();
    /** Trace lines collected, as the UTF-8 bytes written to {@code trace.jsonl}. */
    private final JsonBytes traceBuffer = new JsonBytes(BATCH + (BATCH >> 2));
    /** Episode lines collected, one after the other, as the bytes written to {@code episodes.jsonl}. */
    private final JsonBytes episodeBuffer = new JsonBytes(1 << 12);
    /** Ended episodes whose lines are in {@link #episodeBuffer}: each line is written, then the listener hears of it. */
    private final ArrayDeque<Unheard> unheard = new ArrayDeque<>();
    private boolean flushSent;
    /** Every trace queue the recorder has heard of (a run has one). */
    private final Set<TraceQueue> queues = new LinkedHashSet<>();

    private Recorder(ActorContext<Command> context, akka.actor.typed.javadsl.TimerScheduler<Command> timers,
                     RunFolder folder, boolean traced, RunListener listener) throws IOException {
        super(context);
        this.listener = listener;
        this.timers = timers;
        this.episodes = append(folder.episodes());
        this.trace = traced ? append(folder.trace()) : null;
    }

    private static FileChannel append(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Trace.class, this::onTrace)
                .onMessage(Drain.class, this::onDrain)
                .onMessage(DrainDue.class, this::onDrainDue)
                .onMessage(Ended.class, this::onEnded)
                .onMessageEquals(AllDone.INSTANCE, this::onAllDone)
                .onMessageEquals(Flush.INSTANCE, this::onFlush)
                .onSignal(PostStop.class, signal -> close())
                .build();
    }

    private Behavior<Command> onTrace(Trace t) {
        if (trace != null) {
            traceLines.append(traceBuffer, t.event());
            traceBuffer.raw('\n');
            collected();
        }
        return this;
    }

    private Behavior<Command> onDrain(Drain drain) {
        queues.add(drain.queue());
        take(drain.queue());
        timers.startSingleTimer(drain.queue(), new DrainDue(drain.queue()), DRAIN_EVERY);
        return this;
    }

    private Behavior<Command> onDrainDue(DrainDue due) {
        TraceQueue queue = due.queue();
        if (queue.isEmpty()) {
            queue.idle(); // before looking again: an event added from now on is taken below or wakes the recorder
            take(queue);
        } else {
            take(queue);
            timers.startSingleTimer(queue, new DrainDue(queue), DRAIN_EVERY);
        }
        return this;
    }

    /** Takes every event waiting in {@code queue}, and has their lines written soon. */
    private void take(TraceQueue queue) {
        if (collect(queue)) {
            collected();
        }
    }

    /** Collects the lines of every event waiting in {@code queue}; whether there were any. */
    private boolean collect(TraceQueue queue) {
        boolean any = false;
        for (TraceQueue.Waiting waiting = queue.takeAll(); waiting != null; waiting = waiting.next()) {
            if (trace != null) {
                traceLines.append(traceBuffer, waiting.event);
                traceBuffer.raw('\n');
                any = true;
                if (traceBuffer.size() >= BATCH) { // many waited: the buffer stays about BATCH bytes
                    writeTrace();
                }
            }
        }
        return any;
    }

    private Behavior<Command> onEnded(Ended ended) {
        queues.forEach(this::take); // the episode's trace, emitted before it ended, goes first
        EpisodeOutcome outcome = ended.outcome();
        if (outcome instanceof EpisodeOutcome.Completed completed) {
            TraceLines.episode(episodeBuffer, ended.plan(), completed.result(), ended.node());
            collect(ended);
        } else if (outcome instanceof EpisodeOutcome.Failed failed) {
            if (trace != null) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.put("type", "episode_failed");
                line.put("episode_id", failed.episodeId());
                line.put("error", failed.reason());
                line(traceBuffer, line);
            }
            collect(ended, withNode(failedLine(ended.plan(), failed), ended.node()));
        }
        collected();
        return this;
    }

    /** Lines were collected: they are written once the messages queued now are handled, or at once when many wait. */
    private void collected() {
        if (traceBuffer.size() + episodeBuffer.size() >= BATCH) {
            write();
        } else if (!flushSent) {
            flushSent = true;
            getContext().getSelf().tell(Flush.INSTANCE);
        }
    }

    private Behavior<Command> onFlush() {
        flushSent = false;
        write();
        return this;
    }

    /** An ended episode whose line ends at byte {@code end} of {@link #episodeBuffer}. */
    private record Unheard(Ended ended, int end) {
    }

    private void collect(Ended ended, ObjectNode line) {
        line(episodeBuffer, line);
        collect(ended);
    }

    /** {@code ended}'s line was just added to {@link #episodeBuffer}. */
    private void collect(Ended ended) {
        unheard.add(new Unheard(ended, episodeBuffer.size()));
    }

    /**
     * Writes the collected trace lines, then each episode's line, after which the listener hears of
     * that episode (so a listener that throws leaves on disk only the episodes it heard of).
     */
    private void write() {
        writeTrace();
        try {
            int start = 0;
            while (!unheard.isEmpty()) {
                Unheard next = unheard.poll();
                episodeBuffer.writeTo(episodes, start, next.end());
                start = next.end();
                listener.episodeEnded(next.ended().plan(), next.ended().outcome());
            }
            episodeBuffer.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the collected trace lines. */
    private void writeTrace() {
        try {
            write(trace, traceBuffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(FileChannel file, JsonBytes lines) throws IOException {
        if (lines.size() > 0 && file != null) {
            lines.writeTo(file, 0, lines.size());
        }
        lines.clear();
    }

    private static ObjectNode withNode(ObjectNode line, String node) {
        return node == null ? line : line.put("node", node);
    }

    private Behavior<Command> onAllDone() {
        queues.forEach(this::take);
        write();
        close();
        listener.allDone();
        return Behaviors.stopped();
    }

    /**
     * A failed episode's line: {@code "status": "failed"}, its cause, and what it did before it
     * failed (its rounds and agent messages so far); it counts as wrong over the planned episodes.
     * A later finished line of the same episode (after {@code --resume}) supersedes it.
     */
    static ObjectNode failedLine(EpisodePlan plan, EpisodeOutcome.Failed failed) {
        EpisodeOutcome.Partial partial = failed.partial();
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("episode", failed.episodeId());
        line.put("task", plan.task().id());
        line.put("protocol", plan.protocol().name());
        line.put("repeat", plan.repeat());
        line.put("status", FAILED);
        line.put("error", failed.reason());
        int rounds = partial.rounds().size();
        for (EpisodeResult.Message m : partial.messages()) {
            rounds = Math.max(rounds, m.round() + 1);
        }
        line.put("rounds", rounds);
        line.put("correct", false);
        line.put("reference", plan.task().referenceAnswer());
        ArrayNode perRound = line.putArray("per_round");
        for (RoundOutcome round : partial.rounds()) {
            perRound.addObject().put("round", round.round()).put("answer", round.answer())
                    .put("correct", round.correct());
        }
        line.put("prompt_tokens", partial.promptTokens());
        line.put("completion_tokens", partial.completionTokens());
        line.put("model_calls", partial.modelCalls());
        line.put("latency_ms", partial.latencyMs());
        ArrayNode messages = line.putArray("messages");
        for (EpisodeResult.Message m : partial.messages()) {
            ObjectNode message = messages.addObject();
            message.put("agent", m.agent()).put("round", m.round()).put("phase", m.phase().name().toLowerCase(Locale.ROOT))
                    .put("text", m.text());
            if (!m.feedback().isEmpty()) {
                message.put("feedback", m.feedback());
            }
        }
        return line;
    }

    /** The {@code status} of an episode line that finished, and of one that failed. */
    public static final String FINISHED = "finished";
    public static final String FAILED = "failed";

    private static void line(JsonBytes lines, ObjectNode line) {
        try {
            lines.utf8(Json.MAPPER.writeValueAsString(line)).raw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes the files; trace lines collected and not yet written (the recorder is stopping early) are
     * written first. Episode lines not yet written are not: nobody heard of them, and a resumed run
     * runs those episodes again.
     */
    private Behavior<Command> close() {
        try {
            queues.forEach(this::collect);
            write(trace, traceBuffer);
        } catch (IOException | UncheckedIOException e) {
            getContext().getLog().warn("writing run files: {}", e.toString());
        }
        try {
            episodes.close();
            if (trace != null) {
                trace.close();
            }
        } catch (IOException e) {
            getContext().getLog().warn("closing run files: {}", e.toString());
        }
        return this;
    }
}
