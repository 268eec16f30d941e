package dev.reverb.environments;

import java.util.List;
import java.util.Optional;

/**
 * An environment that can tell whether a proposed reasoning step is legal where it stands (Game
 * of 24: the operands must be among the numbers left and the arithmetic right), so step-wise
 * search protocols drop illegal steps before anything scores them.
 */
public interface StepChecker {

    /** Why {@code step} cannot follow {@code previous} in {@code task}, or empty when it can. Never throws. */
    Optional<String> rejectStep(Task task, List<String> previous, String step);
}
