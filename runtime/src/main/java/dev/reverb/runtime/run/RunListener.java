package dev.reverb.runtime.run;

import dev.reverb.agents.protocol.EpisodeOutcome;

/** Hears about a run's progress; called from the recorder's thread after the episode is on disk. */
public interface RunListener {

    void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome);

    void allDone();
}
