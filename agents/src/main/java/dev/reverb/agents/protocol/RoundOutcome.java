package dev.reverb.agents.protocol;

/**
 * The team's answer after one round (debate) or trial (reflexion).
 *
 * @param round   0-based
 * @param answer  the extracted answer, empty when none could be read
 * @param correct the verifier's verdict on it
 */
public record RoundOutcome(int round, String answer, boolean correct) {
    public RoundOutcome {
        answer = answer == null ? "" : answer;
    }
}
