package dev.reverb.agents.protocol;

import dev.reverb.agents.model.Phase;
import dev.reverb.environments.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * A finished episode.
 *
 * @param episodeId        the episode's id
 * @param taskId           the task's id
 * @param protocol         the protocol's name in the scenario
 * @param output           the final output text the verdict grades
 * @param verdict          the verifier's verdict on the final output
 * @param rounds           the team's answer after each round or trial, in order
 * @param promptTokens     tokens read by every model call of the episode
 * @param completionTokens tokens written by every model call of the episode
 * @param modelCalls       number of model calls
 * @param latencyMs        wall time of the episode
 * @param memoryUsed       ids of the memory items the episode's prompts contained
 * @param messages         every agent message, in order
 * @param simulated        true when any answer came from the offline simulated stand-in
 */
public record EpisodeResult(String episodeId, String taskId, String protocol, String output, Verdict verdict,
                            List<RoundOutcome> rounds, long promptTokens, long completionTokens, int modelCalls,
                            long latencyMs, List<String> memoryUsed, boolean simulated,
                            List<Message> messages) {

    /**
     * One agent message of the episode: who, when, why and what.
     *
     * @param feedback the feedback the agent was shown for this turn (its {@code feedback} slot), or empty
     */
    public record Message(String agent, int round, Phase phase, String text, String feedback) {
        public Message {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(text, "text");
            feedback = feedback == null ? "" : feedback;
        }
    }


    public EpisodeResult {
        Objects.requireNonNull(episodeId, "episodeId");
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(verdict, "verdict");
        rounds = List.copyOf(rounds);
        memoryUsed = List.copyOf(memoryUsed);
        messages = List.copyOf(messages);
    }
}
