package dev.reverb.runtime.run;

import dev.reverb.agents.protocol.EpisodeOutcome;

/**
 * Hears about a run's progress; called from the recorder's thread after the episode is on disk.
 * It must not block; if it throws, the recorder fails and the run ends ("recorder failed: ...").
 */
public interface RunListener {

    void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome);

    void allDone();
}
