package dev.reverb.agents.model;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One score in [0, 1] per step, as a process reward model judged them.
 *
 * @param scores       per step, in order
 * @param promptTokens tokens the model read
 * @param model        the model that scored
 */
public record StepScores(List<Double> scores, int promptTokens, String model) {

    /** How step scores become one solution score. */
    public enum Aggregation {
        /** The weakest step (a chain is as good as its worst link). */
        MIN,
        /** The product: the chance that every step is right, if they were independent. */
        PRODUCT,
        /** The last step's score. */
        LAST;

        public static Aggregation fromId(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT));
        }
    }

    public StepScores {
        scores = List.copyOf(scores);
        Objects.requireNonNull(model, "model");
        for (double s : scores) {
            if (Double.isNaN(s) || s < 0 || s > 1) {
                throw new IllegalArgumentException("step scores must be in [0,1], got " + s);
            }
        }
    }

    public double aggregate(Aggregation how) {
        if (scores.isEmpty()) {
            throw new IllegalStateException("no scores to aggregate");
        }
        return switch (how) {
            case MIN -> scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            case PRODUCT -> scores.stream().mapToDouble(Double::doubleValue).reduce(1, (a, b) -> a * b);
            case LAST -> scores.get(scores.size() - 1);
        };
    }
}
