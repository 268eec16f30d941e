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
 * Trace events as the lines of {@code trace.jsonl}, written straight into a buffer: the same text
 * {@link Json#MAPPER} makes of {@code {"type": ..., <the event's fields>}} (snake_case names in
 * record order, ISO-8601 instants, Jackson's string escapes), without building a tree per event.
 * Not thread-safe (it caches the formatted second of the last instant): one per writer. A finished
 * episode's line of {@code episodes.jsonl} is built the same way ({@link #episode}).
 */
final class TraceLines {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix = "";

    /** Appends {@code event}'s line, without the line break. */
    void append(StringBuilder out, TraceEvent event) {
        if (event instanceof TraceEvent.ModelCall c) {
            out.append("{\"type\":\"model_call\"");
            common(out, c.at(), c.episodeId());
            text(out, "agent", c.agent());
            number(out, "round", c.round());
            text(out, "phase", c.phase() == null ? null : c.phase().name());
            text(out, "model", c.model());
            out.append(",\"simulated\":").append(c.simulated());
            out.append(",\"prompt\":[");
            List<ChatMessage> prompt = c.prompt();
            for (int i = 0; i < prompt.size(); i++) {
                ChatMessage m = prompt.get(i);
                out.append(i == 0 ? "{" : ",{");
                out.append("\"role\":");
                string(out, m.role().name());
                out.append(",\"content\":");
                string(out, m.content());
                out.append('}');
            }
            out.append("],\"outputs\":[");
            List<String> outputs = c.outputs();
            for (int i = 0; i < outputs.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(out, outputs.get(i));
            }
            out.append(']');
            number(out, "prompt_tokens", c.promptTokens());
            number(out, "completion_tokens", c.completionTokens());
            number(out, "latency_ms", c.latencyMs());
            number(out, "attempts", c.attempts());
            text(out, "error", c.error());
            text(out, "identity", c.identity());
            out.append(",\"tries\":[");
            List<TraceEvent.TryError> tries = c.tries();
            for (int i = 0; i < tries.size(); i++) {
                TraceEvent.TryError t = tries.get(i);
                out.append(i == 0 ? "{" : ",{").append("\"attempt\":").append(t.attempt());
                out.append(",\"at\":");
                instant(out, t.at());
                number(out, "latency_ms", t.latencyMs());
                text(out, "error", t.error());
                out.append('}');
            }
            out.append("]}");
        } else if (event instanceof TraceEvent.AgentMessage m) {
            out.append("{\"type\":\"agent_message\"");
            common(out, m.at(), m.episodeId());
            text(out, "agent", m.agent());
            text(out, "role", m.role());
            number(out, "round", m.round());
            text(out, "phase", m.phase() == null ? null : m.phase().name());
            text(out, "text", m.text());
            out.append('}');
        } else if (event instanceof TraceEvent.ProtocolEvent p) {
            out.append("{\"type\":\"protocol_event\"");
            common(out, p.at(), p.episodeId());
            text(out, "protocol", p.protocol());
            number(out, "round", p.round());
            text(out, "event", p.event());
            text(out, "detail", p.detail());
            out.append('}');
        } else {
            throw new IllegalArgumentException("unknown trace event " + event.getClass().getName());
        }
    }

    /**
     * Appends a finished episode's line of {@code episodes.jsonl} with its line break: the text
     * {@link Json#MAPPER} makes of the object with these fields in this order (and {@code node} when
     * not null), built without a tree.
     */
    static void episode(StringBuilder out, EpisodePlan plan, EpisodeResult r, String node) {
        double reward = r.verdict().reward(); // in [0, 1] (Verdict): Jackson writes it as Double.toString
        out.append("{\"episode\":");
        string(out, r.episodeId());
        text(out, "task", r.taskId());
        text(out, "protocol", r.protocol());
        number(out, "repeat", plan.repeat());
        text(out, "status", Recorder.FINISHED);
        number(out, "rounds", r.rounds().size());
        text(out, "answer", r.verdict().extracted());
        out.append(",\"correct\":").append(r.verdict().correct());
        out.append(",\"reward\":").append(reward);
        text(out, "feedback", r.verdict().feedback());
        text(out, "reference", plan.task().referenceAnswer());
        out.append(",\"per_round\":[");
        List<RoundOutcome> rounds = r.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            RoundOutcome round = rounds.get(i);
            out.append(i == 0 ? "{" : ",{").append("\"round\":").append(round.round());
            text(out, "answer", round.answer());
            out.append(",\"correct\":").append(round.correct()).append('}');
        }
        out.append(']');
        number(out, "prompt_tokens", r.promptTokens());
        number(out, "completion_tokens", r.completionTokens());
        number(out, "model_calls", r.modelCalls());
        number(out, "latency_ms", r.latencyMs());
        out.append(",\"memory_used\":[");
        List<String> memory = r.memoryUsed();
        for (int i = 0; i < memory.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            string(out, memory.get(i));
        }
        out.append(']');
        out.append(",\"simulated\":").append(r.simulated());
        text(out, "output", r.output());
        if (node != null) {
            text(out, "node", node);
        }
        out.append("}\n");
    }

    private void common(StringBuilder out, Instant at, String episodeId) {
        out.append(",\"at\":");
        instant(out, at);
        text(out, "episode_id", episodeId);
    }

    private static void number(StringBuilder out, String name, long value) {
        out.append(",\"").append(name).append("\":").append(value);
    }

    private static void text(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        string(out, value);
    }

    /** An instant as Jackson's JavaTimeModule writes it (ISO_INSTANT: fractions in groups of three digits). */
    void instant(StringBuilder out, Instant at) {
        if (at == null) {
            out.append("null");
            return;
        }
        long second = at.getEpochSecond();
        if (second < 0 || second >= 253_402_300_800L) { // outside years 1970..9999: the general formatter
            out.append('"').append(at).append('"');
            return;
        }
        if (second != cachedSecond) {
            cachedPrefix = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC).toString();
            if (cachedPrefix.length() == 16) { // LocalDateTime leaves out ":00" seconds; ISO_INSTANT does not
                cachedPrefix += ":00";
            }
            cachedSecond = second;
        }
        out.append('"').append(cachedPrefix);
        int nano = at.getNano();
        if (nano != 0) {
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
            int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano;
            out.append('.');
            for (int d = digits - 1; d >= 0; d--) {
                out.append((char) ('0' + (value / pow10(d)) % 10));
            }
        }
        out.append("Z\"");
    }

    private static int pow10(int d) {
        int p = 1;
        for (int i = 0; i < d; i++) {
            p *= 10;
        }
        return p;
    }

    /** A JSON string with Jackson's default escapes (short forms for \b \t \n \f \r, else \\u00XX below 0x20). */
    static void string(StringBuilder out, String s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x20 && ch != '"' && ch != '\\') {
                continue;
            }
            out.append(s, start, i);
            start = i + 1;
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> out.append("\\u00").append(HEX[ch >> 4]).append(HEX[ch & 0xF]);
            }
        }
        out.append(s, start, n).append('"');
    }
}
