package dev.reverb.agents.trace;

import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.Phase;
import java.time.Instant;
import java.util.List;

/** One line of a run's {@code trace.jsonl}: an agent message or a model call. */
public sealed interface TraceEvent {

    Instant at();

    String episodeId();

    /** An agent's natural-language message to its protocol. */
    record AgentMessage(Instant at, String episodeId, String agent, String role, int round, Phase phase,
                        String text) implements TraceEvent {
    }

    /** One model call as the gateway saw it, retries included. */
    record ModelCall(Instant at, String episodeId, String agent, int round, Phase phase, String model,
                     boolean simulated, List<ChatMessage> prompt, List<String> outputs, int promptTokens,
                     int completionTokens, long latencyMs, int attempts, String error) implements TraceEvent {
        public ModelCall {
            prompt = List.copyOf(prompt);
            outputs = List.copyOf(outputs);
        }
    }

    /** A protocol-level event: a verdict, a vote, a stop decision. */
    record ProtocolEvent(Instant at, String episodeId, String protocol, int round, String event, String detail)
            implements TraceEvent {
    }
}
