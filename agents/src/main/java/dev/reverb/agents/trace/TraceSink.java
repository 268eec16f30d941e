package dev.reverb.agents.trace;

/**
 * Where trace events go. {@link #emit} must return at once (hand the event to a writer actor or
 * a queue); actors call it from their message handlers.
 */
@FunctionalInterface
public interface TraceSink {

    TraceSink NONE = event -> { };

    void emit(TraceEvent event);
}
