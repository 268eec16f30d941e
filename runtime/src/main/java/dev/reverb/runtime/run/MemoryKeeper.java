package dev.reverb.runtime.run;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.pattern.StatusReply;
import dev.reverb.agents.Asks;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.MemorySlots;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.memory.Insights;
import dev.reverb.memory.InsightOps;
import dev.reverb.memory.Memory;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.Trajectory;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a run's memory. It keeps every finished episode (trajectory and reflections)
 * before the episode is recorded, so a crash never leaves a recorded episode unremembered and a
 * resumed one rewrites the same items. Every {@code every} episodes of an environment it has
 * the distiller agent compare the latest successes with failures and edit the insights; a
 * distillation runs alongside the episodes and never holds them up. {@link Flush} answers once no
 * distillation is running or waiting.
 */
public final class MemoryKeeper extends AbstractBehavior<MemoryKeeper.Command> {

    public sealed interface Command {
    }

    /** Keep a finished episode; {@code replyTo} hears when it is durable (or could not be written). */
    public record Remember(Trajectory trajectory, ActorRef<Done> replyTo) implements Command {
    }

    /** Answer when every distillation has finished. */
    public record Flush(ActorRef<Done> replyTo) implements Command {
    }

    public enum Done { INSTANCE }

    private record Distilled(int number, String environment, List<MemoryItem> shown, Agent.Reply reply, Throwable error)
            implements Command {
    }

    /**
     * How the run uses memory.
     *
     * @param memory       the memory
     * @param read         scopes prompts read (full scope names)
     * @param shared       team and global scopes episodes write to
     * @param perAgent     whether episodes also write to each speaking agent's scope
     * @param conceptScope the scope insights live in
     * @param distiller    the distilling agent's name, or null when concept memory is off
     * @param every        distil after every K episodes of an environment
     * @param window       the latest episodes a distillation compares
     * @param seed         the run seed; distillation {@code n} is seeded with {@code seed + n}
     */
    public record Plan(Memory memory, Set<String> read, Set<String> shared, boolean perAgent, String conceptScope,
                       String distiller, int every, int window, long seed) {
        public Plan {
            Objects.requireNonNull(memory, "memory");
            read = Set.copyOf(read);
            shared = Set.copyOf(shared);
            Objects.requireNonNull(conceptScope, "conceptScope");
        }

        /**
         * What the store offers a task ({@code read}'s scopes), read on {@code io} (it embeds text and reads
         * the store): a local run's episodes and a cluster run's, through the seed, recall this way.
         */
        public java.util.concurrent.CompletableFuture<dev.reverb.memory.Recall> recall(String environment,
                String taskId, String question, java.util.concurrent.Executor io) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return memory.recall(environment, taskId, question, read);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, io);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(MemoryKeeper.class);

    /** @param distiller the plan's distiller bound to its model gateway, or null when concept memory is off */
    public static Behavior<Command> create(Plan plan, Episode.Binding distiller, Environment environment, TraceSink trace,
                                           Duration askTimeout) {
        return Behaviors.setup(ctx -> new MemoryKeeper(ctx, plan, distiller, environment, trace, askTimeout));
    }

    private final Plan plan;
    private final Episode.Binding distiller;
    private final Environment environment;
    private final TraceSink trace;
    private final Duration askTimeout;
    private final Map<String, Deque<Trajectory>> recent = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private final Set<String> pending = new LinkedHashSet<>();
    private final List<ActorRef<Done>> flushing = new ArrayList<>();
    /** Whether a distillation is waiting for the distiller (one at a time). */
    private boolean distilling;
    private int distillations;

