package dev.reverb.runtime.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Recorder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The cluster run's coordinator, a cluster singleton on the seed node (the node that holds the run
 * folder). It holds the episodes still to run, planned as a local run plans them, and hands them out
 * by <em>work pulling</em>: each node's {@link Worker} joins, gets the scenario, and pulls episode ids
 * up to its own capacity. Results come back with their trace events; the coordinator is the single
 * writer of the run folder (through the {@link Recorder}) and records each episode exactly once: a
 * result for an episode already recorded is dropped. A worker that leaves or is downed (death watch
 * over cluster membership) has its unfinished episodes handed to the others. When every episode is
 * recorded it tells the workers {@link Worker.Finished}, the recorder {@code AllDone}, and stops.
 */
public final class Coordinator extends AbstractBehavior<Coordinator.Command> {

    public sealed interface Command extends JsonSerializable {
    }

    /** A worker on {@code node} joins the run; it hears {@link Worker.Welcome} (or {@link Worker.Finished}). */
    public record Join(String node, ActorRef<Worker.Command> worker) implements Command {
        public Join {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(worker, "worker");
        }
    }

    /** The worker can take {@code count} more episodes. */
    public record Pull(int count, ActorRef<Worker.Command> worker) implements Command {
        public Pull {
            Objects.requireNonNull(worker, "worker");
            if (count < 1) {
                throw new IllegalArgumentException("count must be >= 1");
            }
        }
    }

    /** The worker on {@code node} cannot run this run (why: e.g. its model failed its pre-flight check) and leaves. */
    public record Refused(String node, String why, ActorRef<Worker.Command> worker) implements Command {
        public Refused {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(why, "why");
            Objects.requireNonNull(worker, "worker");
        }
    }

    /**
     * Trace events of an episode still running on {@code node}, sent ahead of its {@link Result} when there
     * are many (so no message outgrows Artery's frame size); kept until the result comes, and recorded
     * before its events only if the result is.
     */
    public record TracePart(String node, String episodeId, List<TraceEvent> trace, ActorRef<Worker.Command> worker)
            implements Command {
        public TracePart {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(episodeId, "episodeId");
            trace = List.copyOf(trace);
            Objects.requireNonNull(worker, "worker");
        }
    }

    /** An episode ended on {@code node}, with the trace events it emitted there. */
    public record Result(String node, EpisodeOutcome outcome, List<TraceEvent> trace, ActorRef<Worker.Command> worker)
            implements Command {
        public Result {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(outcome, "outcome");
            trace = List.copyOf(trace);
            Objects.requireNonNull(worker, "worker");
        }
    }

    private record WorkerLeft(ActorRef<Worker.Command> worker) implements Command {
    }

    /** What a joining worker needs to rebuild the run: the resolved scenario, where it lives, and the run id. */
    public record Run(String scenario, String scenarioFile, String runId) {
        public Run {
            Objects.requireNonNull(scenario, "scenario");
            Objects.requireNonNull(scenarioFile, "scenarioFile");
            Objects.requireNonNull(runId, "runId");
        }
    }

    /**
     * @param plans    the episodes still to run, in order
     * @param run      what a joining worker is sent
     * @param recorder the run folder's single writer
     * @param stopped  hears why, should this coordinator stop before the run ended
     */
    public static Behavior<Command> create(List<EpisodePlan> plans, Run run, ActorRef<Recorder.Command> recorder,
                                           ActorRef<String> stopped) {
        return create(plans, run, null, recorder, stopped);
    }

    /** @param memory the run's memory on this node, which every worker is told of; null for a run without memory */
    public static Behavior<Command> create(List<EpisodePlan> plans, Run run, ActorRef<MemoryDesk.Command> memory,
                                           ActorRef<Recorder.Command> recorder, ActorRef<String> stopped) {
        return Behaviors.setup(ctx -> new Coordinator(ctx, plans, run, memory, recorder, stopped));
    }

    private static final class Member {
        final String node;
        int credit;
        final Set<String> assigned = new LinkedHashSet<>();

        Member(String node) {
            this.node = node;
        }
    }

    private final Map<String, EpisodePlan> plans = new LinkedHashMap<>();
    private final Run run;
    private final ActorRef<MemoryDesk.Command> memory;
    private final ActorRef<Recorder.Command> recorder;
    private final ActorRef<String> stopped;
    private final Deque<String> queue = new ArrayDeque<>();
    private final Set<String> recorded = new HashSet<>();
    private final Map<ActorRef<Worker.Command>, Member> members = new LinkedHashMap<>();
    /** Trace parts of episodes not yet ended, by the worker running them and the episode. */
    private final Map<ActorRef<Worker.Command>, Map<String, List<TraceEvent>>> parts = new HashMap<>();
    private boolean finished;

