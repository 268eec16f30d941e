package dev.reverb.agents.protocol;

import java.util.List;
import java.util.Map;

/**
 * How a debate counts its debaters' answers into one: by majority, or weighted (a PRM's scores).
 * The answers come in the configured debater order, and a tie goes to the answer met first.
 *
 * @param winner the winning answer, empty when no answer could be read
 * @param tied   whether another answer had as many votes (as much weight)
 */
record Vote(String winner, boolean tied) {

    /** Each readable answer is one vote ({@code answers} in debater order, empty for an unreadable one); most votes win. */
    static Vote majority(List<String> answers) {
        String winner = "";
        int best = 0;
        boolean tied = false;
        int n = answers.size();
        for (int i = 0; i < n; i++) { // each answer counted at its first appearance, in order
            String answer = answers.get(i);
            if (!answer.isEmpty() && !seenBefore(answers, i)) {
                int count = 1;
                for (int j = i + 1; j < n; j++) {
                    if (answer.equals(answers.get(j))) {
                        count++;
                    }
                }
                tied = count == best || count < best && tied;
                if (count > best) {
                    best = count;
                    winner = answer;
                }
            }
        }
        return new Vote(winner, tied);
    }

    /** Whether the answer at {@code i} appeared before it. */
    private static boolean seenBefore(List<String> answers, int i) {
        String answer = answers.get(i);
        for (int j = 0; j < i; j++) {
            if (answer.equals(answers.get(j))) {
                return true;
            }
        }
        return false;
    }

    /** Each answer with the weight of its votes summed ({@code weights} in order of first vote); the heaviest wins. */
    static Vote weighted(Map<String, Double> weights) {
        String winner = weights.entrySet().stream().reduce((a, b) -> b.getValue() > a.getValue() ? b : a)
                .map(Map.Entry::getKey).orElse("");
        boolean tied = weights.entrySet().stream()
                .anyMatch(e -> !e.getKey().equals(winner) && e.getValue().equals(weights.get(winner)));
        return new Vote(winner, tied);
    }
}
