package dev.reverb.agents.model;

/** Why an agent is calling a model; recorded in the trace and read by the simulated backend. */
public enum Phase {
    /** A first, independent answer. */
    ANSWER,
    /** A new answer after feedback, critique, reflections or other agents' answers. */
    REVISE,
    /** A critique of another agent's answer. */
    CRITIQUE,
    /** One next reasoning step of a solution built step by step (PRM-guided search). */
    STEP,
    /** A verbal reflection on a failed (or successful) attempt. */
    REFLECT,
    /** An instruction to another agent, or the signal that the task is done (role play). */
    INSTRUCT,
    /** A final decision between candidate answers. */
    JUDGE,
    /** Process-reward scoring of reasoning steps. */
    SCORE,
    /** Distilling insights from past successes and failures (concept memory). */
    DISTILL,
    /** Proposing a changed scenario in an agentic system search ({@code reverb optimize}). */
    PROPOSE
}
