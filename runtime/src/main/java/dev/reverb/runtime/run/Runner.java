package dev.reverb.runtime.run;

import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.report.RunData;
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
import java.util.stream.IntStream;

/**
 * Runs a scenario into a run folder: builds the environment, the models and the protocols,
 * plans every (protocol, task, repeat) episode not yet in {@code episodes.jsonl}, runs them in an
 * actor system of its own (configured by {@code reverb.standalone.akka} in {@code reference.conf}),
 * and writes {@code summary.json}.
 *
 * <p>A run never waits forever: the guardian ({@link RunSystem}) watches the recorder and the experiment, and the
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

    /**
     * A finished invocation: its folder, its summary, the episodes that failed in it and how many
     * failed of each cause (most frequent first).
     */
    public record Result(RunFolder folder, Summary summary, int failed, Map<String, Integer> causes) {
        public Result {
            causes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(causes));
        }

        public Result(RunFolder folder, Summary summary, int failed) {
            this(folder, summary, failed, Map.of());
        }

        /** Whether every episode of this session failed, all with one cause. */
        public boolean allFailedAlike() {
            return failed > 0 && causes.size() == 1 && summary.protocols().stream()
                    .allMatch(p -> p.episodes() == 0);
        }
    }

    /**
     * The run could not start: a model failed its pre-flight check (server down, model not served,
     * folder that does not load). Nothing ran; the message names the model, its URL or path and the cause.
     */
    public static final class CouldNotStart extends IllegalStateException {
        public CouldNotStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** How long the pre-flight checks of all models may take together. */
    static final Duration PREFLIGHT_LIMIT = Duration.ofSeconds(60);

    /** Episodes from which a plan is made on every core. */
    private static final int PLAN_IN_PARALLEL = 4096;

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
        return run(scenario, folder, options, Engine.LOCAL);
    }

    /** Runs the planned episodes with {@code engine} ({@link Engine#LOCAL}: in this JVM). */
    public static Result run(Scenario scenario, RunFolder folder, Options options, Engine engine)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        java.time.Instant startedAt = java.time.Instant.now();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        RunSystem system = RunSystem.begin(engine, finished); // it starts while the run is planned
        try {
            return run(scenario, folder, options, system, finished, started, startedAt);
        } finally {
            system.stop(); // and then closes the models and the memory
        }
    }

    private static Result run(Scenario scenario, RunFolder folder, Options options, RunSystem system,
                              CompletableFuture<Void> finished, long started, java.time.Instant startedAt)
            throws IOException, InterruptedException {
        PrintWriter out = options.out();
        Environment environment = Wiring.environment(scenario.environment(), options.extensions());
        DatasetReport report = environment.report();
        if (report.skipped() > 0) {
            out.printf("warning: %s: skipped %d bad line(s) of %d:%n", report.source(), report.skipped(),
                    report.loaded() + report.skipped());
            report.issues().stream().limit(20).forEach(issue -> out.println("  " + issue));
        }
        environment.warnings().forEach(warning -> out.println("warning: " + warning));
        List<EpisodePlan> plans = plans(scenario, environment, options.extensions());
        // the row of every line of episodes.jsonl, read once here; the listener adds one per line written
        List<RunData.Episode> rows = new ArrayList<>(folder.rows());
        Set<String> done = RunFolder.finished(rows);
        List<EpisodePlan> todo = plans.stream().filter(p -> !done.contains(p.id())).toList();
        if (!done.isEmpty()) {
            out.printf("Resuming %s: %d of %d episodes already done.%n", folder.dir(), plans.size() - todo.size(),
                    plans.size());
        }
        Map<String, Integer> planned = new LinkedHashMap<>();
        plans.forEach(p -> planned.merge(p.protocol().name(), 1, Integer::sum));
        Map<String, Experiment.Model> models;
        try {
            models = models(scenario, options, SimulatedBackend.lookup(environment.tasks()));
        } catch (CouldNotStart e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CouldNotStart("cannot start: " + Experiment.describe(e), e);
        }
        if (!todo.isEmpty()) {
            try {
                preflight(models, out);
            } catch (CouldNotStart e) {
                closeModels(models, options);
                throw e;
            }
        }
        MemoryKeeper.Plan memory = Wiring.memory(scenario, options.environment());
        system.afterStop(() -> closeModels(models, options));
        if (memory != null) {
            system.afterStop(memory.memory()::close);
        }
        Experiment.Setup setup = new Experiment.Setup(environment, models, scenario.agents(), todo,
                scenario.run().concurrency(), folder.dir().getFileName().toString(), memory);

        AtomicInteger failed = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        Map<String, Integer> causes = new java.util.concurrent.ConcurrentHashMap<>();
        try (Progress progress = Progress.start(scenario.name(), plans.size(), plans.size() - todo.size(),
                options.progress(), out)) {
            RunListener listener = new RunListener() {
                @Override
                public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                    RunData.Episode row = Summary.row(plan, outcome); // its line is on disk now
                    synchronized (rows) {
                        rows.add(row);
                    }
                    if (outcome instanceof EpisodeOutcome.Failed f) {
                        failed.incrementAndGet();
                        // each cause is printed once, with the first episode it failed; the summary counts them
                        if (causes.merge(f.reason(), 1, Integer::sum) == 1) {
                            progress.message("episode " + f.episodeId() + " failed: " + f.reason()
                                    + " (more episodes failing alike are counted, not listed)");
                        }
                    } else if (outcome instanceof EpisodeOutcome.Completed c) {
                        completed.incrementAndGet();
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
            try {
                system.start(new RunSystem.Start(setup, scenario.run().trace(), folder, listener));
                finished.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RunFailed f ? f : new RunFailed(String.valueOf(e.getCause()), e.getCause());
            } finally {
                // The system stops (then the models and the memory close) while this session's line and the
                // summary are written; run() waits for it before it returns.
                system.terminate();
                // a session that ended early counts its time too (one killed outright cannot)
                folder.recordSession(startedAt, Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0,
                        completed.get(), failed.get());
            }
        }
        Map<String, String> identities = new LinkedHashMap<>();
        models.forEach((name, m) -> identities.put(name, identity(m.backend())));
        List<RunData.Episode> recorded;
        synchronized (rows) {
            recorded = List.copyOf(rows);
        }
        Summary summary = Summary.of(scenario.name(), folder.dir().getFileName().toString(), recorded,
                folder.sessionWallTimes(), failed.get(),
                scenario.protocols().stream().map(Scenario.ProtocolConfig::name).toList(), planned, identities);
        var json = summary.toJson();
        environment.warnings().forEach(json.withArray("warnings")::add);
        Files.writeString(folder.summary(), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        Map<String, Integer> byCause = new LinkedHashMap<>();
        causes.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(c -> byCause.put(c.getKey(), c.getValue()));
        return new Result(folder, summary, failed.get(), byCause);
    }

    /**
     * Checks every model once before the first episode, all at once; the first that fails stops the
     * run with {@link CouldNotStart} naming the model and the cause. Warnings are printed.
     */
    public static void preflight(Map<String, Experiment.Model> models, PrintWriter out) throws InterruptedException {
        Map<String, CompletableFuture<List<String>>> checks = new LinkedHashMap<>();
        models.forEach((name, m) -> {
            CompletableFuture<List<String>> check = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    check.complete(m.backend().preflight());
                } catch (Throwable e) {
                    check.completeExceptionally(e);
                }
            }, "reverb-preflight-" + name);
            t.setDaemon(true);
            t.start();
            checks.put(name, check);
        });
        long deadline = System.nanoTime() + PREFLIGHT_LIMIT.toNanos();
        for (Map.Entry<String, CompletableFuture<List<String>>> c : checks.entrySet()) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                for (String warning : c.getValue().get(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    out.println("warning: model '" + c.getKey() + "': " + warning);
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String why = Experiment.describe(cause);
                // the scenario's name of the model, unless the backend's message already says it
                throw new CouldNotStart("cannot start: " + (why.contains("model '" + c.getKey() + "'") ? ""
                        : "model '" + c.getKey() + "': ") + why, cause);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new CouldNotStart("cannot start: model '" + c.getKey() + "': its pre-flight check did not end within "
                        + PREFLIGHT_LIMIT.toSeconds() + " s", e);
            }
        }
        out.flush();
    }

    private static String identity(ModelBackend backend) {
        try {
            return backend.identity();
        } catch (RuntimeException e) {
            return backend.name();
        }
    }

    /** Closes the run's models, except those the caller built and passed in ({@link Options#backends()}). */
    public static void closeModels(Map<String, Experiment.Model> models, Options options) {
        models.forEach((name, m) -> {
            if (!options.backends().containsKey(name)) {
                m.backend().close();
            }
        });
    }

    /**
     * Every (repeat, task, protocol) episode of the scenario, in that order, with their ids and seeds: a
     * local run's plan and a cluster run's (whose nodes find an episode by its id).
     */
    public static List<EpisodePlan> plans(Scenario scenario, Environment environment, Extensions extensions) {
        List<Protocol> protocols = protocols(scenario, extensions);
        List<Task> tasks = List.copyOf(Wiring.tasks(environment.tasks(), scenario.run().tasks())); // indexed below
        long seed = scenario.run().seed();
        int perRepeat = tasks.size() * protocols.size();
        int count = perRepeat * scenario.run().repeats();
        IntStream indexes = IntStream.range(0, count);
        if (count >= PLAN_IN_PARALLEL) {
            indexes = indexes.parallel(); // 100,000 episodes: the plan is a large part of the run's start-up
        }
        return indexes.mapToObj(i -> EpisodePlan.of(tasks.get(i % perRepeat / protocols.size()),
                protocols.get(i % protocols.size()), i / perRepeat, seed)).toList();
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
            ModelBackend backend;
            try {
                backend = given != null ? given
                        : Wiring.backend(m.getValue(), scenario.run().seed(), options.environment(), tasks);
            } catch (IOException | RuntimeException e) {
                closeModels(models, options);
                Scenario.ModelConfig c = m.getValue();
                String where = c.backend() == Scenario.Backend.DJL ? " at " + c.djl().path()
                        : c.baseUrl() != null ? " at " + c.baseUrl() : "";
                throw new CouldNotStart("cannot start: model '" + m.getKey() + "'" + where + ": "
                        + Experiment.describe(e), e);
            }
            models.put(m.getKey(), new Experiment.Model(backend, Wiring.gateway(m.getValue())));
        }
        return models;
    }
}
