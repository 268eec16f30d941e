package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.EnvironmentActor;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The actor system of one run. Starting it (loading its classes, its threads, its logger) is most
 * of a run's start-up, so it starts on a thread of its own as soon as the run begins, while the
 * run loads its environment and plans its episodes; {@link #start} then starts the recorder and
 * the experiment in it. The guardian watches both: either one failing or stopping before the end
 * completes {@code finished} with the reason ({@link Runner.RunFailed}), and so does the system
 * stopping for any other reason. At the end the system stops while the run writes its summary;
 * what must close after it (the models, the memory) closes once it has stopped ({@link #stop}).
 */
final class RunSystem {

    /** What the guardian starts: the recorder and the experiment of {@code setup}. */
    record Start(Experiment.Setup setup, boolean traced, RunFolder folder, RunListener listener) {
        Start {
            Objects.requireNonNull(setup, "setup");
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(listener, "listener");
        }
    }

    private final CompletableFuture<ActorSystem<Start>> system;
    /** What closes once the system has stopped (the run's models, its memory), in order. */
    private final java.util.List<java.io.Closeable> afterStop = new java.util.ArrayList<>();

    private RunSystem(CompletableFuture<ActorSystem<Start>> system) {
        this.system = system;
    }

    /**
     * Begins starting the run's actor system (configured by {@code engine}) on a thread of its own;
     * {@code finished} fails with the reason if a part of the run fails or the system stops early.
     */
    static RunSystem begin(Engine engine, CompletableFuture<Void> finished) {
        CompletableFuture<ActorSystem<Start>> system = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                ActorSystem<Start> started = ActorSystem.create(guardian(engine, finished), "reverb",
                        engine.config(ConfigFactory.load()));
                started.getWhenTerminated().thenRun(() -> finished.completeExceptionally(
                        new Runner.RunFailed("the actor system stopped before the run ended", null)));
                system.complete(started);
            } catch (Throwable e) {
                system.completeExceptionally(e);
            }
        }, "reverb-run-start");
        starter.setDaemon(true);
        starter.start();
        return new RunSystem(system);
    }

    /** Starts the run's recorder and experiment, once the system has started (waiting for it if need be). */
    void start(Start start) {
        started().tell(start);
    }

    /** Begins stopping the system (without waiting); nothing when it never started. */
    void terminate() {
        system.thenAccept(ActorSystem::terminate);
    }

    /** {@code close} runs once the system has stopped ({@link #stop}), after those registered before it. */
    void afterStop(java.io.Closeable close) {
        afterStop.add(close);
    }

    /**
     * Stops the system and waits until it has stopped (nothing when it never started), then runs
     * what was registered with {@link #afterStop}, each once.
     */
    void stop() throws java.io.IOException {
        try {
            ActorSystem<Start> s = system.join();
            s.terminate();
            s.getWhenTerminated().toCompletableFuture().join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            // it never started: nothing to stop
        } finally {
            java.util.List<java.io.Closeable> closes = java.util.List.copyOf(afterStop);
            afterStop.clear();
            for (java.io.Closeable close : closes) {
                close.close();
            }
        }
    }

    private ActorSystem<Start> started() {
        try {
            return system.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static Behavior<Start> guardian(Engine engine, CompletableFuture<Void> finished) {
        return Behaviors.setup(ctx -> Behaviors.receive(Start.class)
                .onMessage(Start.class, start -> {
                    ActorRef<Recorder.Command> recorder = ctx.spawn(Recorder.create(start.folder(), start.traced(),
                            start.listener()), "recorder", EnvironmentActor.dispatcher(ctx.getSystem()));
                    ActorRef<?> experiment = ctx.spawn(engine.behavior(start.setup(), recorder, start.traced()),
                            "experiment");
                    ctx.watch(recorder);
                    ctx.watch(experiment);
                    return watching(recorder, finished);
                })
                .build());
    }

    private static Behavior<Start> watching(ActorRef<Recorder.Command> recorder, CompletableFuture<Void> finished) {
        return Behaviors.receive(Start.class)
                .onSignal(Terminated.class, t -> {
                    String part = t.getRef().equals(recorder) ? "recorder" : "experiment";
                    if (t instanceof ChildFailed failed) {
                        Throwable cause = failed.cause();
                        String why = cause instanceof Experiment.Aborted ? cause.getMessage()
                                : part + " failed: " + Experiment.describe(cause);
                        finished.completeExceptionally(new Runner.RunFailed(why, cause));
                    } else if (part.equals("recorder")) { // it stops by itself only after the last episode
                        finished.completeExceptionally(new Runner.RunFailed("recorder stopped before the run ended",
                                null));
                    }
                    return finished.isDone() ? Behaviors.stopped() : Behaviors.same();
                })
                .build();
    }
}
