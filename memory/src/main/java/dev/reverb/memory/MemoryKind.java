package dev.reverb.memory;

/** The survey's three kinds of memory-based reinforcement. */
public enum MemoryKind {
    /** Past trajectories, successes and failures, retrieved as examples. */
    EXPERIENTIAL,
    /** Verbal reflections written on failures and successes. */
    REFLECTIVE,
    /** General insights distilled across many episodes. */
    CONCEPT
}
