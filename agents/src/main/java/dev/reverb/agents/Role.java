package dev.reverb.agents;

import java.util.Locale;

/** The roles an agent can play. A role picks the agent's default prompt and how protocols use it. */
public enum Role {
    /** Answers tasks, and answers again after feedback. */
    SOLVER,
    /** Answers, reads the other debaters' answers, critiques them and answers again. */
    DEBATER,
    /** Critiques another agent's answer. */
    CRITIC,
    /** Writes a verbal reflection on a failed attempt. */
    REFLECTOR,
    /** Chooses between candidate answers. */
    JUDGE,
    /** Compares past successes with failures and edits the list of insights (concept memory). */
    DISTILLER,
    /** Gives another agent one instruction at a time and says when the task is done (role play). */
    INSTRUCTOR,
    /** Proposes changes to a scenario (prompts, modules, agents) in an agentic system search ({@code reverb optimize}). */
    OPTIMIZER;

    /** The name used in scenario files, e.g. {@code solver}. */
    public String id() {
        return id;
    }

    /** {@link #id}, made once (it goes with every model call). */
    private final String id = name().toLowerCase(Locale.ROOT);

    public static Role fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
