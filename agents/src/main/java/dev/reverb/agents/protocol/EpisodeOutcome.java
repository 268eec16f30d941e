package dev.reverb.agents.protocol;

import java.util.List;
import java.util.Objects;

/** What a protocol actor reports to its parent when the episode ends, in success or failure. */
public sealed interface EpisodeOutcome {

    String episodeId();

    record Completed(EpisodeResult result) implements EpisodeOutcome {
        @Override
        public String episodeId() {
            return result.episodeId();
        }
    }

    /**
     * The episode could not finish (a model kept failing). It is recorded as failed with its cause and
     * what it did before ({@code partial}), counts as wrong over the planned episodes, and reruns on resume.
     */
    record Failed(String episodeId, String reason, Partial partial) implements EpisodeOutcome {
        public Failed {
            Objects.requireNonNull(episodeId, "episodeId");
            Objects.requireNonNull(reason, "reason");
            partial = partial == null ? Partial.NONE : partial;
        }

        public Failed(String episodeId, String reason) {
            this(episodeId, reason, Partial.NONE);
        }
    }

    /**
     * What a failed episode did before it failed: its agent messages and round outcomes so far, and
     * the tokens and calls of its model calls that succeeded.
     */
    record Partial(List<EpisodeResult.Message> messages, List<RoundOutcome> rounds, long promptTokens,
                   long completionTokens, int modelCalls, long latencyMs) {
        public static final Partial NONE = new Partial(List.of(), List.of(), 0, 0, 0, 0);

        public Partial {
            messages = List.copyOf(messages);
            rounds = List.copyOf(rounds);
        }
    }
}