    private MemoryKeeper(ActorContext<Command> context, Plan plan, Episode.Binding distiller, Environment environment,
                         TraceSink trace, Duration askTimeout) {
        super(context);
        this.plan = plan;
        this.distiller = distiller;
        this.environment = environment;
        this.trace = trace;
        this.askTimeout = askTimeout;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Remember.class, this::onRemember)
                .onMessage(Flush.class, this::onFlush)
                .onMessage(Distilled.class, this::onDistilled)
                .build();
    }

    private Behavior<Command> onRemember(Remember remember) {
        Trajectory t = remember.trajectory();
        try {
            plan.memory().remember(t, plan.shared(), plan.perAgent());
        } catch (IOException | RuntimeException e) {
            LOG.error("could not remember episode {}", t.id(), e);
            event("memory/" + t.id(), "memory-write-failed", String.valueOf(e.getMessage()));
        }
        remember.replyTo().tell(Done.INSTANCE);
        if (distiller != null) {
            Deque<Trajectory> latest = recent.computeIfAbsent(t.environment(), e -> new ArrayDeque<>());
            latest.addLast(t);
            while (latest.size() > plan.window()) {
                latest.removeFirst();
            }
            int count = counts.merge(t.environment(), 1, Integer::sum);
            if (count % plan.every() == 0) {
                pending.add(t.environment());
                distillNext();
            }
        }
        return this;
    }

    private Behavior<Command> onFlush(Flush flush) {
        flushing.add(flush.replyTo());
        answerFlushes();
        return this;
    }

    private void distillNext() {
        if (distilling || pending.isEmpty()) {
            return;
        }
        String env = pending.iterator().next();
        pending.remove(env);
        int number = ++distillations;
        List<MemoryItem> shown;
        try {
            shown = plan.memory().insights(env, plan.conceptScope());
        } catch (IOException e) {
            LOG.error("could not read the insights of {}", env, e);
            distillNext();
            return;
        }
        List<Trajectory> latest = List.copyOf(recent.getOrDefault(env, new ArrayDeque<>()));
        Map<String, String> slots = new HashMap<>();
        slots.put("insights", Insights.numbered(shown));
        slots.put("successes", examples(latest, true));
        slots.put("failures", examples(latest, false));
        slots.put("task", "Distil insights for " + env + " tasks.");
        slots.put("round", "1");
        String id = "memory/distill-" + number;
        Agent.Scope scope = new Agent.Scope(id, "distill-" + number, plan.seed() + number, trace);
        distilling = true;
        Asks.ask(getContext(), ModelGateway.Completed.class, distiller.agent(), askTimeout,
                ref -> new Agent.Act(number, 0, Phase.DISTILL, slots, scope, ref), (completed, error) -> {
                    Agent.Replied replied = completed == null ? null
                            : Agent.replied(distiller.spec(), scope, 0, Phase.DISTILL, completed);
                    return replied == null || replied.error() != null
                            ? new Distilled(number, env, shown, null, error != null ? error
                                    : new StatusReply.ErrorMessage(replied.error()))
                            : new Distilled(number, env, shown, replied.reply(), null);
                });
    }

    private Behavior<Command> onDistilled(Distilled d) {
        distilling = false;
        String id = "memory/distill-" + d.number();
        if (d.error() != null) {
            LOG.warn("distillation {} failed: {}", d.number(), d.error().getMessage());
            event(id, "distill-failed", String.valueOf(d.error().getMessage()));
        } else {
            InsightOps.Parsed parsed = InsightOps.parse(d.reply().text());
            try {
                Insights.Change change = plan.memory().revise(d.environment(), plan.conceptScope(), d.shown(), parsed.ops());
                List<String> problems = new ArrayList<>(parsed.problems());
                problems.addAll(change.problems());
                problems.forEach(p -> LOG.warn("distillation {}: skipped {}", d.number(), p));
                int applied = parsed.ops().size() - change.problems().size();
                event(id, "insights", applied + " operation(s) applied, " + problems.size() + " skipped; "
                        + change.list().size() + " insight(s) for " + d.environment()
                        + (problems.isEmpty() ? "" : "; skipped: " + String.join(" | ", problems)));
            } catch (IOException | RuntimeException e) {
                LOG.error("could not store the insights of distillation {}", d.number(), e);
                event(id, "distill-failed", String.valueOf(e.getMessage()));
            }
        }
        distillNext();
        answerFlushes();
        return this;
    }

    /** An episode as memory keeps it; a reflection carries the feedback its writer was shown. */
    static Trajectory trajectory(String runId, EpisodePlan plan, EpisodeResult result) {
        Task task = plan.task();
        List<Trajectory.Turn> turns = new ArrayList<>();
        for (EpisodeResult.Message m : result.messages()) {
            String feedback = m.phase() == Phase.REFLECT ? m.feedback() : "";
            turns.add(new Trajectory.Turn(m.agent(), m.phase().name(), m.round(), m.text(), feedback));
        }
        return new Trajectory(runId + "/" + plan.id(), task.environment(), task.id(), task.question(),
                result.protocol(), turns, result.verdict().extracted(), result.verdict().correct(),
                result.verdict().feedback());
    }

    private void answerFlushes() {
        if (!distilling && pending.isEmpty()) {
            flushing.forEach(r -> r.tell(Done.INSTANCE));
            flushing.clear();
        }
    }

    private void event(String episodeId, String name, String detail) {
        trace.emit(new TraceEvent.ProtocolEvent(Instant.now(), episodeId, "memory", 0, name, detail));
    }

    private static String examples(List<Trajectory> latest, boolean solved) {
        List<String> out = new ArrayList<>();
        for (Trajectory t : latest) {
            if (t.correct() == solved) {
                out.add("Example " + (out.size() + 1) + ":\n" + MemorySlots.cut(Memory.trajectoryText(t), 1500));
            }
        }
        return String.join("\n\n", out);
    }
}
