package dev.reverb.runtime.optimize;

import java.util.Comparator;
import java.util.List;

/**
 * What the optimizer is shown besides the current best design: the scored candidates tried so far
 * (its archive), the invalid proposals with their errors, and failures of the best design on dev
 * tasks (the answer and the verifier's feedback, never a reference answer).
 */
record History(Candidate best, List<Candidate> tried, List<String> failures) {

    History {
        tried = List.copyOf(tried);
        failures = List.copyOf(failures);
    }

    /** The common part of every level's request, after the level's own text. */
    String text() {
        StringBuilder out = new StringBuilder();
        List<Candidate> scored = tried.stream().filter(Candidate::valid)
                .sorted(Comparator.comparingDouble(Candidate::accuracy).reversed()
                        .thenComparingDouble(Candidate::tokensPerTask))
                .limit(8).toList();
        if (!scored.isEmpty()) {
            out.append("\nEarlier candidates, best first (dev accuracy, tokens per task, change against the start):\n");
            scored.forEach(c -> out.append("- #").append(c.id()).append(' ').append(Candidate.score(c))
                    .append(": ").append(brief(c.change())).append('\n'));
        }
        List<Candidate> invalid = tried.stream().filter(c -> !c.valid()).toList();
        if (!invalid.isEmpty()) {
            out.append("\nInvalid proposals; do not repeat their mistakes:\n");
            invalid.stream().skip(Math.max(0, invalid.size() - 5)).forEach(c -> out.append("- #").append(c.id())
                    .append(": ").append(brief(String.join("; ", c.errors()))).append('\n'));
        }
        if (!failures.isEmpty()) {
            out.append("\nTasks the current best design failed (its answer and the checker's feedback):\n");
            failures.forEach(f -> out.append("- ").append(brief(f)).append('\n'));
        }
        return out.toString();
    }

    static String brief(String text) {
        String one = text.replace('\n', ' ').replaceAll("\\s+", " ").strip();
        return one.length() <= 300 ? one : one.substring(0, 297) + "...";
    }
}
