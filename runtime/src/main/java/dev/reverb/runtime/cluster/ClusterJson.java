package dev.reverb.runtime.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;

/**
 * Lets Akka's Jackson serializer carry the agents module's sealed types inside cluster messages:
 * each value names its record ({@code "@kind"}), from a closed list (no class names on the wire).
 * Registered in {@code reverb.cluster.akka.serialization.jackson.jackson-modules}; the agents module
 * itself stays free of Jackson annotations.
 */
public final class ClusterJson extends SimpleModule {

    public ClusterJson() {
        super("reverb-cluster");
        setMixInAnnotation(EpisodeOutcome.class, Outcomes.class);
        setMixInAnnotation(TraceEvent.class, TraceEvents.class);
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = EpisodeOutcome.Completed.class, name = "completed"),
            @JsonSubTypes.Type(value = EpisodeOutcome.Failed.class, name = "failed")})
    private interface Outcomes {
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@kind")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = TraceEvent.AgentMessage.class, name = "agent_message"),
            @JsonSubTypes.Type(value = TraceEvent.ModelCall.class, name = "model_call"),
            @JsonSubTypes.Type(value = TraceEvent.ProtocolEvent.class, name = "protocol_event")})
    private interface TraceEvents {
    }
}
