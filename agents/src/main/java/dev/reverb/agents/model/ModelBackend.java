package dev.reverb.agents.model;

import java.util.concurrent.CompletionStage;

/**
 * Something that produces completions: an HTTP client, an in-process engine, the simulated
 * stand-in. Implementations live in {@code runtime}; agents only ever reach them through a
 * {@link ModelGateway}.
 *
 * <p>{@link #generate} must not block the caller: slow work runs on the backend's own executor.
 * A failed stage is retried by the gateway when {@link #isRetryable} says so; a stage that
 * outlives the gateway's timeout is cancelled, and a backend should then free what the call holds.
 */
public interface ModelBackend extends AutoCloseable {

    /** The model name reported in traces. */
    String name();

    CompletionStage<Generation> generate(GenerateRequest request);

    /** Scores each step with a process reward model; backends without one fail the stage. */
    default CompletionStage<StepScores> score(ScoreRequest request) {
        return java.util.concurrent.CompletableFuture.failedFuture(new UnsupportedOperationException(
                "model '" + name() + "' is not a process reward model: it cannot score steps"));
    }

    /** Whether a failure is worth another try (timeouts, 5xx, connection resets); never for an unsupported call. */
    default boolean isRetryable(Throwable error) {
        return true;
    }

    @Override
    default void close() {
    }
}
