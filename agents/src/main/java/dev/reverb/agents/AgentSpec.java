package dev.reverb.agents;

import dev.reverb.agents.model.Sampling;
import java.util.Objects;

/**
 * One configured agent.
 *
 * @param name     unique within a scenario
 * @param role     what it does
 * @param model    the name of the model (gateway) it calls
 * @param prompt   its prompt template
 * @param sampling its sampling parameters
 */
public record AgentSpec(String name, Role role, String model, PromptTemplate prompt, Sampling sampling) {

    public AgentSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
    }
}
