package dev.reverb.environments;

import java.util.List;
import java.util.Optional;

/**
 * What agents are graded against: a list of tasks, a way to read an answer out of free text,
 * and a verifier that turns an answer into a verdict with textual feedback.
 *
 * <p>Implementations are immutable after construction and safe to call from many threads.
 */
public interface Environment {

    /** The environment type name used in scenario files, e.g. {@code gsm8k}. */
    String type();

    /** The tasks of this run, after split, shuffle and limit. */
    List<Task> tasks();

    /** Reads the final answer out of a model's output, normalised so equal answers compare equal. */
    Optional<String> extractAnswer(String output);

    /** Grades an output for a task. Never throws on malformed output: that is a wrong answer. */
    Verdict verify(Task task, String output);

    /**
     * Whether {@link #verify} is quick, pure computation (no subprocess, no I/O, no wait), like
     * {@link #extractAnswer}: then a protocol grades in place, on its own thread, instead of handing
     * the verifier to the verifier threads and back. False unless an environment says so.
     */
    default boolean verifiesInPlace() {
        return false;
    }

    /**
     * What a researcher must know about how this environment grades, one sentence each (e.g. code
     * running without kernel isolation); a run prints them and records them in its summary.
     */
    default List<String> warnings() {
        return List.of();
    }

    /** What went wrong while loading the tasks (bad dataset lines); empty when nothing did. */
    default DatasetReport report() {
        return DatasetReport.clean("(none)", tasks().size());
    }
}
