package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.trace.TraceEvent;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TraceLinesTest {

    /** What the recorder wrote before it wrote lines by hand: Jackson's tree of the event after its type. */
    private static String jackson(TraceEvent event) throws Exception {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", event.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT));
        line.setAll((ObjectNode) Json.MAPPER.valueToTree(event));
        return Json.MAPPER.writeValueAsString(line);
    }

    private static String handWritten(TraceLines lines, TraceEvent event) {
        JsonBytes out = new JsonBytes(16);
        lines.append(out, event);
        return written(out);
    }

    /**
     * The bytes {@code out} writes to a channel, as the ISO-8859-1 string of those bytes (one char per byte):
     * equal to {@link #latin1} of the expected text only when the bytes are equal.
     */
    static String written(JsonBytes out) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try {
            out.writeTo(java.nio.channels.Channels.newChannel(bytes), 0, out.size());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The bytes the recorder wrote of a line Jackson made (its UTF-8 encoding), one char per byte. */
    static String latin1(String jackson) {
        return new String(jackson.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static final String TRICKY = "quote \" backslash \\ slash / tab \t cr \r nl \n bs \b ff \f nul \u0000 "
            + "unit \u001f del \u007f accents é ü ÿ \u0100 漢字 emoji \uD83D\uDE00 line sep \u2028 para \u2029 "
            + "lone high \uD83D x lone low \uDE00 reversed \uDE00\uD83D bom \uFEFF max \uFFFF "
            + "long " + "abc ".repeat(2_000) + "end \uD83D";

    @Test
    void should_write_every_event_as_jackson_does_when_texts_need_escapes() throws Exception {
        TraceLines lines = new TraceLines();
        List<TraceEvent> events = List.of(
                new TraceEvent.ModelCall(Instant.parse("2026-12-01T16:39:48.842628558Z"), "debate/t-1/r0", "alice", 2,
                        Phase.REVISE, "simulated:x", true, List.of(ChatMessage.system("sys " + TRICKY),
                        ChatMessage.user(TRICKY)), List.of("one " + TRICKY, "two"), 113, 54, 2, 1, null, "id (x)",
                        List.of()),
                new TraceEvent.ModelCall(Instant.parse("2026-01-01T00:00:00Z"), "e", "bob", 0, Phase.ANSWER, "m", false,
                        List.of(ChatMessage.user("q")), List.of(), 0, 0, 12345, 3, "model 'm' failed after 3 tries: " + TRICKY,
                        "m", List.of(new TraceEvent.TryError(1, Instant.parse("2026-01-01T00:00:00.120Z"), 120, "boom"),
                        new TraceEvent.TryError(2, Instant.parse("2026-01-01T00:00:00.000450Z"), 3, null))),
                new TraceEvent.AgentMessage(Instant.parse("2026-06-30T23:59:00Z"), "e", "carol", "debater", 1,
                        Phase.ANSWER, TRICKY),
                new TraceEvent.AgentMessage(Instant.parse("1969-12-31T23:59:59.5Z"), "e", "carol", null, 1, null, null),
                new TraceEvent.ProtocolEvent(Instant.parse("2026-12-01T16:39:48.100000Z"), "e", "debate", 0, "vote",
                        "[1, 2, ] -> 1 (tie)"),
                new TraceEvent.ProtocolEvent(Instant.now(), "e", "debate", 0, "final", TRICKY));

        for (TraceEvent event : events) {
            assertThat(handWritten(lines, event)).isEqualTo(latin1(jackson(event)));
        }
    }

    @Test
    void should_format_instants_as_jackson_does_when_the_second_repeats_or_changes() throws Exception {
        TraceLines lines = new TraceLines();
        Instant start = Instant.parse("2026-12-01T16:59:59.999999999Z");
        for (long step : new long[] {0, 1, 1_000, 1_000_000, 999_999_999, 1_000_000_000, 60_000_000_000L}) {
            TraceEvent event = new TraceEvent.ProtocolEvent(start.plusNanos(step), "e", "p", 0, "x", "y");
            assertThat(handWritten(lines, event)).isEqualTo(latin1(jackson(event)));
        }
    }

    @Test
    void should_write_an_episode_line_as_jackson_does_when_texts_need_escapes_and_rewards_vary() throws Exception {
        dev.reverb.environments.Task task = new dev.reverb.environments.Task("t-1", "arithmetic", "q " + TRICKY,
                "ref " + TRICKY, List.of(), java.util.Map.of());
        EpisodePlan plan = EpisodePlan.of(task, new dev.reverb.agents.protocol.Debate("debate", List.of("a", "b"), 1,
                dev.reverb.agents.protocol.Debate.TieBreak.FIRST, null), 2, 1);
        for (double reward : new double[] {0, -0.0, 1, 0.5, 0.25, 1e-7, 1.0 / 3, 0.1 + 0.2, Double.MIN_VALUE}) {
            for (String node : new String[] {null, "node " + TRICKY}) {
                for (List<String> memory : List.of(List.<String>of(), List.of("m1", "m " + TRICKY))) {
                    dev.reverb.agents.protocol.EpisodeResult r = new dev.reverb.agents.protocol.EpisodeResult(
                            "debate/t-1/r2", "t-1", "debate", "out " + TRICKY,
                            new dev.reverb.environments.Verdict(reward > 0.4, reward, "x " + TRICKY, "fb " + TRICKY),
                            List.of(new dev.reverb.agents.protocol.RoundOutcome(0, "", false),
                                    new dev.reverb.agents.protocol.RoundOutcome(1, "a " + TRICKY, true)),
                            113, 54, 9, 17, memory, reward > 0.4, List.of());
                    ObjectNode line = episodeLine(plan, r);
                    String expected = Json.MAPPER.writeValueAsString(node == null ? line : line.put("node", node)) + "\n";
                    JsonBytes out = new JsonBytes(16);
                    TraceLines.episode(out, plan, r, node);
                    assertThat(written(out)).isEqualTo(latin1(expected));
                }
            }
        }
    }

    /** The episode line as Jackson makes it of a tree: what {@link TraceLines#episode} must write. */
    private static ObjectNode episodeLine(EpisodePlan plan, dev.reverb.agents.protocol.EpisodeResult r) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("episode", r.episodeId());
        line.put("task", r.taskId());
        line.put("protocol", r.protocol());
        line.put("repeat", plan.repeat());
        line.put("status", Recorder.FINISHED);
        line.put("rounds", r.rounds().size());
        line.put("answer", r.verdict().extracted());
        line.put("correct", r.verdict().correct());
        line.put("reward", r.verdict().reward());
        line.put("feedback", r.verdict().feedback());
        line.put("reference", plan.task().referenceAnswer());
        com.fasterxml.jackson.databind.node.ArrayNode perRound = line.putArray("per_round");
        for (dev.reverb.agents.protocol.RoundOutcome round : r.rounds()) {
            perRound.addObject().put("round", round.round()).put("answer", round.answer())
                    .put("correct", round.correct());
        }
        line.put("prompt_tokens", r.promptTokens());
        line.put("completion_tokens", r.completionTokens());
        line.put("model_calls", r.modelCalls());
        line.put("latency_ms", r.latencyMs());
        com.fasterxml.jackson.databind.node.ArrayNode memory = line.putArray("memory_used");
        r.memoryUsed().forEach(memory::add);
        line.put("simulated", r.simulated());
        line.put("output", r.output());
        return line;
    }
}
