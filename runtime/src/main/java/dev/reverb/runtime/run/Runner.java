package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.agents.model.ModelBackend;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a scenario into a run folder: builds the environment, the models and the protocols,
 * plans every (protocol, task, repeat) episode not yet in {@code episodes.jsonl}, runs them in an
 * actor system of its own (configured by {@code reverb.standalone.akka} in {@code reference.conf}),
 * and writes {@code summary.json}.
 *
 * <p>A run never waits forever: the guardian watches the recorder and the experiment, and the
 * failure of either ends the run at once with {@link RunFailed} ("recorder failed: ..."); what
 * was recorded before stays, and a resumed run finishes the rest.
 */
public final class Runner {

    /**
     * @param progress    show a progress display while running
     * @param out         where the run's console output goes
     * @param environment looks up environment variables (API keys); the CLI passes {@code System::getenv}
     * @param extensions  environments and protocols registered from Java
     * @param listener    also hears about each episode once it is on disk (from the recorder's thread; if
     *                    it throws, the recorder fails and the run ends), or null
     * @param backends    model backends built in Java, by model name: they replace the scenario's
     *                    backend of that model (the caller owns them: they are not closed)
     */
    public record Options(boolean progress, PrintWriter out, Function<String, String> environment,
                          Extensions extensions, RunListener listener, Map<String, ModelBackend> backends) {
        public Options {
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(environment, "environment");
            Objects.requireNonNull(extensions, "extensions");
            backends = Map.copyOf(backends);
        }

        public Options(boolean progress, PrintWriter out, Function<String, String> environment,
                       Extensions extensions) {
            this(progress, out, environment, extensions, null, Map.of());
        }

        public Options(boolean progress, PrintWriter out, Function<String, String> environment) {
            this(progress, out, environment, Extensions.NONE);
        }

        public Options withListener(RunListener more) {
            return new Options(progress, out, environment, extensions, more, backends);
        }

        /** Uses {@code backend} for the scenario's model {@code model} instead of building one. */
        public Options withBackend(String model, ModelBackend backend) {
            Map<String, ModelBackend> more = new LinkedHashMap<>(backends);
            more.put(model, backend);
            return new Options(progress, out, environment, extensions, listener, more);
        }
    }

    /** A finished invocation: its folder, its summary and the episodes that failed in it. */
    public record Result(RunFolder folder, Summary summary, int failed) {
    }

    /** A run that ended early because a part of it failed (not an episode: those fail alone). */
    public static final class RunFailed extends IllegalStateException {
        public RunFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Runner() {
    }

    public static Result run(Scenario scenario, RunFolder folder, Options options)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        PrintWriter out = options.out();
        Environment environment = Wiring.environment(scenario.environment(), options.extensions());
        DatasetReport report = environment.report();
        if (report.skipped() > 0) {
            out.printf("warning: %s: skipped %d bad line(s) of %d:%n", report.source(), report.skipped(),
                    report.loaded() + report.skipped());
            report.issues().stream().limit(20).forEach(issue -> out.println("  " + issue));
        }
        List<Protocol> protocols = protocols(scenario, options.extensions());
        List<EpisodePlan> plans = new ArrayList<>();
        for (int repeat = 0; repeat < scenario.run().repeats(); repeat++) {
            for (Task task : environment.tasks()) {
                for (Protocol protocol : protocols) {
                    plans.add(EpisodePlan.of(task, protocol, repeat, scenario.run().seed()));
                }
            }
        }
        Set<String> done = folder.finishedEpisodes();
        List<EpisodePlan> todo = plans.stream().filter(p -> !done.contains(p.id())).toList();
        if (!done.isEmpty()) {
            out.printf("Resuming %s: %d of %d episodes already done.%n", folder.dir(), plans.size() - todo.size(),
                    plans.size());
        }
        Map<String, Experiment.Model> models = models(scenario, options, SimulatedBackend.lookup(environment.tasks()));
        MemoryKeeper.Plan memory = Wiring.memory(scenario, options.environment());
        Experiment.Setup setup = new Experiment.Setup(environment, models, scenario.agents(), todo,
                scenario.run().concurrency(), folder.dir().getFileName().toString(), memory);

