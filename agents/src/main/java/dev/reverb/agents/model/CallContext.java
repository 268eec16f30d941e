package dev.reverb.agents.model;

import dev.reverb.environments.Task;
import java.util.Objects;

/**
 * Where a model call comes from. Real backends ignore it except for tracing; the offline
 * {@code simulated} backend uses the task's reference solution to play a model.
 *
 * @param episodeId the episode making the call
 * @param agent     the calling agent's name
 * @param role      the calling agent's role
 * @param round     the round or trial number, 0-based
 * @param phase     what the call is for
 * @param task      the task being worked on
 */
public record CallContext(String episodeId, String agent, String role, int round, Phase phase, Task task) {

    public CallContext {
        Objects.requireNonNull(episodeId, "episodeId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(task, "task");
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0");
        }
    }
}
