package dev.reverb.runtime.optimize;

import java.util.Locale;

/** What an agentic system search changes. */
public enum Level {
    /** Rewrites of the agents' prompt templates (OPRO-style). */
    PROMPT,
    /** The protocols' settings that their descriptors declare: rounds, topology, aggregation, agents (DSPy-style). */
    MODULE,
    /** New roles and team compositions as scenario fragments, seeded by an archive of designs (ADAS-style). */
    AGENT;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Level fromId(String id) {
        return valueOf(id.strip().toUpperCase(Locale.ROOT));
    }
}
