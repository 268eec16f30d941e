package dev.reverb.agents.protocol;

import java.util.Collections;
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
        for (int i = 0; i < answers.size(); i++) { // each answer counted at its first appearance, in order
            String answer = answers.get(i);
            if (!answer.isEmpty() && !answers.subList(0, i).contains(answer)) {
                int count = Collections.frequency(answers.subList(i, answers.size()), answer);
                tied = count == best || count < best && tied;
                if (count > best) {
                    best = count;
                    winner = answer;
                }
            }
        }
        return new Vote(winner, tied);
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
