package dev.reverb.runtime.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A backend with no model behind it: it answers each call with what a finished run's
 * {@code trace.jsonl} recorded for the same call (what {@code reverb replay} uses). A call is the
 * same when it comes from the same episode, agent, round and phase with the same messages (for step
 * scores: the same problem and steps); the agent's seed is a function of those, so a model's
 * answer is too. A call recorded as failed fails the same way; a call the trace does not hold fails
 * with a {@link CachingBackend.Miss}; neither is retried. Where the trace holds a call twice (a run
 * resumed after a kill reruns unfinished episodes), the later record wins.
 */
public final class TraceReplayBackend implements ModelBackend {

    /** One recorded call: its outputs, or its error. */
    private record Recorded(List<String> outputs, int promptTokens, int completionTokens, String model,
                            boolean simulated, String error) {
    }

    /** A call that failed in the recorded run, failed again: never retried. */
    public static final class RecordedFailure extends IllegalStateException {
        public RecordedFailure(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Map<String, Recorded> calls;

    private TraceReplayBackend(String name, Map<String, Recorded> calls) {
        this.name = name;
        this.calls = calls;
    }

    /**
     * The recorded calls of every model in {@code trace} (the episode and agent of a call say which
     * model made it). A torn last line (a run killed mid-write) is skipped.
     */
    public static TraceReplayBackend load(Path trace) throws IOException {
        Map<String, Recorded> calls = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException torn) {
                    continue;
                }
                if (e == null || !"model_call".equals(e.path("type").asText())) {
                    continue;
                }
                List<ChatMessage> prompt = new ArrayList<>();
                for (JsonNode m : e.path("prompt")) {
                    prompt.add(new ChatMessage(ChatMessage.Role.valueOf(m.path("role").asText().toUpperCase(Locale.ROOT)),
                            m.path("content").asText()));
                }
                List<String> outputs = new ArrayList<>();
                e.path("outputs").forEach(o -> outputs.add(o.asText()));
                String error = e.hasNonNull("error") ? e.path("error").asText() : null;
                String key = key(e.path("episode_id").asText(), e.path("agent").asText(), e.path("round").asInt(),
                        e.path("phase").asText(), prompt);
                calls.put(key, new Recorded(outputs,
                        e.path("prompt_tokens").asInt(), e.path("completion_tokens").asInt(), e.path("model").asText(),
                        e.path("simulated").asBoolean(), error));
            }
        }
        return new TraceReplayBackend("replay", calls);
    }

    /** The same recorded calls, under the name of the scenario's model {@code model}. */
    public TraceReplayBackend named(String model) {
        return new TraceReplayBackend(model, calls);
    }

    /** Recorded calls held. */
    public int size() {
        return calls.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        CallContext c = request.context();
        Recorded r = calls.get(key(c.episodeId(), c.agent(), c.round(), c.phase().name(), request.messages()));
        if (r == null) {
            return CompletableFuture.failedFuture(miss(c));
        }
        if (r.error() != null || r.outputs().isEmpty()) {
            return CompletableFuture.failedFuture(new RecordedFailure(r.error() == null ? "recorded with no output"
                    : r.error()));
        }
        return CompletableFuture.completedFuture(new Generation(r.outputs(), r.promptTokens(), r.completionTokens(),
                r.model(), r.simulated()));
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        CallContext c = request.context();
        // the gateway traces a score call as one user message: the problem, then the steps, one a line
        List<ChatMessage> prompt = List.of(ChatMessage.user(request.problem() + "\n" + String.join("\n", request.steps())));
        Recorded r = calls.get(key(c.episodeId(), c.agent(), c.round(), c.phase().name(), prompt));
        if (r == null) {
            return CompletableFuture.failedFuture(miss(c));
        }
        if (r.error() != null) {
            return CompletableFuture.failedFuture(new RecordedFailure(r.error()));
        }
        try {
            return CompletableFuture.completedFuture(new StepScores(r.outputs().stream().map(Double::parseDouble).toList(),
                    r.promptTokens(), r.model()));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new RecordedFailure("recorded step scores cannot be read: "
                    + r.outputs()));
        }
    }

    private CachingBackend.Miss miss(CallContext c) {
        return new CachingBackend.Miss("replay: the trace holds no call of model '" + name + "' for agent '"
                + c.agent() + "', round " + c.round() + ", phase " + c.phase() + " of episode " + c.episodeId()
                + " with these messages");
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return false;
    }

    private static String key(String episode, String agent, int round, String phase, List<ChatMessage> prompt) {
        ObjectNode k = JSON.createObjectNode();
        k.put("episode", episode).put("agent", agent).put("round", round).put("phase", phase);
        ArrayNode messages = k.putArray("messages");
        for (ChatMessage m : prompt) {
            messages.addObject().put("role", m.role().name()).put("content", m.content());
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsBytes(k)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
