package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;

/**
 * Where a run's planned episodes run: {@link #LOCAL} in this JVM; the cluster mode
 * ({@code dev.reverb.runtime.cluster}) hands them out to several JVMs. Planning, progress, the
 * recorder and the summary ({@link Runner}) are the same either way.
 */
public interface Engine {

    /** The run's actor system settings, from the loaded configuration. */
    Config config(Config loaded);

    /**
     * Runs {@code setup}'s plans: every ended episode goes to {@code recorder}, then {@code AllDone}
     * once (as {@link Experiment#create} does); with {@code traced} off, no trace events are made.
     */
    Behavior<?> behavior(Experiment.Setup setup, ActorRef<Recorder.Command> recorder, boolean traced);

    /** The episodes run in this JVM, in an actor system of the run's own ({@code reverb.standalone}). */
    Engine LOCAL = new Engine() {
        @Override
        public Config config(Config loaded) {
            return loaded.getConfig("reverb.standalone").withFallback(loaded);
        }

        @Override
        public Behavior<?> behavior(Experiment.Setup setup, ActorRef<Recorder.Command> recorder, boolean traced) {
            return Experiment.create(setup, recorder, traced);
        }
    };
}
