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

    /**
     * What model this backend really serves, for the run's records and for cache keys: the name the
     * server reports for an HTTP model, a digest of the folder for a local one. It may become more
     * precise once {@link #preflight} or a call has run; by default the configured {@link #name}.
     */
    default String identity() {
        return name();
    }

    /**
     * Checks once, before the first episode, that the model can be used (server reachable and the
     * model served; local folder loaded; reward-model marker token known). It may block for a few
     * seconds and is never called from an actor. Returns warnings to show; throws when the model
     * cannot be used, with a message naming the URL or path and the cause.
     */
    default java.util.List<String> preflight() throws Exception {
        return java.util.List.of();
    }

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
