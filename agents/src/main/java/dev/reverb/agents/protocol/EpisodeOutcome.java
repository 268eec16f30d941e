package dev.reverb.agents.protocol;

/** What a protocol actor reports to its parent when the episode ends, in success or failure. */
public sealed interface EpisodeOutcome {

    String episodeId();

    record Completed(EpisodeResult result) implements EpisodeOutcome {
        @Override
        public String episodeId() {
            return result.episodeId();
        }
    }

    /** The episode could not finish (a model kept failing); it is not recorded and reruns on resume. */
    record Failed(String episodeId, String reason) implements EpisodeOutcome {
    }
}
