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
 */
public record Sampling(double temperature, double topP, int maxTokens, List<String> stop, Long seed) {

    public static final Sampling DEFAULT = new Sampling(0.7, 1.0, 512, List.of(), null);

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
    }

    public Sampling withSeed(Long newSeed) {
        return new Sampling(temperature, topP, maxTokens, stop, newSeed);
    }
}
