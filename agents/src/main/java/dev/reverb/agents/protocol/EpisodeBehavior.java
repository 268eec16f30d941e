package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.environments.StepChecker;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.MemorySlots;
import java.time.Instant;
import dev.reverb.memory.Recall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What every episode actor shares, and the base class of a protocol written outside Reverb: its
 * agents as children, asking them for turns, counting the tokens and calls of their replies,
 * protocol trace events, and ending the episode with exactly one outcome ({@link #finish} or
 * {@link #fail}).
 */
public abstract class EpisodeBehavior<T> extends AbstractBehavior<T> {

    protected final Episode episode;
    private final String protocol;
    private final ActorRef<EpisodeOutcome> replyTo;
    private final Map<String, ActorRef<Agent.Command>> agents = new HashMap<>();
    private final Map<String, Map<String, String>> memorySlots = new HashMap<>();
    private final Set<String> memoryUsed = new LinkedHashSet<>();
    private final List<EpisodeResult.Message> messages = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private long promptTokens;
    private long completionTokens;
    private int modelCalls;
    private boolean simulated;

    protected EpisodeBehavior(ActorContext<T> context, Episode episode, String protocol, List<String> agentNames,
                              ActorRef<EpisodeOutcome> replyTo) {
        super(context);
        this.episode = episode;
        this.protocol = protocol;
        this.replyTo = replyTo;
        for (String name : agentNames) {
            Episode.Binding binding = episode.agent(name);
            agents.put(name, context.spawn(Agent.create(binding.spec(), binding.gateway(), episode),
                    "agent-" + name.replaceAll("[^A-Za-z0-9_-]", "_")));
        }
    }

    /** Asks an agent for a turn; the reply (or the error) comes back as the message {@code adapt} makes. */
    protected void ask(String agent, int round, Phase phase, Map<String, String> slots,
                       BiFunction<Agent.Reply, Throwable, T> adapt) {
        ask(agent, round, phase, slots, 1, adapt);
    }

    /** {@link #ask} for {@code samples} independent samples of the turn, in one model call. */
    protected void ask(String agent, int round, Phase phase, Map<String, String> slots, int samples,
                       BiFunction<Agent.Reply, Throwable, T> adapt) {
        Map<String, String> all = new HashMap<>(slots);
        all.putIfAbsent("task", episode.task().question());
        memorySlots(agent).forEach(all::putIfAbsent);
        all.putIfAbsent("round", Integer.toString(round + 1));
        getContext().askWithStatus(Agent.Reply.class, agents.get(agent), episode.askTimeout(),
                ref -> new Agent.Act(round, phase, all, samples, ref), (reply, error) -> {
                    if (reply != null) {
                        reply.texts().forEach(text -> messages.add(new EpisodeResult.Message(agent, round, phase, text,
                                all.get("feedback"))));
                    }
                    return adapt.apply(reply, error);
                });
    }

    /**
     * Asks the process reward model of agent {@code scorer} to score {@code steps} (a partial or
     * whole solution of this episode's task); the scores (or the error) come back as the message
     * {@code adapt} makes.
     */
    protected void score(String scorer, int round, List<String> steps, BiFunction<StepScores, Throwable, T> adapt) {
        Episode.Binding prm = episode.agent(scorer);
        CallContext call = new CallContext(episode.id(), episode.task().id(), scorer, prm.spec().role().id(), round,
                Phase.SCORE);
        getContext().askWithStatus(StepScores.class, prm.gateway(), episode.askTimeout(),
                ref -> new ModelGateway.ScoreSteps(new ScoreRequest(episode.task().question(), steps, call), ref),
                adapt::apply);
    }

    /**
     * Why {@code step} cannot follow {@code previous} when the environment checks steps (a
     * {@link StepChecker}, e.g. Game of 24), traced as {@code illegal-step}; empty when it can or
     * when the environment does not check.
     */
    protected Optional<String> illegal(int round, List<String> previous, String step) {
        if (!(episode.environment() instanceof StepChecker checker)) {
            return Optional.empty();
        }
        Optional<String> why = checker.rejectStep(episode.task(), previous, step);
        why.ifPresent(reason -> event(round, "illegal-step", step + ": " + reason));
        return why;
    }

    /** Items as "1. ...", one a line. */
    protected static String numbered(List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : "\n").append(i + 1).append(". ").append(items.get(i));
        }
        return sb.toString();
    }

    /** Counts one reply's tokens and call. */
    protected Agent.Reply account(Agent.Reply reply) {
        promptTokens += reply.promptTokens();
        completionTokens += reply.completionTokens();
        modelCalls++;
        simulated |= reply.simulated();
        return reply;
    }

    protected void event(int round, String name, String detail) {
        episode.trace().emit(new TraceEvent.ProtocolEvent(Instant.now(), episode.id(), protocol, round, name, detail));
    }

    /** Ends the episode: the final output is graded and reported with every round's outcome. */
    protected Behavior<T> finish(String output, List<RoundOutcome> rounds) {
        var verdict = episode.environment().verify(episode.task(), output);
        event(rounds.size() - 1, "final", (verdict.correct() ? "correct: " : "incorrect: ") + verdict.extracted());
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        replyTo.tell(new EpisodeOutcome.Completed(new EpisodeResult(episode.id(), episode.task().id(), protocol,
                output, verdict, rounds, promptTokens, completionTokens, modelCalls, latency, List.copyOf(memoryUsed),
                simulated, messages)));
        return Behaviors.stopped();
    }

    /** Ends the episode as failed: it is not recorded and runs again on resume. */
    protected Behavior<T> fail(Throwable error) {
        String reason = error.getMessage() == null ? error.toString() : error.getMessage();
        event(0, "failed", reason);
        replyTo.tell(new EpisodeOutcome.Failed(episode.id(), reason));
        return Behaviors.stopped();
    }

    /** The memory slots of one agent: its share of the recall; their items count as used once shown. */
    private Map<String, String> memorySlots(String agent) {
        return memorySlots.computeIfAbsent(agent, a -> {
            Recall view = episode.memory().visibleTo(a);
            memoryUsed.addAll(MemorySlots.shown(view, episode.agent(a).spec().prompt().slots()));
            return MemorySlots.of(view);
        });
    }
}
