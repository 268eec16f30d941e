package dev.reverb.environments;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One task an agent team is graded on.
 *
 * @param id              stable identifier, unique within its environment (used for resume)
 * @param environment     the environment type that produced it, e.g. {@code gsm8k}
 * @param question        the text shown to agents
 * @param referenceAnswer the gold answer in the environment's canonical form, or empty when unknown
 * @param referenceSteps  a step-by-step reference solution (may be empty)
 * @param metadata        free-form extras (source line, difficulty, ...)
 */
public record Task(String id, String environment, String question, String referenceAnswer,
                   List<String> referenceSteps, Map<String, String> metadata) {

    public Task {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(question, "question");
        if (id.isBlank()) {
            throw new IllegalArgumentException("task id must not be blank");
        }
        referenceAnswer = referenceAnswer == null ? "" : referenceAnswer;
        referenceSteps = List.copyOf(referenceSteps == null ? List.of() : referenceSteps);
        metadata = Map.copyOf(metadata == null ? Map.of() : metadata);
    }

    public boolean hasReference() {
        return !referenceAnswer.isEmpty();
    }
}
