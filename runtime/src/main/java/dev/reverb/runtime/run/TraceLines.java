package dev.reverb.runtime.run;

import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.protocol.RoundOutcome;
import dev.reverb.agents.trace.TraceEvent;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Trace events as the lines of {@code trace.jsonl}, written straight into a buffer of UTF-8 bytes
 * ({@link JsonBytes}): the same bytes {@link Json#MAPPER} makes of {@code {"type": ..., <the event's
 * fields>}} (snake_case names in record order, ISO-8601 instants, Jackson's string escapes), without
 * building a tree or a String per event. Not thread-safe (it caches the formatted second of the last
 * instant): one per writer. A finished episode's line of {@code episodes.jsonl} is built the same way
 * ({@link #episode}).
 */
final class TraceLines {

    private static final byte[] MODEL_CALL = JsonBytes.ascii("{\"type\":\"model_call\"");
    private static final byte[] AGENT_MESSAGE = JsonBytes.ascii("{\"type\":\"agent_message\"");
    private static final byte[] PROTOCOL_EVENT = JsonBytes.ascii("{\"type\":\"protocol_event\"");
    private static final byte[] AT = JsonBytes.field("at");
    private static final byte[] EPISODE_ID = JsonBytes.field("episode_id");
    private static final byte[] AGENT = JsonBytes.field("agent");
    private static final byte[] ROUND = JsonBytes.field("round");
    private static final byte[] PHASE = JsonBytes.field("phase");
    private static final byte[] MODEL = JsonBytes.field("model");
    private static final byte[] SIMULATED = JsonBytes.field("simulated");
    private static final byte[] PROMPT = JsonBytes.ascii(",\"prompt\":[");
    private static final byte[] FIRST_ROLE = JsonBytes.ascii("{\"role\":");
    private static final byte[] NEXT_ROLE = JsonBytes.ascii(",{\"role\":");
    private static final byte[] CONTENT = JsonBytes.field("content");
    private static final byte[] OUTPUTS = JsonBytes.ascii("],\"outputs\":[");
    private static final byte[] PROMPT_TOKENS = JsonBytes.field("prompt_tokens");
    private static final byte[] COMPLETION_TOKENS = JsonBytes.field("completion_tokens");
    private static final byte[] LATENCY_MS = JsonBytes.field("latency_ms");
    private static final byte[] ATTEMPTS = JsonBytes.field("attempts");
    private static final byte[] ERROR = JsonBytes.field("error");
    private static final byte[] IDENTITY = JsonBytes.field("identity");
    private static final byte[] TRIES = JsonBytes.ascii(",\"tries\":[");
    private static final byte[] FIRST_ATTEMPT = JsonBytes.ascii("{\"attempt\":");
    private static final byte[] NEXT_ATTEMPT = JsonBytes.ascii(",{\"attempt\":");
    private static final byte[] ROLE = JsonBytes.field("role");
    private static final byte[] TEXT = JsonBytes.field("text");
    private static final byte[] PROTOCOL = JsonBytes.field("protocol");
    private static final byte[] EVENT = JsonBytes.field("event");
    private static final byte[] DETAIL = JsonBytes.field("detail");
    private static final byte[] END_ARRAY_OBJECT = JsonBytes.ascii("]}");

    private static final byte[] EPISODE = JsonBytes.ascii("{\"episode\":");
    private static final byte[] TASK = JsonBytes.field("task");
    private static final byte[] REPEAT = JsonBytes.field("repeat");
    private static final byte[] STATUS_FINISHED = JsonBytes.ascii(",\"status\":\"" + Recorder.FINISHED + "\"");
    private static final byte[] ROUNDS = JsonBytes.field("rounds");
    private static final byte[] ANSWER = JsonBytes.field("answer");
    private static final byte[] CORRECT = JsonBytes.field("correct");
    private static final byte[] REWARD = JsonBytes.field("reward");
    private static final byte[] FEEDBACK = JsonBytes.field("feedback");
    private static final byte[] REFERENCE = JsonBytes.field("reference");
    private static final byte[] PER_ROUND = JsonBytes.ascii(",\"per_round\":[");
    private static final byte[] FIRST_ROUND = JsonBytes.ascii("{\"round\":");
    private static final byte[] NEXT_ROUND = JsonBytes.ascii(",{\"round\":");
    private static final byte[] MODEL_CALLS = JsonBytes.field("model_calls");
    private static final byte[] MEMORY_USED = JsonBytes.ascii(",\"memory_used\":[");
    private static final byte[] OUTPUT = JsonBytes.field("output");
    private static final byte[] NODE = JsonBytes.field("node");
    private static final byte[] END_LINE = JsonBytes.ascii("}\n");

    private long cachedSecond = Long.MIN_VALUE;
    /** {@code "} and the instant's date and time to the second, in ISO_INSTANT's form. */
    private byte[] cachedPrefix = new byte[0];

    /** Appends {@code event}'s line, without the line break. */
    void append(JsonBytes out, TraceEvent event) {
        if (event instanceof TraceEvent.ModelCall c) {
            out.raw(MODEL_CALL);
            common(out, c.at(), c.episodeId());
            out.raw(AGENT).string(c.agent());
            out.raw(ROUND).number(c.round());
            out.raw(PHASE).string(c.phase() == null ? null : c.phase().name());
            out.raw(MODEL).string(c.model());
            out.raw(SIMULATED).bool(c.simulated());
            out.raw(PROMPT);
            List<ChatMessage> prompt = c.prompt();
            for (int i = 0; i < prompt.size(); i++) {
                ChatMessage m = prompt.get(i);
                out.raw(i == 0 ? FIRST_ROLE : NEXT_ROLE).string(m.role().name());
                out.raw(CONTENT).string(m.content()).raw('}');
            }
            out.raw(OUTPUTS);
            strings(out, c.outputs());
            out.raw(']');
            out.raw(PROMPT_TOKENS).number(c.promptTokens());
            out.raw(COMPLETION_TOKENS).number(c.completionTokens());
            out.raw(LATENCY_MS).number(c.latencyMs());
            out.raw(ATTEMPTS).number(c.attempts());
            out.raw(ERROR).string(c.error());
            out.raw(IDENTITY).string(c.identity());
            out.raw(TRIES);
            List<TraceEvent.TryError> tries = c.tries();
            for (int i = 0; i < tries.size(); i++) {
                TraceEvent.TryError t = tries.get(i);
                out.raw(i == 0 ? FIRST_ATTEMPT : NEXT_ATTEMPT).number(t.attempt());
                out.raw(AT);
                instant(out, t.at());
                out.raw(LATENCY_MS).number(t.latencyMs());
                out.raw(ERROR).string(t.error()).raw('}');
            }
            out.raw(END_ARRAY_OBJECT);
        } else if (event instanceof TraceEvent.AgentMessage m) {
            out.raw(AGENT_MESSAGE);
            common(out, m.at(), m.episodeId());
            out.raw(AGENT).string(m.agent());
            out.raw(ROLE).string(m.role());
            out.raw(ROUND).number(m.round());
            out.raw(PHASE).string(m.phase() == null ? null : m.phase().name());
            out.raw(TEXT).string(m.text()).raw('}');
        } else if (event instanceof TraceEvent.ProtocolEvent p) {
            out.raw(PROTOCOL_EVENT);
            common(out, p.at(), p.episodeId());
            out.raw(PROTOCOL).string(p.protocol());
            out.raw(ROUND).number(p.round());
            out.raw(EVENT).string(p.event());
            out.raw(DETAIL).string(p.detail()).raw('}');
        } else {
            throw new IllegalArgumentException("unknown trace event " + event.getClass().getName());
        }
    }

    /**
     * Appends a finished episode's line of {@code episodes.jsonl} with its line break: the bytes
     * {@link Json#MAPPER} makes of the object with these fields in this order (and {@code node} when
     * not null), built without a tree.
     */
    static void episode(JsonBytes out, EpisodePlan plan, EpisodeResult r, String node) {
        double reward = r.verdict().reward(); // in [0, 1] (Verdict): Jackson writes it as Double.toString
        out.raw(EPISODE).string(r.episodeId());
        out.raw(TASK).string(r.taskId());
        out.raw(PROTOCOL).string(r.protocol());
        out.raw(REPEAT).number(plan.repeat());
        out.raw(STATUS_FINISHED);
        out.raw(ROUNDS).number(r.rounds().size());
        out.raw(ANSWER).string(r.verdict().extracted());
        out.raw(CORRECT).bool(r.verdict().correct());
        out.raw(REWARD).utf8(Double.toString(reward));
        out.raw(FEEDBACK).string(r.verdict().feedback());
        out.raw(REFERENCE).string(plan.task().referenceAnswer());
        out.raw(PER_ROUND);
        List<RoundOutcome> rounds = r.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            RoundOutcome round = rounds.get(i);
            out.raw(i == 0 ? FIRST_ROUND : NEXT_ROUND).number(round.round());
            out.raw(ANSWER).string(round.answer());
            out.raw(CORRECT).bool(round.correct()).raw('}');
        }
        out.raw(']');
        out.raw(PROMPT_TOKENS).number(r.promptTokens());
        out.raw(COMPLETION_TOKENS).number(r.completionTokens());
        out.raw(MODEL_CALLS).number(r.modelCalls());
        out.raw(LATENCY_MS).number(r.latencyMs());
        out.raw(MEMORY_USED);
        strings(out, r.memoryUsed());
        out.raw(']');
        out.raw(SIMULATED).bool(r.simulated());
        out.raw(OUTPUT).string(r.output());
        if (node != null) {
            out.raw(NODE).string(node);
        }
        out.raw(END_LINE);
    }

    /** The elements of a JSON array of strings, comma-separated. */
    private static void strings(JsonBytes out, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.raw(',');
            }
            out.string(values.get(i));
        }
    }

    private void common(JsonBytes out, Instant at, String episodeId) {
        out.raw(AT);
        instant(out, at);
        out.raw(EPISODE_ID).string(episodeId);
    }

    /** An instant as Jackson's JavaTimeModule writes it (ISO_INSTANT: fractions in groups of three digits). */
    void instant(JsonBytes out, Instant at) {
        if (at == null) {
            out.string(null);
            return;
        }
        long second = at.getEpochSecond();
        if (second < 0 || second >= 253_402_300_800L) { // outside years 1970..9999: the general formatter
            out.string(at.toString());
            return;
        }
        if (second != cachedSecond) {
            String prefix = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC).toString();
            if (prefix.length() == 16) { // LocalDateTime leaves out ":00" seconds; ISO_INSTANT does not
                prefix += ":00";
            }
            cachedPrefix = JsonBytes.ascii('"' + prefix);
            cachedSecond = second;
        }
        out.raw(cachedPrefix);
        int nano = at.getNano();
        if (nano != 0) {
            out.raw('.');
            if (nano % 1_000_000 == 0) {
                out.digits(nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                out.digits(nano / 1_000, 6);
            } else {
                out.digits(nano, 9);
            }
        }
        out.raw('Z').raw('"');
    }
}
