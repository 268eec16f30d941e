package dev.reverb.runtime.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A backend answered from a {@link CallCache} where the cache holds the call, and by the model it
 * wraps otherwise. In {@link Mode#READ_WRITE} a new answer is stored (only answers: a failed call
 * is never cached); in {@link Mode#READ} nothing is stored; in {@link Mode#REPLAY} a miss fails the
 * call (never retried) instead of reaching a model. A cached answer keeps the token counts and the
 * model name it was recorded with, so a rerun's episodes are the same as the first run's.
 */
public final class CachingBackend implements ModelBackend {

    /** What the cache does. */
    public enum Mode { READ, READ_WRITE, REPLAY }

    /** A call the cache does not hold, in {@link Mode#REPLAY}: never retried. */
    public static final class Miss extends IllegalStateException {
        public Miss(String message) {
            super(message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CachingBackend.class);

    private final ModelBackend delegate;
    private final CallCache cache;
    private final String identity;
    private final Mode mode;
    private final boolean keyByContext;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean warned = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param delegate     the model, or null in {@link Mode#REPLAY}
     * @param identity     what identifies the model in the key (backend kind, model name, URL or folder)
     * @param keyByContext whether the model's answer depends on the call's ids (the simulated stand-in),
     *                     so they belong in the key
     */
    public CachingBackend(ModelBackend delegate, CallCache cache, String identity, Mode mode, boolean keyByContext) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (delegate == null && mode != Mode.REPLAY) {
            throw new IllegalArgumentException("only a replay cache works without a model");
        }
        this.delegate = delegate;
        this.cache = Objects.requireNonNull(cache, "cache");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.keyByContext = keyByContext;
    }

    @Override
    public String name() {
        return delegate == null ? identity : delegate.name();
    }

    @Override
    public String identity() {
        return delegate == null ? identity : delegate.identity();
    }

    @Override
    public List<String> preflight() throws Exception {
        return delegate == null ? List.of() : delegate.preflight();
    }

    /** Calls answered from the cache so far. */
    public long hits() {
        return hits.get();
    }

    /** Calls the cache did not hold so far. */
    public long misses() {
        return misses.get();
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        return cached(CallCache.key(identity, request, keyByContext), CachingBackend::generation,
                CachingBackend::toJson, () -> delegate.generate(request), request.context().phase().name(),
                request.context());
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        return cached(CallCache.key(identity, request, keyByContext), CachingBackend::scores,
                CachingBackend::toJson, () -> delegate.score(request), "SCORE", request.context());
    }

    /**
     * One call through the cache: the entry under {@code key} when it holds a {@code decode}able answer;
     * else a miss (final in replay mode), or the delegate's answer, stored in read-write mode.
     */
    private <T> CompletionStage<T> cached(String key, Function<JsonNode, Optional<T>> decode,
                                          Function<T, JsonNode> encode, Supplier<CompletionStage<T>> call,
                                          String phase, CallContext context) {
        Optional<T> hit = cache.get(key).flatMap(decode);
        if (hit.isPresent()) {
            hits.incrementAndGet();
            return CompletableFuture.completedFuture(hit.get());
        }
        misses.incrementAndGet();
        if (mode == Mode.REPLAY) {
            return CompletableFuture.failedFuture(miss(context, phase));
        }
        CompletionStage<T> answer = call.get();
        return mode == Mode.READ_WRITE ? answer.thenApply(value -> {
            store(key, encode.apply(value));
            return value;
        }) : answer;
    }

    /** A cache that cannot be written (disk full, no permission) costs the next run its hits, never this call. */
    private void store(String key, JsonNode value) {
        try {
            cache.put(key, value);
        } catch (java.io.UncheckedIOException e) {
            if (!warned.getAndSet(true)) {
                LOG.warn("model '{}': answers are not being cached: {}", name(), e.getMessage());
            }
        }
    }

    private Miss miss(CallContext context, String phase) {
        return new Miss("no cached call of model '" + identity + "' for agent '" + context.agent() + "', round "
                + context.round() + ", phase " + phase + " of episode " + context.episodeId() + " in " + cache.folder());
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return !Causes.include(error, Miss.class) && delegate != null && delegate.isRetryable(error);
    }

    @Override
    public void close() {
        if (delegate != null) {
            delegate.close();
        }
    }

    static JsonNode toJson(Generation g) {
        ObjectNode o = JSON.createObjectNode();
        g.texts().forEach(o.putArray("texts")::add);
        o.put("prompt_tokens", g.promptTokens()).put("completion_tokens", g.completionTokens())
                .put("model", g.model()).put("simulated", g.simulated());
        g.notes().forEach(o.putArray("notes")::add);
        return o;
    }

    static JsonNode toJson(StepScores s) {
        ObjectNode o = JSON.createObjectNode();
        s.scores().forEach(o.putArray("scores")::add);
        o.put("prompt_tokens", s.promptTokens()).put("model", s.model());
        return o;
    }

    /** The generation an entry holds, or empty when it holds none (e.g. a score entry). */
    static Optional<Generation> generation(JsonNode v) {
        if (!v.path("texts").isArray() || v.path("texts").isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Generation(texts(v.path("texts")), v.path("prompt_tokens").asInt(),
                    v.path("completion_tokens").asInt(), v.path("model").asText(), v.path("simulated").asBoolean(),
                    texts(v.path("notes"))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Optional<StepScores> scores(JsonNode v) {
        if (!v.path("scores").isArray()) {
            return Optional.empty();
        }
        List<Double> scores = new ArrayList<>();
        v.path("scores").forEach(n -> scores.add(n.asDouble()));
        try {
            return Optional.of(new StepScores(scores, v.path("prompt_tokens").asInt(), v.path("model").asText()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
