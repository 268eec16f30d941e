package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.reverb.runtime.run.Engine;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.run.Recorder;
import dev.reverb.runtime.run.Runner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * {@code reverb run SCENARIO --cluster HOST:PORT}: the run as a local run plans, records and
 * summarises it ({@link Runner}), but its actor system is the seed of an Akka cluster bound at
 * {@code HOST:PORT}, the {@link Coordinator} runs there as a cluster singleton, and the episodes go to
 * the workers of every node that joins ({@code reverb node --join HOST:PORT}), this one's included.
 */
public final class ClusterSeed implements Engine {

    /** The role of the node that holds the run folder: the coordinator runs only there. */
    public static final String ROLE = "coordinator";
    /** The singleton's name, the same on every node. */
    static final String COORDINATOR = "coordinator";

    private final String host;
    private final int port;
    private final Coordinator.Run run;

    public ClusterSeed(String host, int port, Coordinator.Run run) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.run = Objects.requireNonNull(run, "run");
    }

    /** Parses {@code HOST:PORT}. */
    public static Map.Entry<String, Integer> address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
        }
        try {
            return Map.entry(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected HOST:PORT with a numeric port, got '" + hostPort + "'");
        }
    }

    @Override
    public Config config(Config loaded) {
        return config(loaded, host, port, host + ":" + port, List.of(ROLE));
    }

    /**
     * A cluster node's settings: bound at {@code host:port}, joining {@code seed}; then the user's
     * {@code application.conf} and {@code -D} settings (so {@code akka.cluster.*} there apply), then
     * {@code reverb.cluster} and {@code reverb.standalone} from {@code reference.conf}.
     */
    static Config config(Config loaded, String host, int port, String seed, List<String> roles) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("akka.actor.provider", "cluster");
        node.put("akka.remote.artery.canonical.hostname", host);
        node.put("akka.remote.artery.canonical.port", port);
        node.put("akka.cluster.seed-nodes", List.of("akka://reverb@" + seed));
        node.put("akka.cluster.roles", roles);
        return ConfigFactory.parseMap(node)
                .withFallback(ConfigFactory.defaultOverrides())
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(loaded.getConfig("reverb.cluster"))
                .withFallback(loaded.getConfig("reverb.standalone"))
                .withFallback(loaded)
                .resolve();
    }

    /** This node's name as episode lines record it: {@code host:port}. */
    static String nodeName(ActorSystem<?> system) {
        akka.actor.Address a = Cluster.get(system).selfMember().address();
        return a.getHost().orElse("?") + ":" + a.getPort().map(String::valueOf).orElse("?");
    }

    /** The coordinator singleton's proxy (on a node without the role, the behaviour is never started). */
    static ActorRef<Coordinator.Command> coordinator(ActorSystem<?> system, Behavior<Coordinator.Command> behavior) {
        return ClusterSingleton.get(system).init(SingletonActor.of(behavior, COORDINATOR)
                .withSettings(ClusterSingletonSettings.create(system).withRole(ROLE)));
    }

    /**
     * Starts the coordinator and this node's worker, which runs episodes on the models the runner
     * built (and checked) here. Fails, so that the run ends with the reason, if the coordinator stops
     * early. Workers always send an episode's trace events; the recorder drops them when
     * {@code traced} is off.
     */
    @Override
    public Behavior<?> behavior(Experiment.Setup setup, ActorRef<Recorder.Command> recorder, boolean traced) {
        if (setup.memory() != null) {
            throw new IllegalArgumentException(MEMORY_UNSUPPORTED);
        }
        return Behaviors.<String>setup(ctx -> {
            ActorRef<Coordinator.Command> coordinator = coordinator(ctx.getSystem(),
                    Coordinator.create(setup.plans(), run, recorder, ctx.getSelf()));
            Map<String, EpisodePlan> plans = new LinkedHashMap<>();
            setup.plans().forEach(p -> plans.put(p.id(), p));
            Experiment.Setup session = new Experiment.Setup(setup.environment(), setup.models(), setup.agents(),
                    List.of(), setup.concurrency(), setup.runId(), null);
            Worker.Prepared prepared = new Worker.Prepared(plans, session);
            ctx.spawn(Worker.create(coordinator, nodeName(ctx.getSystem()), welcome -> prepared,
                    new CompletableFuture<>()), "worker");
            return Behaviors.receive(String.class).onAnyMessage(why -> {
                throw new IllegalStateException(why);
            }).build();
        });
    }

    /** Why a scenario with memory does not run in cluster mode yet. */
    public static final String MEMORY_UNSUPPORTED = "cluster mode does not support memory yet: the memory store has "
            + "one writer and recalls are not yet routed to the seed node; run this scenario without --cluster, "
            + "or without memory.folder";
}
