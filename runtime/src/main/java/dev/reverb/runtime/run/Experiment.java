package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.ChildFailed;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Asks;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.EnvironmentActor;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Runs a list of episodes, at most {@code concurrency} at once. It spawns one supervised model
 * gateway per configured model, then one protocol actor per episode; every ended episode goes
 * to the recorder, and when the last one has ended the recorder hears {@code AllDone}. An
 * experiment made by {@link #session} has no list: it runs the episodes {@link Submit}ted to it,
 * answers each asker, and runs until it is stopped.
 *
 * <p>Failures: an episode actor that fails or stops without an outcome fails that episode with
 * the cause; a memory keeper that fails ends the experiment at once ({@link Aborted}), which its
 * parent hears as a child failure. Episodes run on the default dispatcher (they never block:
 * verifiers run on {@link #VERIFIER_DISPATCHER}); the memory keeper and recalls run on the I/O
 * dispatcher.
 */
public final class Experiment extends AbstractBehavior<Experiment.Command> {

    /** Where verifiers run (configured in {@code reference.conf}). */
    public static final String VERIFIER_DISPATCHER = "reverb.verifier-dispatcher";

    public sealed interface Command {
    }

    /**
     * Run one more episode; {@code replyTo} hears its outcome once it is remembered (and recorded).
     *
     * @param grader grades this episode's answers in place of the setup's environment, or null
     */
    public record Submit(EpisodePlan plan, Environment grader, ActorRef<EpisodeOutcome> replyTo) implements Command {
        public Submit {
            Objects.requireNonNull(plan, "plan");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** Stop now (episodes still running are abandoned); {@code replyTo} hears when the gateways are stopped. */
    public record Stop(ActorRef<akka.Done> replyTo) implements Command {
    }

    /** The experiment cannot go on (a memory keeper failed); the message says why. */
    public static final class Aborted extends RuntimeException {
        public Aborted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Outcome(EpisodeOutcome outcome) implements Command {
    }

    /**
     * The episode actor {@code serial} stopped or failed ({@link EpisodeGuard}); sent by that actor after any
     * outcome it sent, so an episode that reported its outcome has ended when this arrives.
     */
    private record EpisodeStopped(String episodeId, int serial, String reason) implements Command {
    }

    private record Recalled(EpisodePlan plan, Recall recall, Throwable error) implements Command {
    }

    private record Remembered(EpisodePlan plan, EpisodeOutcome outcome) implements Command {
    }

    private enum Flushed implements Command { INSTANCE }

    /** Start more episodes: sent to itself after a batch of {@link #ADMIT_BATCH}, when more may start. */
    private enum Admit implements Command { INSTANCE }

    /**
     * Episodes started in one turn of this actor. A run of 100,000 episodes at once starts them a batch at
     * a time, so the outcomes of the first ones are handled and recorded between batches instead of
     * waiting in the mailbox until the last one has been spawned.
     */
    static final int ADMIT_BATCH = 1024;

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
     * @param runId       the run's id; with an episode's id it names the episode's memory items
     * @param memory      how the run reads and writes memory, or null without memory
     */
    public record Setup(Environment environment, Map<String, Model> models, List<AgentSpec> agents,
                        List<EpisodePlan> plans, int concurrency, String runId, MemoryKeeper.Plan memory) {
        public Setup {
            models = Map.copyOf(models);
            agents = List.copyOf(agents);
            plans = List.copyOf(plans);
            Objects.requireNonNull(runId, "runId");
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1");
            }
        }
    }

    public static Behavior<Command> create(Setup setup, ActorRef<Recorder.Command> recorder) {
        return create(setup, recorder, true);
    }

    /** An experiment whose trace events go to {@code recorder} when {@code traced}, nowhere otherwise. */
    public static Behavior<Command> create(Setup setup, ActorRef<Recorder.Command> recorder, boolean traced) {
        Objects.requireNonNull(recorder, "recorder");
        TraceSink trace = traced ? Recorder.sink(recorder) : TraceSink.NONE;
        return Behaviors.setup(ctx -> new Experiment(ctx, setup, recorder, trace, false, null));
    }

    /**
     * An experiment that runs the episodes {@link Submit}ted to it (after {@code setup}'s plans, if
     * any) and never ends by itself; nothing is recorded, trace events go to {@code trace}.
     */
    public static Behavior<Command> session(Setup setup, TraceSink trace) {
        return session(setup, trace, null);
    }

    /** A {@link #session} whose episodes recall from and are remembered through {@code memory} (if not null). */
    public static Behavior<Command> session(Setup setup, TraceSink trace, MemoryLink memory) {
        Objects.requireNonNull(trace, "trace");
        if (memory != null && setup.memory() != null) {
            throw new IllegalArgumentException("an experiment with a memory of its own takes no memory link");
        }
        return Behaviors.setup(ctx -> new Experiment(ctx, setup, null, trace, true, memory));
    }

    /** The verifier executor: {@link #VERIFIER_DISPATCHER} when configured, else Akka's blocking dispatcher. */
    public static Executor verifiers(ActorSystem<?> system) {
        return system.dispatchers().lookup(system.settings().config().hasPath(VERIFIER_DISPATCHER)
                ? DispatcherSelector.fromConfig(VERIFIER_DISPATCHER) : DispatcherSelector.blocking());
    }

    private final Setup setup;
    /** Null for a session: nothing is recorded. */
    private final ActorRef<Recorder.Command> recorder;
    private final boolean open;
    private final Map<String, ActorRef<EpisodeOutcome>> askers = new HashMap<>();
    private final Map<String, Environment> graders = new HashMap<>();
    /** The serial number of each running episode's actor, so a late report of an earlier actor for the same id is ignored. */
    private final Map<String, Integer> serials = new HashMap<>();
    private final Executor verifiers;
    private final TraceSink trace;
    private final Map<String, Episode.Binding> bindings;
    /** Each protocol's agents and their gateways: one map, shared by the protocol's episodes. */
    private final Map<dev.reverb.agents.protocol.Protocol, Map<String, Episode.Binding>> teams =
            new java.util.IdentityHashMap<>();
    private final Queue<EpisodePlan> waiting;
    /** The ids in {@link #waiting}, so a submitted episode's id is checked at once, not by a walk of the queue. */
    private final java.util.Set<String> waitingIds;
    private final Map<String, EpisodePlan> running = new HashMap<>();
    /** Episodes that have ended and are being remembered before they are recorded. */
    private final Map<String, EpisodePlan> remembering = new HashMap<>();
    private final ActorRef<MemoryKeeper.Command> keeper;
    /** The memory kept elsewhere (a cluster run's seed), or null. */
    private final MemoryLink link;
    /** Where memory recalls run (they embed text and read the store), off this actor's thread. */
    private final Executor io;
    private final ActorRef<EpisodeOutcome> outcomes;
    private final Duration askTimeout;
    private int spawned;
    /** Whether an {@link Admit} is on its way. */
    private boolean admitSent;

    private Experiment(ActorContext<Command> context, Setup setup, ActorRef<Recorder.Command> recorder,
                       TraceSink trace, boolean open, MemoryLink link) {
        super(context);
        this.link = link;
        this.setup = setup;
        this.recorder = recorder;
        this.trace = trace;
        this.open = open;
        this.verifiers = verifiers(context.getSystem());
        this.waiting = new ArrayDeque<>(setup.plans());
        this.waitingIds = new java.util.HashSet<>(setup.plans().size() * 4 / 3 + 16); // sized once, for 100,000 too
        setup.plans().forEach(p -> waitingIds.add(p.id()));
        this.outcomes = context.messageAdapter(EpisodeOutcome.class, Outcome::new);
        this.bindings = Team.spawn(context, setup.models(), setup.agents(), trace); // for every episode
        this.askTimeout = askTimeout(setup.models());
        DispatcherSelector ioDispatcher = EnvironmentActor.dispatcher(context.getSystem());
        this.io = context.getSystem().dispatchers().lookup(ioDispatcher);
        MemoryKeeper.Plan m = setup.memory();
        this.keeper = m == null ? null : context.spawn(MemoryKeeper.create(m,
                        m.distiller() == null ? null : bindings.get(m.distiller()), setup.environment(), trace, askTimeout),
                "memory", ioDispatcher);
        if (keeper != null) {
            context.watch(keeper);
        }
        if (waiting.isEmpty() && !open) {
            recorder.tell(Recorder.AllDone.INSTANCE);
        }
        startMore();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Outcome.class, this::onOutcome)
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(Stop.class, this::onStop)
                .onMessage(EpisodeStopped.class, this::onEpisodeStopped)
                .onMessage(Recalled.class, this::onRecalled)
                .onMessage(Remembered.class, this::onRemembered)
                .onMessage(Flushed.class, f -> allDone())
                .onMessageEquals(Admit.INSTANCE, this::onAdmit)
                .onSignal(ChildFailed.class, this::onChildFailed)
                .onSignal(Terminated.class, this::onChildStopped)
                .build();
    }

    private Behavior<Command> onSubmit(Submit submit) {
        String id = submit.plan().id();
        if (running.containsKey(id) || remembering.containsKey(id) || askers.containsKey(id)
                || waitingIds.contains(id)) {
            submit.replyTo().tell(new EpisodeOutcome.Failed(id, "an episode with id " + id + " is already running"));
            return this;
        }
        askers.put(id, submit.replyTo());
        if (submit.grader() != null) {
            graders.put(id, submit.grader());
        }
        waiting.add(submit.plan());
        waitingIds.add(id);
        startMore();
        return this;
    }

    private Behavior<Command> onStop(Stop stop) {
        return Behaviors.stopped(() -> stop.replyTo().tell(akka.Done.getInstance())); // after the children stopped
    }

    /** A failed memory keeper ends the experiment (episode actors are not watched: {@link EpisodeGuard}). */
    private Behavior<Command> onChildFailed(ChildFailed failed) {
        if (failed.getRef().equals(keeper)) {
            throw new Aborted("memory keeper failed: " + describe(failed.cause()), failed.cause());
        }
        return this;
    }

    private Behavior<Command> onChildStopped(Terminated stopped) {
        if (stopped.getRef().equals(keeper)) {
            throw new Aborted("memory keeper stopped", null);
        }
        return this;
    }

    /** A failure's own message (the root cause's, when Akka wrapped an exception thrown while starting an actor). */
    static String describe(Throwable error) {
        Throwable e = error;
        while (e instanceof akka.actor.ActorInitializationException && e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private Behavior<Command> onOutcome(Outcome message) {
        return ended(message.outcome());
    }

    private Behavior<Command> onEpisodeStopped(EpisodeStopped stopped) {
        Integer live = serials.get(stopped.episodeId());
        if (live == null || live != stopped.serial() || !running.containsKey(stopped.episodeId())) {
            return this; // it ended with its outcome, or this is an earlier actor of a resubmitted id
        }
        return ended(new EpisodeOutcome.Failed(stopped.episodeId(), stopped.reason()));
    }

    private Behavior<Command> ended(EpisodeOutcome outcome) {
        EpisodePlan plan = running.remove(outcome.episodeId());
        if (plan == null) {
            return this;
        }
        serials.remove(plan.id());
        if (link != null && outcome instanceof EpisodeOutcome.Completed completed) {
            remembering.put(plan.id(), plan);
            getContext().pipeToSelf(link.remember(MemoryKeeper.trajectory(setup.runId(), plan, completed.result())),
                    (done, error) -> new Remembered(plan, outcome));
            return this;
        }
        if (keeper != null && outcome instanceof EpisodeOutcome.Completed completed) {
            remembering.put(plan.id(), plan);
            Asks.ask(getContext(), MemoryKeeper.Done.class, keeper, askTimeout,
                    ref -> new MemoryKeeper.Remember(MemoryKeeper.trajectory(setup.runId(), plan, completed.result()), ref),
                    (done, error) -> new Remembered(plan, outcome));
            return this;
        }
        return record(plan, outcome);
    }

    private Behavior<Command> onRemembered(Remembered remembered) {
        remembering.remove(remembered.plan().id());
        return record(remembered.plan(), remembered.outcome());
    }

    private Behavior<Command> record(EpisodePlan plan, EpisodeOutcome outcome) {
        if (recorder != null) {
            recorder.tell(new Recorder.Ended(plan, outcome));
        }
        graders.remove(plan.id());
        ActorRef<EpisodeOutcome> asker = askers.remove(plan.id());
        if (asker != null) {
            asker.tell(outcome);
        }
        if (!open && running.isEmpty() && remembering.isEmpty() && waiting.isEmpty()) {
            if (keeper == null) {
                return allDone();
            }
            // The last distillations finish first (each is one agent turn); the run ends even if they do not.
            Asks.ask(getContext(), MemoryKeeper.Done.class, keeper, askTimeout.multipliedBy(4), MemoryKeeper.Flush::new,
                    (done, error) -> Flushed.INSTANCE);
            return this;
        }
        startMore();
        return this;
    }

    private Behavior<Command> allDone() {
        recorder.tell(Recorder.AllDone.INSTANCE);
        return Behaviors.stopped();
    }

    private Behavior<Command> onAdmit() {
        admitSent = false;
        startMore();
        return this;
    }

    private void startMore() {
        int started = 0;
        while (running.size() + remembering.size() < setup.concurrency() && !waiting.isEmpty()) {
            if (started++ == ADMIT_BATCH) {
                if (!admitSent) {
                    admitSent = true;
                    getContext().getSelf().tell(Admit.INSTANCE);
                }
                return;
            }
            EpisodePlan plan = waiting.poll();
            waitingIds.remove(plan.id());
            running.put(plan.id(), plan);
            MemoryKeeper.Plan m = setup.memory();
            if (link != null) {
                getContext().pipeToSelf(link.recall(plan.task()), (recall, error) -> new Recalled(plan, recall, error));
                continue;
            }
            if (m == null) {
                spawn(plan, Recall.EMPTY);
                continue;
            }
            Task task = plan.task();
            getContext().pipeToSelf(m.recall(task.environment(), task.id(), task.question(), io),
                    (recall, error) -> new Recalled(plan, recall, error));
        }
    }

    private Behavior<Command> onRecalled(Recalled recalled) {
        Recall recall = recalled.recall();
        if (recalled.error() != null) {
            // The episode runs without memory rather than not at all; the trace says why.
            trace.emit(new TraceEvent.ProtocolEvent(Instant.now(), recalled.plan().id(), "memory", 0, "recall-failed",
                    String.valueOf(recalled.error().getMessage())));
            recall = Recall.EMPTY;
        }
        spawn(recalled.plan(), recall);
        return this;
    }

    private void spawn(EpisodePlan plan, Recall recall) {
        Map<String, Episode.Binding> team = teams.computeIfAbsent(plan.protocol(), p -> {
            Map<String, Episode.Binding> agents = new HashMap<>();
            p.agents().forEach(name -> agents.put(name, bindings.get(name)));
            return Map.copyOf(agents);
        });
        Episode episode = new Episode(plan.id(), plan.task(), graders.getOrDefault(plan.id(), setup.environment()),
                plan.seed(), team, recall, trace, askTimeout, verifiers);
        Behavior<?> behavior;
        try {
            behavior = plan.protocol().behavior(episode, outcomes);
        } catch (RuntimeException e) { // e.g. a protocol that does not fit the environment
            getContext().getSelf().tell(new Outcome(new EpisodeOutcome.Failed(plan.id(), describe(e))));
            return;
        }
        // Episodes never block (verifiers run on the verifier dispatcher), so they share the default dispatcher.
        // Not watched, and anonymous (a name is checked and reserved): the guard reports how the actor ended.
        int serial = ++spawned;
        String id = plan.id();
        ActorRef<Command> self = getContext().getSelf();
        getContext().spawnAnonymous(EpisodeGuard.guard(behavior, reason -> self.tell(new EpisodeStopped(id, serial,
                reason))));
        serials.put(id, serial);
    }

    /**
     * How long an episode waits for one agent turn: the slowest model's worst case, 4 times, since a turn
     * may also wait in the gateway's queue behind other episodes' calls.
     */
    public static Duration askTimeout(Map<String, Model> models) {
        Duration slowest = Duration.ZERO;
        for (Model model : models.values()) {
            slowest = model.settings().worstCase().compareTo(slowest) > 0 ? model.settings().worstCase() : slowest;
        }
        return slowest.multipliedBy(4);
    }
}
