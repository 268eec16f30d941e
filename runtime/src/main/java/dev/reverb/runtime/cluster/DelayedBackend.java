package dev.reverb.runtime.cluster;

import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A backend whose every call takes at least {@code latency} (no thread waits: the answer is handed
 * on by a delayed executor). With the gateway's {@code concurrency} it stands in for a model server
 * with a fixed service time and a concurrency limit, for {@code reverb bench cluster} and the
 * cluster tests; the results are the wrapped backend's, so a simulated model stays labelled simulated.
 */
public final class DelayedBackend implements ModelBackend {

    private final ModelBackend inner;
    private final Executor later;

    public DelayedBackend(ModelBackend inner, Duration latency) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.later = CompletableFuture.delayedExecutor(latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String identity() {
        return inner.identity();
    }

    @Override
    public List<String> preflight() throws Exception {
        return inner.preflight();
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        return inner.generate(request).thenApplyAsync(g -> g, later);
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        return inner.score(request).thenApplyAsync(s -> s, later);
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return inner.isRetryable(error);
    }

    @Override
    public void close() {
        inner.close();
    }
}
