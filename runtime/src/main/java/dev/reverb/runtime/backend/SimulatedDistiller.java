package dev.reverb.runtime.backend;

import java.util.List;

/**
 * The simulated stand-in playing a distiller (concept memory), for demos and tests: canned rules,
 * never read from the tasks. Marked simulated like everything {@link SimulatedBackend} answers.
 */
final class SimulatedDistiller {

    private SimulatedDistiller() {
    }

    private static final List<String> RULES = List.of(
            "Redo every intermediate calculation exactly before stating the final answer.",
            "Check that the final answer uses every quantity the problem gives.",
            "Write one step per line so that a slip is easy to find.",
            "When feedback says an answer is wrong, find the first wrong step instead of guessing a new number.");

    /**
     * A stand-in distiller: with no insights yet it adds two canned rules; afterwards it agrees with
     * the first insight, adds one more canned rule when failures are shown, and votes down the
     * fifth insight and beyond. It never reads the tasks: its insights are placeholders.
     */
    static String distillation(String prompt) {
        int list = prompt.indexOf("The current insights");
        long shown = list < 0 ? 0 : prompt.substring(list).lines().skip(1).takeWhile(l -> !l.isBlank())
                .filter(l -> l.matches("\\d+\\. .*")).count();
        if (shown == 0) {
            return "ADD: " + RULES.get(0) + "\nADD: " + RULES.get(1);
        }
        StringBuilder ops = new StringBuilder("UPVOTE 1");
        if (prompt.contains("Tasks that were not solved:") && shown < RULES.size()) {
            ops.append("\nADD: ").append(RULES.get((int) shown));
        }
        if (shown > 4) {
            ops.append("\nDOWNVOTE ").append(shown);
        }
        return ops.toString();
    }
}
