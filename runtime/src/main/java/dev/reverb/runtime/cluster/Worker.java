package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.run.MemoryLink;
import dev.reverb.runtime.run.Runner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs a cluster run's episodes on this node, with this node's own model gateways. It joins the
 * {@link Coordinator}, rebuilds the run from the scenario it is sent ({@link Prepare}, off the actor's
 * thread), then pulls episode ids up to its capacity (the scenario's {@code run.concurrency}), runs
 * each in an {@link Experiment#session} and sends the outcome and the episode's trace events back
 * (a long trace in {@link Coordinator.TracePart}s ahead of the outcome), pulling one more per result. A run
 * with memory recalls from and remembers into the seed's {@link MemoryDesk}. A node that cannot run the
 * run (its models fail their pre-flight check) says so to the coordinator and leaves without pulling. It stops when the coordinator says the run is {@link Finished} or
 * when the coordinator is gone (its node left or is unreachable and downed).
 */
public final class Worker extends AbstractBehavior<Worker.Command> {

    public sealed interface Command extends JsonSerializable {
    }

    /**
     * The run to join: its resolved scenario text, the file it came from, its run id, and where its memory
     * is kept (null for a run without memory).
     */
    public record Welcome(String scenario, String scenarioFile, String runId, ActorRef<MemoryDesk.Command> memory,
                          ActorRef<Coordinator.Command> coordinator) implements Command {
        public Welcome {
            Objects.requireNonNull(scenario, "scenario");
            Objects.requireNonNull(scenarioFile, "scenarioFile");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(coordinator, "coordinator");
        }
    }

    /** Episodes to run, by id. */
    public record Work(List<String> episodeIds) implements Command {
        public Work {
            episodeIds = List.copyOf(episodeIds);
        }
    }

    /** Every episode is recorded: stop. */
    public enum Finished implements Command { INSTANCE }

    private record Ready(Prepared prepared, Throwable error) implements Command {
    }

    private record Traced(TraceEvent event) implements Command {
    }

    private record Outcome(EpisodeOutcome outcome) implements Command {
    }

    private enum CoordinatorGone implements Command { INSTANCE }

    /** What this node runs: every episode of the run by id, and the session's setup (no plans of its own). */
    public record Prepared(Map<String, EpisodePlan> plans, Experiment.Setup setup) {
        public Prepared {
            plans = Map.copyOf(plans);
            Objects.requireNonNull(setup, "setup");
        }
    }

    /** Rebuilds the run on this node from what the coordinator sent; may block (datasets, model folders). */
    @FunctionalInterface
    public interface Prepare {
        Prepared prepare(Welcome welcome) throws Exception;
    }

    /**
     * @param coordinator the coordinator (the singleton's proxy)
     * @param node        this node's name, written on each episode it runs
     * @param prepare     rebuilds the run here
     * @param ended       completes with null when the run finished, or with why this worker stopped early
     */
    public static Behavior<Command> create(ActorRef<Coordinator.Command> coordinator, String node, Prepare prepare,
                                           CompletableFuture<String> ended) {
        return Behaviors.setup(ctx -> new Worker(ctx, coordinator, node, prepare, ended));
    }

    private final ActorRef<Coordinator.Command> coordinator;
    private final String node;
    private final Prepare prepare;
    private final CompletableFuture<String> ended;
    private final Executor io;
    private final ActorRef<EpisodeOutcome> outcomes;
    private final Map<String, List<TraceEvent>> traces = new HashMap<>();
    /** The (over)estimated serialised size of the events in {@link #traces}, by episode. */
    private final Map<String, Long> traceSizes = new HashMap<>();
    private Prepared prepared;
    private ActorRef<Experiment.Command> session;
    private ActorRef<MemoryDesk.Command> memory;
    private boolean welcomed;
    /** Why this node cannot run the run (its pre-flight check failed, or the scenario cannot be built here). */
    private Throwable refused;

    private Worker(ActorContext<Command> context, ActorRef<Coordinator.Command> coordinator, String node,
                   Prepare prepare, CompletableFuture<String> ended) {
        super(context);
        this.coordinator = coordinator;
        this.node = node;
        this.prepare = prepare;
        this.ended = ended;
        this.io = context.getSystem().dispatchers().lookup(EnvironmentActor.dispatcher(context.getSystem()));
        this.outcomes = context.messageAdapter(EpisodeOutcome.class, Outcome::new);
        coordinator.tell(new Coordinator.Join(node, context.getSelf()));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Welcome.class, this::onWelcome)
                .onMessage(Ready.class, this::onReady)
                .onMessage(Work.class, this::onWork)
                .onMessage(Traced.class, this::onTraced)
                .onMessage(Outcome.class, this::onOutcome)
                .onMessageEquals(Finished.INSTANCE, () -> refused != null ? leave() : stop(null))
                .onMessageEquals(CoordinatorGone.INSTANCE, () -> refused != null ? leave()
                        : stop("the coordinator is gone (its node left or was downed)"))
                .build();
    }

    private Behavior<Command> onWelcome(Welcome welcome) {
        if (welcomed) {
            return this;
        }
        welcomed = true;
        memory = welcome.memory();
        getContext().watchWith(welcome.coordinator(), CoordinatorGone.INSTANCE);
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                return prepare.prepare(welcome);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, io), Ready::new);
        return this;
    }

    private Behavior<Command> onReady(Ready ready) {
        if (ready.error() != null) {
            refused = ready.error() instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                    ? c.getCause() : ready.error();
            // the seed logs why; this node leaves once it has heard back (or after a while), having taken no episode
            coordinator.tell(new Coordinator.Refused(node, refusal(), getContext().getSelf()));
            getContext().scheduleOnce(Duration.ofSeconds(5), getContext().getSelf(), Finished.INSTANCE);
            return this;
        }
        prepared = ready.prepared();
        ActorRef<Command> self = getContext().getSelf();
        MemoryLink link = memory == null ? null
                : new RemoteMemory(memory, getContext().getSystem().scheduler(), memoryTimeout(prepared.setup()));
        session = getContext().spawn(Experiment.session(prepared.setup(), event -> self.tell(new Traced(event)), link),
                "episodes");
        coordinator.tell(new Coordinator.Pull(prepared.setup().concurrency(), self));
        return this;
    }

    private Behavior<Command> onWork(Work work) {
        for (String id : work.episodeIds()) {
            EpisodePlan plan = prepared == null ? null : prepared.plans().get(id);
            if (plan == null) { // a node whose scenario differs (--set) cannot run it; it is recorded as failed
                answer(new EpisodeOutcome.Failed(id, "node " + node + " has no episode " + id
                        + " (its scenario differs from the seed's)"));
                continue;
            }
            session.tell(new Experiment.Submit(plan, null, outcomes));
        }
        return this;
    }

    private Behavior<Command> onTraced(Traced traced) {
        String id = traced.event().episodeId();
        traces.computeIfAbsent(id == null ? "" : id, k -> new ArrayList<>()).add(traced.event());
        // a long episode's events go ahead in parts, so that no message outgrows the frame size
        if (id != null && traceSizes.merge(id, TraceParts.size(traced.event()), Long::sum) >= TraceParts.PART) {
            coordinator.tell(new Coordinator.TracePart(node, id, traces.remove(id), getContext().getSelf()));
            traceSizes.remove(id);
        }
        return this;
    }

    private Behavior<Command> onOutcome(Outcome outcome) {
        answer(outcome.outcome());
        return this;
    }

    private void answer(EpisodeOutcome outcome) {
        List<TraceEvent> trace = new ArrayList<>(traces.getOrDefault("", List.of()));
        traces.remove("");
        trace.addAll(traces.getOrDefault(outcome.episodeId(), List.of()));
        traces.remove(outcome.episodeId());
        traceSizes.remove(outcome.episodeId());
        coordinator.tell(new Coordinator.Result(node, outcome, trace, getContext().getSelf()));
        coordinator.tell(new Coordinator.Pull(1, getContext().getSelf()));
    }

    /** How long a recall or a keep may take: as long as an agent turn may ({@link Experiment#askTimeout}), 4 s at least. */
    static Duration memoryTimeout(Experiment.Setup setup) {
        Duration turn = Experiment.askTimeout(setup.models());
        return turn.compareTo(Duration.ofSeconds(4)) > 0 ? turn : Duration.ofSeconds(4);
    }

    private String refusal() {
        return refused instanceof Runner.CouldNotStart ? refused.getMessage()
                : "cannot run this scenario here: " + refused.getMessage();
    }

    /** Stops for {@link #refused}: a failed pre-flight check ends the node as it ends a local run (exit 4). */
    private Behavior<Command> leave() {
        if (refused instanceof Runner.CouldNotStart) {
            ended.completeExceptionally(refused);
            return Behaviors.stopped();
        }
        return stop(refusal());
    }

    private Behavior<Command> stop(String why) {
        ended.complete(why);
        return Behaviors.stopped();
    }
}
