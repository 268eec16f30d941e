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

    /**
     * One model call as the gateway saw it, retries included.
     *
     * @param model    the model name the backend reported for this call (the server's, for an HTTP model)
     * @param identity the backend's {@code identity()}: what model it serves
     * @param error    why the call failed after its last try, or null when it succeeded
     * @param tries    one entry per failed try, in order (a call that succeeded after retries has them too)
     */
    record ModelCall(Instant at, String episodeId, String agent, int round, Phase phase, String model,
                     boolean simulated, List<ChatMessage> prompt, List<String> outputs, int promptTokens,
                     int completionTokens, long latencyMs, int attempts, String error, String identity,
                     List<TryError> tries) implements TraceEvent {
        public ModelCall {
            prompt = List.copyOf(prompt);
            outputs = List.copyOf(outputs);
            tries = List.copyOf(tries);
        }

        public ModelCall(Instant at, String episodeId, String agent, int round, Phase phase, String model,
                         boolean simulated, List<ChatMessage> prompt, List<String> outputs, int promptTokens,
                         int completionTokens, long latencyMs, int attempts, String error) {
            this(at, episodeId, agent, round, phase, model, simulated, prompt, outputs, promptTokens,
                    completionTokens, latencyMs, attempts, error, model, List.of());
        }
    }

    /** One failed try of a model call: which try, when it ended, after how long, and why. */
    record TryError(int attempt, Instant at, long latencyMs, String error) {
    }

    /** A protocol-level event: a verdict, a vote, a stop decision. */
    record ProtocolEvent(Instant at, String episodeId, String protocol, int round, String event, String detail)
            implements TraceEvent {
    }
}