    private Coordinator(ActorContext<Command> context, List<EpisodePlan> plans, Run run,
                        ActorRef<MemoryDesk.Command> memory, ActorRef<Recorder.Command> recorder, ActorRef<String> stopped) {
        super(context);
        this.run = run;
        this.memory = memory;
        this.recorder = recorder;
        this.stopped = stopped;
        plans.forEach(p -> this.plans.put(p.id(), p));
        queue.addAll(this.plans.keySet());
        if (this.plans.isEmpty()) {
            finished = true;
            recorder.tell(Recorder.AllDone.INSTANCE);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Join.class, this::onJoin)
                .onMessage(Pull.class, this::onPull)
                .onMessage(Refused.class, this::onRefused)
                .onMessage(TracePart.class, this::onTracePart)
                .onMessage(Result.class, this::onResult)
                .onMessage(WorkerLeft.class, this::onWorkerLeft)
                .onSignal(PostStop.class, s -> {
                    if (!finished) {
                        stopped.tell("the cluster coordinator stopped before the run ended");
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onJoin(Join join) {
        if (finished) {
            join.worker().tell(Worker.Finished.INSTANCE);
            return this;
        }
        if (!members.containsKey(join.worker())) {
            members.put(join.worker(), new Member(join.node()));
            getContext().watchWith(join.worker(), new WorkerLeft(join.worker()));
            getContext().getLog().info("node {} joined the run", join.node());
        }
        join.worker().tell(new Worker.Welcome(run.scenario(), run.scenarioFile(), run.runId(), memory,
                getContext().getSelf()));
        return this;
    }

    private Behavior<Command> onPull(Pull pull) {
        Member member = members.get(pull.worker());
        if (member != null) {
            member.credit += pull.count();
            dispatch();
        }
        return this;
    }

    private Behavior<Command> onRefused(Refused refused) {
        getContext().getLog().warn("node {} refused the run and leaves without taking an episode: {}", refused.node(),
                refused.why());
        Member member = members.remove(refused.worker());
        if (member != null) { // it pulled nothing, but should anything be assigned, it goes to the others
            member.assigned.forEach(queue::addFirst);
            dispatch();
        }
        refused.worker().tell(Worker.Finished.INSTANCE);
        return this;
    }

    private Behavior<Command> onTracePart(TracePart part) {
        if (!recorded.contains(part.episodeId())) {
            parts.computeIfAbsent(part.worker(), w -> new HashMap<>())
                    .computeIfAbsent(part.episodeId(), e -> new java.util.ArrayList<>()).addAll(part.trace());
        }
        return this;
    }

    private Behavior<Command> onResult(Result result) {
        String id = result.outcome().episodeId();
        Map<String, List<TraceEvent>> ofWorker = parts.get(result.worker());
        List<TraceEvent> ahead = ofWorker == null ? null : ofWorker.remove(id);
        Member member = members.get(result.worker());
        if (member != null) {
            member.assigned.remove(id);
        }
        EpisodePlan plan = plans.get(id);
        if (plan == null || !recorded.add(id)) {
            getContext().getLog().info("dropped a result for episode {} from {}: not planned or already recorded",
                    id, result.node());
            return this;
        }
        queue.remove(id); // handed out again after its node was thought gone
        if (ahead != null) {
            ahead.forEach(e -> recorder.tell(new Recorder.Trace(e)));
        }
        result.trace().forEach(e -> recorder.tell(new Recorder.Trace(e)));
        recorder.tell(new Recorder.Ended(plan, result.outcome(), result.node()));
        if (recorded.size() == plans.size()) {
            finished = true;
            members.keySet().forEach(w -> w.tell(Worker.Finished.INSTANCE));
            recorder.tell(Recorder.AllDone.INSTANCE);
            return Behaviors.stopped();
        }
        return this;
    }

    private Behavior<Command> onWorkerLeft(WorkerLeft left) {
        Member member = members.remove(left.worker());
        if (member == null) {
            return this;
        }
        List<String> again = member.assigned.stream().filter(id -> !recorded.contains(id)).toList();
        for (int i = again.size() - 1; i >= 0; i--) {
            queue.addFirst(again.get(i));
        }
        getContext().getLog().warn("node {} left the run; {} unfinished episode(s) go to other nodes", member.node,
                again.size());
        dispatch();
        return this;
    }

    /** Hands queued episodes to workers with credit, one at a time round the workers, so load spreads. */
    private void dispatch() {
        Map<ActorRef<Worker.Command>, List<String>> batches = new LinkedHashMap<>();
        boolean gave = true;
        while (!queue.isEmpty() && gave) {
            gave = false;
            for (Map.Entry<ActorRef<Worker.Command>, Member> e : members.entrySet()) {
                Member m = e.getValue();
                if (m.credit > 0 && !queue.isEmpty()) {
                    String id = queue.poll();
                    m.credit--;
                    m.assigned.add(id);
                    batches.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(id);
                    gave = true;
                }
            }
        }
        batches.forEach((worker, ids) -> worker.tell(new Worker.Work(ids)));
    }
}
