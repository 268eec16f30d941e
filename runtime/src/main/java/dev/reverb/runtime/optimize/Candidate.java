package dev.reverb.runtime.optimize;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One design the search tried, as {@code search.jsonl} records it.
 *
 * @param id              0 is the start; then in the order proposed
 * @param arm             who proposed it: {@code start}, {@code llm} (the optimizer agent) or {@code random}
 * @param response        the optimizer's answer it came from (empty for the start and random search)
 * @param yaml            the complete candidate scenario, or null when the proposal did not give a valid one
 * @param change          its difference from the start, as changed lines
 * @param errors          why it is invalid; empty when valid
 * @param correct         dev tasks solved (episodes, when a scenario has several protocols)
 * @param episodes        dev episodes run
 * @param evalTokens      model tokens its dev evaluation used
 * @param optimizerTokens model tokens the optimizer used to propose it
 * @param perTask         the fraction of each dev task's episodes that were right
 * @param failures        a few failed dev episodes: task, answer and feedback
 * @param run             its dev run folder, or null
 */
record Candidate(int id, String arm, String response, String yaml, String change, List<String> errors, int correct,
                 int episodes, long evalTokens, long optimizerTokens, Map<String, Double> perTask,
                 List<String> failures, String run) {

    Candidate {
        Objects.requireNonNull(arm, "arm");
        response = response == null ? "" : response;
        change = change == null ? "" : change;
        errors = List.copyOf(errors);
        perTask = Map.copyOf(perTask);
        failures = List.copyOf(failures);
    }

    static Candidate invalid(int id, String arm, String response, List<String> errors, long optimizerTokens) {
        return new Candidate(id, arm, response, null, "", errors, 0, 0, 0, optimizerTokens, Map.of(), List.of(), null);
    }

    boolean valid() {
        return errors.isEmpty() && yaml != null;
    }

    double accuracy() {
        return episodes == 0 ? 0 : (double) correct / episodes;
    }

    double tokensPerTask() {
        return perTask.isEmpty() ? 0 : (double) evalTokens / perTask.size();
    }

    long tokens() {
        return evalTokens + optimizerTokens;
    }

    static String score(Candidate c) {
        return String.format(Locale.ROOT, "accuracy %.3f (%d/%d), %.0f tokens/task", c.accuracy(), c.correct(),
                c.episodes(), c.tokensPerTask());
    }
}