        AtomicInteger failed = new AtomicInteger();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        try (Progress progress = Progress.start(scenario.name(), plans.size(), plans.size() - todo.size(),
                options.progress(), out)) {
            RunListener listener = new RunListener() {
                @Override
                public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                    if (outcome instanceof EpisodeOutcome.Failed f) {
                        failed.incrementAndGet();
                        progress.message("episode " + f.episodeId() + " failed: " + f.reason());
                    } else if (outcome instanceof EpisodeOutcome.Completed c) {
                        progress.step(c.result().verdict().correct());
                    }
                    if (options.listener() != null) {
                        options.listener().episodeEnded(plan, outcome);
                    }
                }

                @Override
                public void allDone() {
                    if (options.listener() != null) {
                        options.listener().allDone();
                    }
                    finished.complete(null);
                }
            };
            Config config = ConfigFactory.load();
            ActorSystem<Void> system = ActorSystem.create(guardian(setup, folder, listener, finished), "reverb",
                    config.getConfig("reverb.standalone").withFallback(config));
            // Should the system stop for any other reason, the wait below ends too.
            system.getWhenTerminated().thenRun(() -> finished.completeExceptionally(
                    new RunFailed("the actor system stopped before the run ended", null)));
            try {
                finished.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RunFailed f ? f : new RunFailed(String.valueOf(e.getCause()), e.getCause());
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
                models.forEach((name, m) -> {
                    if (!options.backends().containsKey(name)) {
                        m.backend().close();
                    }
                });
                if (memory != null) {
                    memory.memory().close();
                }
            }
        }
        double wall = Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0;
        Summary summary = Summary.of(scenario.name(), folder.dir().getFileName().toString(), folder.episodeRecords(),
                wall, failed.get(), scenario.protocols().stream().map(Scenario.ProtocolConfig::name).toList());
        Files.writeString(folder.summary(),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary.toJson()) + "\n");
        return new Result(folder, summary, failed.get());
    }

    /**
     * The run's guardian: the recorder (on the I/O dispatcher) and the experiment, both watched;
     * either one failing or stopping before the end completes {@code finished} with the reason.
     */
    private static Behavior<Void> guardian(Experiment.Setup setup, RunFolder folder, RunListener listener,
                                           CompletableFuture<Void> finished) {
        return Behaviors.setup(ctx -> {
            ActorRef<Recorder.Command> recorder = ctx.spawn(Recorder.create(folder, listener), "recorder",
                    EnvironmentActor.dispatcher(ctx.getSystem()));
            ActorRef<Experiment.Command> experiment = ctx.spawn(Experiment.create(setup, recorder), "experiment");
            ctx.watch(recorder);
            ctx.watch(experiment);
            return Behaviors.receive(Void.class)
                    .onSignal(Terminated.class, t -> {
                        String part = t.getRef().equals(recorder) ? "recorder" : "experiment";
                        if (t instanceof ChildFailed failed) {
                            Throwable cause = failed.cause();
                            String why = cause instanceof Experiment.Aborted ? cause.getMessage()
                                    : part + " failed: " + Experiment.describe(cause);
                            finished.completeExceptionally(new RunFailed(why, cause));
                        } else if (part.equals("recorder")) { // it stops by itself only after the last episode
                            finished.completeExceptionally(new RunFailed("recorder stopped before the run ended", null));
                        }
                        return finished.isDone() ? Behaviors.stopped() : Behaviors.same();
                    })
                    .build();
        });
    }

    /** The scenario's protocols, each checked to use only agents the scenario defines. */
    public static List<Protocol> protocols(Scenario scenario, Extensions extensions) {
        List<Protocol> protocols = scenario.protocols().stream()
                .map(p -> Wiring.protocol(p, scenario.memory(), extensions)).toList();
        Set<String> defined = new java.util.HashSet<>();
        scenario.agents().forEach(a -> defined.add(a.name()));
        for (Protocol p : protocols) {
            for (String agent : p.agents()) {
                if (!defined.contains(agent)) {
                    throw new IllegalArgumentException("protocol '" + p.name() + "' uses agent '" + agent
                            + "', which the scenario does not define (agents: " + String.join(", ", defined) + ")");
                }
            }
        }
        return protocols;
    }

    /**
     * The scenario's models: its backends, or those the options give by name. {@code tasks} is the
     * simulated stand-in's task lookup (a backend sees task ids only, never a task).
     */
    public static Map<String, Experiment.Model> models(Scenario scenario, Options options,
                                                       Function<String, Optional<Task>> tasks) throws IOException {
        Map<String, Experiment.Model> models = new LinkedHashMap<>();
        for (Map.Entry<String, Scenario.ModelConfig> m : scenario.models().entrySet()) {
            ModelBackend given = options.backends().get(m.getKey());
            models.put(m.getKey(), new Experiment.Model(given != null ? given
                    : Wiring.backend(m.getValue(), scenario.run().seed(), options.environment(), tasks),
                    Wiring.gateway(m.getValue())));
        }
        return models;
    }
}
