package dev.reverb.agents.model;

import java.util.Objects;

/**
 * Where a model call comes from: ids only. This is what crosses the model boundary beside the
 * messages and the sampling settings, so it never holds a task, its reference answer or its
 * reference steps: a backend sees what a real model would see. Real backends use it for tracing;
 * the offline {@code simulated} stand-in looks the task up by {@link #taskId} in the lookup it was
 * built with.
 *
 * @param episodeId the episode making the call
 * @param taskId    the id of the task being worked on
 * @param agent     the calling agent's name
 * @param role      the calling agent's role
 * @param round     the round or trial number, 0-based
 * @param phase     what the call is for
 */
public record CallContext(String episodeId, String taskId, String agent, String role, int round, Phase phase) {

    public CallContext {
        Objects.requireNonNull(episodeId, "episodeId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(phase, "phase");
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0");
        }
    }
}
