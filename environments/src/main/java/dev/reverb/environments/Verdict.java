package dev.reverb.environments;

import java.util.Objects;

/**
 * The verifier's judgement of one answer.
 *
 * @param correct   whether the answer is accepted
 * @param reward    a scalar reward in [0, 1] (1 for correct in exact-match environments)
 * @param extracted the answer the verifier read out of the text, or empty when none was found
 * @param feedback  natural-language feedback an agent can act on
 */
public record Verdict(boolean correct, double reward, String extracted, String feedback) {

    public Verdict {
        Objects.requireNonNull(feedback, "feedback");
        extracted = extracted == null ? "" : extracted;
        if (Double.isNaN(reward) || reward < 0 || reward > 1) {
            throw new IllegalArgumentException("reward must be in [0,1], was " + reward);
        }
    }
}
