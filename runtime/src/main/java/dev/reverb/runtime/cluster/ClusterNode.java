package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import dev.reverb.environments.Environment;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code reverb node --join HOST:PORT}: a worker node of a cluster run. It joins the seed, is sent the
 * run's resolved scenario, builds the environment and its <em>own</em> models from it (the datasets
 * and local model folders must be at the same paths here, or given with {@code --set}; the memory store
 * and its embedding model stay on the seed), checks its models as a local run does, runs the episodes it
 * pulls, and exits when the run ends or the seed goes away.
 */
public final class ClusterNode {

    private ClusterNode() {
    }

    /**
     * Runs until the run ends or this node loses the coordinator.
     *
     * @param seed      the seed's {@code HOST:PORT}
     * @param host      the address this node is reached at by the others
     * @param port      this node's port (0: any free one)
     * @param overrides {@code --set} values applied on top of the scenario the seed sends
     * @param options   the environment (API keys) and the Java-built backends
     * @return null when the run finished, else why this node stopped early
     * @throws Runner.CouldNotStart when one of this node's models failed its pre-flight check (it took no episode)
     */
    public static String run(String seed, String host, int port, List<String> overrides, Runner.Options options)
            throws InterruptedException {
        ClusterSeed.address(seed); // checks the form
        AtomicReference<Map<String, Experiment.Model>> models = new AtomicReference<>(Map.of());
        CompletableFuture<String> ended = new CompletableFuture<>();
        Behavior<Worker.Command> guardian = Behaviors.setup(ctx -> {
            ActorRef<Coordinator.Command> coordinator = ClusterSeed.coordinator(ctx.getSystem(), Behaviors.empty());
            return Worker.create(coordinator, ClusterSeed.nodeName(ctx.getSystem()), welcome -> {
                Worker.Prepared prepared = prepare(welcome, overrides, options);
                models.set(prepared.setup().models());
                return prepared;
            }, ended);
        });
        ActorSystem<Worker.Command> system = ActorSystem.create(guardian, "reverb",
                ClusterSeed.config(ConfigFactory.load(), host, port, seed, List.of()));
        system.getWhenTerminated().thenRun(() -> ended.complete("this node left the cluster (the seed is gone, "
                + "or it could not join " + seed + ")"));
        String why;
        try {
            why = ended.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().join();
            Runner.closeModels(models.get(), options);
        }
        return why;
    }

    /** The run rebuilt on this node: the seed's scenario (with this node's {@code --set}), its plans and models. */
    static Worker.Prepared prepare(Worker.Welcome welcome, List<String> overrides, Runner.Options options)
            throws Exception {
        Scenario scenario = ScenarioLoader.parse(welcome.scenario(), Path.of(welcome.scenarioFile()), overrides,
                options.extensions());
        Environment environment = Wiring.environment(scenario.environment(), options.extensions());
        Map<String, EpisodePlan> plans = new LinkedHashMap<>();
        Runner.plans(scenario, environment, options.extensions()).forEach(p -> plans.put(p.id(), p));
        Map<String, Experiment.Model> models = Runner.models(scenario, options,
                SimulatedBackend.lookup(environment.tasks()));
        try { // this node's own models, checked as a local run checks them, before it takes any episode
            Runner.preflight(models, options.out());
        } catch (Runner.CouldNotStart e) {
            Runner.closeModels(models, options);
            throw e;
        }
        return new Worker.Prepared(plans, new Experiment.Setup(environment, models, scenario.agents(), List.of(),
                scenario.run().concurrency(), welcome.runId(), null));
    }
}
