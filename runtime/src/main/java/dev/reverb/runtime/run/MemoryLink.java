package dev.reverb.runtime.run;

import dev.reverb.environments.Task;
import dev.reverb.memory.Recall;
import dev.reverb.memory.Trajectory;
import java.util.concurrent.CompletionStage;

/**
 * The memory an experiment's episodes use when it is kept elsewhere: a cluster run's workers recall
 * from and remember into the one memory on the seed node. An experiment with a memory of its own
 * ({@link Experiment.Setup#memory()}) reads its store and keeps episodes through its
 * {@link MemoryKeeper} instead.
 */
public interface MemoryLink {

    /** What memory offers {@code task}; a failed stage makes the episode run without memory (traced). */
    CompletionStage<Recall> recall(Task task);

    /**
     * Keeps a finished episode; the stage completes once it is durable (or could not be written), and only
     * then is the episode's outcome recorded.
     */
    CompletionStage<?> remember(Trajectory trajectory);
}
