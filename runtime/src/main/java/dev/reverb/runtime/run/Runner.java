package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a scenario into a run folder: builds the environment, the models and the protocols,
 * plans every (protocol, task, repeat) episode not yet in {@code episodes.jsonl}, runs them in an
 * actor system, and writes {@code summary.json}.
 */
public final class Runner {

    /**
     * @param progress    show a progress display while running
     * @param out         where the run's console output goes
     * @param environment looks up environment variables (API keys); the CLI passes {@code System::getenv}
     * @param extensions  environments and protocols registered from Java
     */
    public record Options(boolean progress, PrintWriter out, Function<String, String> environment,
                          Extensions extensions) {
        public Options(boolean progress, PrintWriter out, Function<String, String> environment) {
            this(progress, out, environment, Extensions.NONE);
        }
    }

    /** A finished invocation: its folder, its summary and the episodes that failed in it. */
    public record Result(RunFolder folder, Summary summary, int failed) {
    }

    private static final Config AKKA = ConfigFactory.parseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = OFF
            akka.loggers = ["akka.event.slf4j.Slf4jLogger"]
            akka.logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
            akka.log-dead-letters = off
            akka.log-dead-letters-during-shutdown = off
            akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """);

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
        List<Protocol> protocols = scenario.protocols().stream()
                .map(p -> Wiring.protocol(p, scenario.memory(), options.extensions())).toList();
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
        Map<String, Experiment.Model> models = new LinkedHashMap<>();
        var tasks = dev.reverb.runtime.backend.SimulatedBackend.lookup(environment.tasks());
        for (Map.Entry<String, Scenario.ModelConfig> m : scenario.models().entrySet()) {
            models.put(m.getKey(), new Experiment.Model(Wiring.backend(m.getValue(), scenario.run().seed(),
                    options.environment(), tasks), Wiring.gateway(m.getValue())));
        }
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
                }

                @Override
                public void allDone() {
                    finished.complete(null);
                }
            };
            ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(ctx -> {
                ActorRef<Recorder.Command> recorder = ctx.spawn(Recorder.create(folder, listener), "recorder",
                        DispatcherSelector.blocking());
                ctx.spawn(Experiment.create(setup, recorder), "experiment");
                return Behaviors.empty();
            }), "reverb", AKKA.withFallback(ConfigFactory.load()));
            try {
                finished.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().join();
                models.values().forEach(m -> m.backend().close());
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
}
