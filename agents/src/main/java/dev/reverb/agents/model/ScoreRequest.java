package dev.reverb.agents.model;

import java.util.List;
import java.util.Objects;

/**
 * Ask a process reward model to score each step of a partial or complete solution.
 *
 * @param problem the task
 * @param steps   the reasoning steps so far, in order
 * @param context where the call comes from
 */
public record ScoreRequest(String problem, List<String> steps, CallContext context) {

    public ScoreRequest {
        Objects.requireNonNull(problem, "problem");
        steps = List.copyOf(steps);
        Objects.requireNonNull(context, "context");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a score request needs at least one step");
        }
    }
}
