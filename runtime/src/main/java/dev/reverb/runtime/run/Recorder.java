package dev.reverb.runtime.run;

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
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends a run's records: every trace event to {@code trace.jsonl}, every ended episode to
 * {@code episodes.jsonl} (finished, or failed with its cause and partial trajectory). Each line is written whole and flushed before the next message, so a
 * run killed at any point leaves only complete lines (and at most one torn last line). Runs on
 * the {@code reverb.io-dispatcher}; the {@link RunListener} hears about each episode after its line
 * is on disk. A write that fails (or a listener that throws) fails the recorder, and the run
 * ends at once with "recorder failed: ..." (see {@link Runner}).
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

    public static Behavior<Command> create(RunFolder folder, RunListener listener) {
        return Behaviors.setup(ctx -> new Recorder(ctx, folder, listener));
    }

    private final RunListener listener;
    private final BufferedWriter episodes;
    private final BufferedWriter trace;

    private Recorder(ActorContext<Command> context, RunFolder folder, RunListener listener) throws IOException {
        super(context);
        this.listener = listener;
        this.episodes = append(folder.episodes());
        this.trace = append(folder.trace());
    }

    private static BufferedWriter append(Path file) throws IOException {
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Trace.class, this::onTrace)
                .onMessage(Ended.class, this::onEnded)
                .onMessageEquals(AllDone.INSTANCE, this::onAllDone)
                .onSignal(PostStop.class, signal -> close())
                .build();
    }

    private Behavior<Command> onTrace(Trace t) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", typeOf(t.event()));
        line.setAll((ObjectNode) Json.MAPPER.valueToTree(t.event()));
        write(trace, line);
        return this;
    }

    private Behavior<Command> onEnded(Ended ended) {
        EpisodeOutcome outcome = ended.outcome();
        if (outcome instanceof EpisodeOutcome.Completed completed) {
            write(episodes, withNode(episodeLine(ended.plan(), completed.result()), ended.node()));
        } else if (outcome instanceof EpisodeOutcome.Failed failed) {
            ObjectNode line = Json.MAPPER.createObjectNode();
            line.put("type", "episode_failed");
            line.put("episode_id", failed.episodeId());
            line.put("error", failed.reason());
            write(trace, line);
            write(episodes, withNode(failedLine(ended.plan(), failed), ended.node()));
        }
        listener.episodeEnded(ended.plan(), outcome);
        return this;
    }

    private static ObjectNode withNode(ObjectNode line, String node) {
        return node == null ? line : line.put("node", node);
    }

    private Behavior<Command> onAllDone() {
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

    static ObjectNode episodeLine(EpisodePlan plan, EpisodeResult r) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("episode", r.episodeId());
        line.put("task", r.taskId());
        line.put("protocol", r.protocol());
        line.put("repeat", plan.repeat());
        line.put("status", FINISHED);
        line.put("rounds", r.rounds().size());
        line.put("answer", r.verdict().extracted());
        line.put("correct", r.verdict().correct());
        line.put("reward", r.verdict().reward());
        line.put("feedback", r.verdict().feedback());
        line.put("reference", plan.task().referenceAnswer());
        ArrayNode perRound = line.putArray("per_round");
        for (RoundOutcome round : r.rounds()) {
            perRound.addObject().put("round", round.round()).put("answer", round.answer())
                    .put("correct", round.correct());
        }
        line.put("prompt_tokens", r.promptTokens());
        line.put("completion_tokens", r.completionTokens());
        line.put("model_calls", r.modelCalls());
        line.put("latency_ms", r.latencyMs());
        ArrayNode memory = line.putArray("memory_used");
        r.memoryUsed().forEach(memory::add);
        line.put("simulated", r.simulated());
        line.put("output", r.output());
        return line;
    }

    private static String typeOf(TraceEvent event) {
        String simple = event.getClass().getSimpleName();
        return simple.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }

    private static void write(BufferedWriter writer, ObjectNode line) {
        try {
            writer.write(Json.MAPPER.writeValueAsString(line));
            writer.write('\n');
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Behavior<Command> close() {
        try {
            episodes.close();
            trace.close();
        } catch (IOException e) {
            getContext().getLog().warn("closing run files: {}", e.toString());
        }
        return this;
    }
}
