package dev.reverb.environments.world;

import java.util.Objects;

/**
 * What one action did.
 *
 * @param observation the text the world answers with
 * @param valid       whether the action was understood and changed or reported something (false for
 *                    unknown verbs, unknown objects and failed preconditions)
 * @param done        whether the goal is reached
 * @param stepsLeft   actions left in the budget
 * @param failed      whether the budget is spent without reaching the goal
 */
public record StepResult(String observation, boolean valid, boolean done, int stepsLeft, boolean failed) {
    public StepResult {
        Objects.requireNonNull(observation, "observation");
    }
}
