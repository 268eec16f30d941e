package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.environments.Environment;
import dev.reverb.memory.MemoryItem;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;

/**
 * Runs a list of episodes, at most {@code concurrency} at once. It spawns one supervised model
 * gateway per configured model, then one protocol actor per episode; every ended episode goes
 * to the recorder, and when the last one has ended the recorder hears {@code AllDone}.
 */
public final class Experiment extends AbstractBehavior<Experiment.Command> {

    public sealed interface Command {
    }

    private record Outcome(EpisodeOutcome outcome) implements Command {
    }

    private record EpisodeStopped(String episodeId) implements Command {
    }

    /** A model and how its gateway treats it. */
    public record Model(ModelBackend backend, GatewaySettings settings) {
        public Model {
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(settings, "settings");
        }
    }

    /**
     * What to run.
     *
     * @param environment grades answers
     * @param models      by name
     * @param agents      every agent of the scenario
     * @param plans       the episodes still to run, in order
     * @param concurrency episodes at once
     * @param memory      memory items every episode's prompts get
     */
    public record Setup(Environment environment, Map<String, Model> models, List<AgentSpec> agents,
                        List<EpisodePlan> plans, int concurrency, List<MemoryItem> memory) {
        public Setup {
            models = Map.copyOf(models);
            agents = List.copyOf(agents);
            plans = List.copyOf(plans);
            memory = List.copyOf(memory);
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1");
            }
        }
    }

    public static Behavior<Command> create(Setup setup, ActorRef<Recorder.Command> recorder) {
        return Behaviors.setup(ctx -> new Experiment(ctx, setup, recorder));
    }

    private final Setup setup;
    private final ActorRef<Recorder.Command> recorder;
    private final TraceSink trace;
    private final Map<String, Episode.Binding> bindings = new LinkedHashMap<>();
    private final Queue<EpisodePlan> waiting;
    private final Map<String, EpisodePlan> running = new HashMap<>();
    private final ActorRef<EpisodeOutcome> outcomes;
    private final Duration askTimeout;
    private int spawned;

    private Experiment(ActorContext<Command> context, Setup setup, ActorRef<Recorder.Command> recorder) {
        super(context);
        this.setup = setup;
        this.recorder = recorder;
        this.trace = event -> recorder.tell(new Recorder.Trace(event));
        this.waiting = new ArrayDeque<>(setup.plans());
        this.outcomes = context.messageAdapter(EpisodeOutcome.class, Outcome::new);
        Map<String, ActorRef<ModelGateway.Command>> gateways = new HashMap<>();
        Duration slowest = Duration.ZERO;
        for (Map.Entry<String, Model> m : setup.models().entrySet()) {
            Model model = m.getValue();
            Behavior<ModelGateway.Command> gateway = Behaviors.supervise(
                            ModelGateway.create(model.backend(), model.settings(), trace))
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
            gateways.put(m.getKey(), context.spawn(gateway, "model-" + safe(m.getKey())));
            slowest = max(slowest, model.settings().worstCase());
        }
        for (AgentSpec spec : setup.agents()) {
            bindings.put(spec.name(), new Episode.Binding(spec, gateways.get(spec.model())));
        }
        // A turn may also wait in the gateway's queue behind other episodes' calls.
        this.askTimeout = slowest.multipliedBy(4);
        if (waiting.isEmpty()) {
            recorder.tell(Recorder.AllDone.INSTANCE);
        }
        startMore();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Outcome.class, this::onOutcome)
                .onMessage(EpisodeStopped.class, this::onEpisodeStopped)
                .build();
    }

    private Behavior<Command> onOutcome(Outcome message) {
        return ended(message.outcome());
    }

    private Behavior<Command> onEpisodeStopped(EpisodeStopped stopped) {
        if (!running.containsKey(stopped.episodeId())) {
            return this;
        }
        return ended(new EpisodeOutcome.Failed(stopped.episodeId(),
                "the protocol actor stopped without reporting an outcome (see the log)"));
    }

    private Behavior<Command> ended(EpisodeOutcome outcome) {
        EpisodePlan plan = running.remove(outcome.episodeId());
        if (plan == null) {
            return this;
        }
        recorder.tell(new Recorder.Ended(plan, outcome));
        if (running.isEmpty() && waiting.isEmpty()) {
            recorder.tell(Recorder.AllDone.INSTANCE);
            return Behaviors.stopped();
        }
        startMore();
        return this;
    }

    private void startMore() {
        while (running.size() < setup.concurrency() && !waiting.isEmpty()) {
            EpisodePlan plan = waiting.poll();
            Map<String, Episode.Binding> team = new HashMap<>();
            for (String name : plan.protocol().agents()) {
                team.put(name, bindings.get(name));
            }
            Episode episode = new Episode(plan.id(), plan.task(), setup.environment(), plan.seed(), team,
                    setup.memory(), trace, askTimeout);
            ActorRef<?> actor = getContext().spawn(plan.protocol().behavior(episode, outcomes),
                    "episode-" + (++spawned));
            running.put(plan.id(), plan);
            getContext().watchWith(actor, new EpisodeStopped(plan.id()));
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
