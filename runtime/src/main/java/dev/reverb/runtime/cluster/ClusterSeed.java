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
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import dev.reverb.agents.Agent;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.runtime.run.Engine;
import dev.reverb.runtime.run.MemoryKeeper;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.run.Team;
import dev.reverb.runtime.run.Recorder;
import dev.reverb.runtime.run.Runner;
import java.time.Duration;
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
     * built (and checked) here; with memory, also the run's one {@link MemoryKeeper} and the
     * {@link MemoryDesk} every node's episodes recall from and are remembered through (this node's
     * too). Fails, so that the run ends with the reason, if the coordinator or the memory keeper stops
     * early. Workers always send an episode's trace events; the recorder drops them when
     * {@code traced} is off.
     */
    @Override
    public Behavior<?> behavior(Experiment.Setup setup, ActorRef<Recorder.Command> recorder, boolean traced) {
        return Behaviors.<String>setup(ctx -> {
            ActorRef<MemoryDesk.Command> desk = null;
            ActorRef<Recorder.Command> writer = recorder;
            MemoryKeeper.Plan memory = setup.memory();
            if (memory != null) {
                Duration timeout = Worker.memoryTimeout(setup);
                TraceSink trace = traced ? Recorder.sink(recorder) : TraceSink.NONE;
                ActorRef<MemoryKeeper.Command> keeper = ctx.spawn(MemoryKeeper.create(memory,
                                distiller(ctx, setup, trace), setup.environment(), trace, timeout),
                        "memory", EnvironmentActor.dispatcher(ctx.getSystem()));
                ctx.watchWith(keeper, "the memory keeper stopped (see the log)");
                desk = ctx.spawn(MemoryDesk.create(memory, keeper, timeout), "memory-desk");
                writer = ctx.spawn(flushFirst(recorder, keeper, timeout.multipliedBy(4)), "recorder-front");
            }
            ActorRef<Coordinator.Command> coordinator = coordinator(ctx.getSystem(),
                    Coordinator.create(setup.plans(), run, desk, writer, ctx.getSelf()));
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

    /** The distiller bound to a gateway of its own on this node's model, or null when concept memory is off. */
    private static Episode.Binding distiller(ActorContext<String> ctx, Experiment.Setup setup, TraceSink trace) {
        String name = setup.memory().distiller();
        if (name == null) {
            return null;
        }
        AgentSpec spec = setup.agents().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("memory.concept.distiller names agent '" + name
                        + "', which the scenario does not define"));
        Experiment.Model model = setup.models().get(spec.model());
        ActorRef<ModelGateway.Command> gateway = Team.gateway(ctx, model, trace, "distiller-model");
        return new Episode.Binding(spec, gateway, ctx.spawn(Agent.create(spec, gateway), "distiller-agent"));
    }

    /**
     * Passes everything on to {@code recorder}, but {@code AllDone} only once the keeper's last
     * distillations have ended (or {@code timeout} passed), as a local run ends.
     */
    private static Behavior<Recorder.Command> flushFirst(ActorRef<Recorder.Command> recorder,
                                                         ActorRef<MemoryKeeper.Command> keeper, Duration timeout) {
        return Behaviors.receive((ctx, message) -> {
            if (message == Recorder.AllDone.INSTANCE) {
                AskPattern.<MemoryKeeper.Command, MemoryKeeper.Done>ask(keeper, MemoryKeeper.Flush::new, timeout,
                                ctx.getSystem().scheduler())
                        .whenComplete((done, error) -> recorder.tell(Recorder.AllDone.INSTANCE));
            } else {
                recorder.tell(message);
            }
            return Behaviors.same();
        });
    }
}
