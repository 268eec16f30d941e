package dev.reverb.runtime.backend;

import dev.reverb.agents.Seeds;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Injects faults in front of a backend, for chaos runs and tests. Each try of a call, independently,
 * <ul>
 *   <li>fails with a retryable {@link InjectedFault} (as a server's HTTP 500 would), with chance {@code errorRate};</li>
 *   <li>hangs: the returned stage never completes, so the gateway's timeout fires and cancels it (no
 *       thread waits), with chance {@code timeoutRate};</li>
 *   <li>comes back malformed: the wrapped model's answer cut to its first third, so no final answer
 *       can be read from it, with chance {@code malformedRate};</li>
 *   <li>passes through otherwise.</li>
 * </ul>
 * The draw is a pure function of the seed, the call's key (model, messages, sampling, seed, n and
 * ids) and the try's number for that key, so a run under faults is reproducible, and a retry of a
 * failed call draws again.
 */
public final class FaultyBackend implements ModelBackend {

    /** An injected failure; retryable. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String message) {
            super(message);
        }
    }

    /** What was injected so far. */
    public record Counts(long errors, long timeouts, long malformed, long passed) {
    }

    private final ModelBackend delegate;
    private final double errorRate;
    private final double timeoutRate;
    private final double malformedRate;
    private final long seed;
    private final Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong passed = new AtomicLong();

    /** Refuses fault rates outside [0,1] or adding up to more than 1 (the scenario's {@code faults:} too). */
    public static void checkRates(double errorRate, double timeoutRate, double malformedRate) {
        for (double rate : new double[] {errorRate, timeoutRate, malformedRate}) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("fault rates must be in [0,1], got " + rate);
            }
        }
        if (errorRate + timeoutRate + malformedRate > 1 + 1e-9) {
            throw new IllegalArgumentException("fault rates must add up to at most 1");
        }
    }

    public FaultyBackend(ModelBackend delegate, double errorRate, double timeoutRate, double malformedRate, long seed) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        checkRates(errorRate, timeoutRate, malformedRate);
        this.errorRate = errorRate;
        this.timeoutRate = timeoutRate;
        this.malformedRate = malformedRate;
        this.seed = seed;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String identity() {
        return delegate.identity();
    }

    @Override
    public List<String> preflight() throws Exception {
        return delegate.preflight();
    }

    public Counts counts() {
        return new Counts(errors.get(), timeouts.get(), malformed.get(), passed.get());
    }

    private enum Fault { ERROR, TIMEOUT, MALFORMED, NONE }

    private Fault draw(String key) {
        int attempt = tries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        double u = Seeds.uniform(seed, key, attempt);
        if (u < errorRate) {
            errors.incrementAndGet();
            return Fault.ERROR;
        }
        if (u < errorRate + timeoutRate) {
            timeouts.incrementAndGet();
            return Fault.TIMEOUT;
        }
        if (u < errorRate + timeoutRate + malformedRate) {
            malformed.incrementAndGet();
            return Fault.MALFORMED;
        }
        passed.incrementAndGet();
        return Fault.NONE;
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        return switch (draw(CallCache.key(delegate.name(), request, true))) {
            case ERROR -> CompletableFuture.failedFuture(error());
            case TIMEOUT -> new CompletableFuture<>();
            case MALFORMED -> delegate.generate(request).thenApply(FaultyBackend::malformed);
            case NONE -> delegate.generate(request);
        };
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        return switch (draw(CallCache.key(delegate.name(), request, true))) {
            case ERROR -> CompletableFuture.failedFuture(error());
            case TIMEOUT -> new CompletableFuture<>();
            // scores have no text to cut: a malformed reply is one the client could not parse
            case MALFORMED -> CompletableFuture.failedFuture(new InjectedFault(
                    "injected fault: malformed step scores from model '" + name() + "'"));
            case NONE -> delegate.score(request);
        };
    }

    private InjectedFault error() {
        return new InjectedFault("injected fault: model '" + name() + "' answered HTTP 500");
    }

    private static Generation malformed(Generation g) {
        List<String> cut = g.texts().stream().map(t -> t.substring(0, t.length() / 3)).toList();
        List<String> notes = new java.util.ArrayList<>(g.notes());
        notes.add("injected fault: the answer was cut to its first third");
        return new Generation(cut, g.promptTokens(), g.completionTokens(), g.model(), g.simulated(), notes);
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return Causes.include(error, InjectedFault.class) || delegate.isRetryable(error);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
