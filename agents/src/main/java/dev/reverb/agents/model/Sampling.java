package dev.reverb.agents.model;

import java.util.List;

/**
 * Sampling parameters of one generate call.
 *
 * @param temperature 0 for greedy decoding
 * @param topP        nucleus mass in (0, 1]
 * @param maxTokens   upper bound on generated tokens
 * @param stop        stop strings (the output ends before the first one)
 * @param seed        sampling seed, or {@code null} to let the backend choose
 * @param topK        sample only among the k most likely tokens; 0 for no limit (backends that
 *                    cannot restrict it ignore it)
 */
public record Sampling(double temperature, double topP, int maxTokens, List<String> stop, Long seed, int topK) {

    public static final Sampling DEFAULT = new Sampling(0.7, 1.0, 512, List.of(), null);

    /** Without a top-k limit. */
    public Sampling(double temperature, double topP, int maxTokens, List<String> stop, Long seed) {
        this(temperature, topP, maxTokens, stop, seed, 0);
    }

    public Sampling {
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, was " + temperature);
        }
        if (topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("top-p must be in (0,1], was " + topP);
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max-tokens must be >= 1, was " + maxTokens);
        }
        stop = List.copyOf(stop == null ? List.of() : stop);
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be >= 0, was " + topK);
        }
    }

    public Sampling withSeed(Long newSeed) {
        return new Sampling(temperature, topP, maxTokens, stop, newSeed, topK);
    }
}
