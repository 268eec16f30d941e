package dev.reverb.agents.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Asks;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.environments.StepChecker;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.agents.MemorySlots;
import dev.reverb.agents.Requests;
import akka.pattern.StatusReply;
import java.time.Instant;
import dev.reverb.memory.Recall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.reverb.environments.Verdict;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What every episode actor shares, and the base class of a protocol written outside Reverb: asking
 * its agents for turns, grading answers, counting the tokens and calls of their replies, protocol
 * trace events, and ending the episode with exactly one outcome ({@link #finish} or {@link #fail}).
 *
 * <p>The agents are the run's agent actors ({@link Episode.Binding#agent}), which outlive the
 * episode: the episode spawns none, each turn carries the episode's {@link Agent.Scope}, the
 * agent's model gateway answers the episode directly, and a reply that comes after its turn timed
 * out or after the episode ended is dropped, never delivered to another episode.
 *
 * <p>The actor never blocks: a verifier may run a sandbox subprocess or a replay, so
 * {@link #verify} runs it on the episode's verifier executor and pipes the verdict back as the
 * message {@code adapt} makes (an environment whose grading is quick, pure computation,
 * {@link dev.reverb.environments.Environment#verifiesInPlace}, is graded in place and its verdict
 * comes back the same way). Each answer text is verified once: {@link #finish(String, List)}
 * reuses the verdict of an output already verified.
 */
public abstract class EpisodeBehavior<T> extends AbstractBehavior<T> {

    protected final Episode episode;
    private final String protocol;
    private final ActorRef<EpisodeOutcome> replyTo;
    /** What every turn of this episode tells its agent about the episode. */
    private final Agent.Scope scope;
    /**
     * Agent turns waiting for their reply, which comes from the agent's model gateway: no ask each,
     * one timer for all (see {@link Requests}); a reply after the episode ended goes nowhere.
     */
    private final Requests<ModelGateway.Completed, T> turns;
    private final Map<String, Map<String, String>> memorySlots = new HashMap<>();
    private final Set<String> memoryUsed = new LinkedHashSet<>();
    private final List<EpisodeResult.Message> messages = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private long promptTokens;
    private long completionTokens;
    private int modelCalls;
    private boolean simulated;
    /** Verdicts by output text: an answer is verified once per episode. */
    private final Map<String, Verdict> verdicts = new HashMap<>();

    protected EpisodeBehavior(ActorContext<T> context, Episode episode, String protocol, List<String> agentNames,
                              ActorRef<EpisodeOutcome> replyTo) {
        super(context);
        this.episode = episode;
        this.protocol = protocol;
        this.replyTo = replyTo;
        this.scope = Agent.Scope.of(episode);
        this.turns = new Requests<>(context, ModelGateway.Completed.class, episode.askTimeout());
        for (String name : agentNames) {
            episode.agent(name); // fails now, not at the first turn, when the episode lacks one of its agents
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
        Map<String, String> all = allSlots(agent, round, slots);
        Episode.Binding binding = episode.agent(agent);
        turns.send(binding.agent(), "agent '" + agent + "'", (id, ref) -> new Agent.Act(id, round, phase, all, samples,
                scope, ref), (completed, timeout) -> {
                    if (timeout != null) {
                        return adapt.apply(null, timeout);
                    }
                    Agent.Replied replied = Agent.replied(binding.spec(), scope, round, phase, completed);
                    if (replied.error() != null) {
                        return adapt.apply(null, new StatusReply.ErrorMessage(replied.error()));
                    }
                    Agent.Reply reply = replied.reply();
                    String feedback = all.get("feedback");
                    for (String text : reply.texts()) {
                        messages.add(new EpisodeResult.Message(agent, round, phase, text, feedback));
                    }
                    return adapt.apply(reply, null);
                });
    }

    /**
     * {@code slots}, then the task, the agent's memory slots and the round number where {@code slots}
     * lacks them (or holds null), as one unmodifiable map that the agent's {@link Agent.Act} keeps as it
     * is (this runs for every agent turn).
     */
    private Map<String, String> allSlots(String agent, int round, Map<String, String> slots) {
        Map<String, String> all = new HashMap<>(slots);
        all.putIfAbsent("task", episode.task().question());
        memorySlots(agent).forEach(all::putIfAbsent);
        all.putIfAbsent("round", Integer.toString(round + 1));
        return Map.copyOf(all);
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
        Asks.askWithStatus(getContext(), StepScores.class, prm.gateway(), episode.askTimeout(),
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

    /** Whether this episode's trace goes anywhere (a run with its trace off has {@link TraceSink#NONE}). */
    protected boolean tracing() {
        return episode.trace() != TraceSink.NONE;
    }

    protected void event(int round, String name, String detail) {
        if (!tracing()) {
            return;
        }
        episode.trace().emit(new TraceEvent.ProtocolEvent(Instant.now(), episode.id(), protocol, round, name, detail));
    }

    /**
     * Grades {@code output} off this actor's thread (on the episode's verifier executor); the
     * verdict (or the verifier's error, as {@link VerifierFailed}) comes back as the message
     * {@code adapt} makes. An output verified before in this episode is not verified again.
     */
    protected void verify(String output, BiFunction<Verdict, Throwable, T> adapt) {
        Verdict known = verdicts.get(output);
        if (known != null) {
            getContext().getSelf().tell(adapt.apply(known, null));
            return;
        }
        getContext().pipeToSelf(verifying(output), (verdict, error) -> {
            if (verdict != null) {
                verdicts.put(output, verdict);
            }
            return adapt.apply(verdict, error == null ? null : VerifierFailed.of(error));
        });
    }

    /** {@link #verify} for several outputs at once (in parallel); the verdicts come back in order. */
    protected void verifyAll(List<String> outputs, BiFunction<List<Verdict>, Throwable, T> adapt) {
        List<String> texts = List.copyOf(outputs);
        List<CompletableFuture<Verdict>> each = new ArrayList<>();
        for (String text : new LinkedHashSet<>(texts)) {
            Verdict known = verdicts.get(text);
            each.add(known != null ? CompletableFuture.completedFuture(known) : verifying(text));
        }
        List<String> distinct = List.copyOf(new LinkedHashSet<>(texts));
        CompletableFuture<List<Verdict>> all = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(none -> each.stream().map(CompletableFuture::join).toList());
        getContext().pipeToSelf(all, (verdicts, error) -> {
            if (error != null) {
                return adapt.apply(null, VerifierFailed.of(error));
            }
            for (int i = 0; i < distinct.size(); i++) {
                this.verdicts.put(distinct.get(i), verdicts.get(i));
            }
            return adapt.apply(texts.stream().map(this.verdicts::get).toList(), null);
        });
    }

    /** The verdict of an output verified earlier in this episode, if any. */
    protected Optional<Verdict> verified(String output) {
        return Optional.ofNullable(verdicts.get(output));
    }

    private CompletableFuture<Verdict> verifying(String output) {
        if (episode.environment().verifiesInPlace()) {
            try {
                return CompletableFuture.completedFuture(java.util.Objects.requireNonNull(
                        episode.environment().verify(episode.task(), output), "the verifier returned no verdict"));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> java.util.Objects.requireNonNull(
                    episode.environment().verify(episode.task(), output), "the verifier returned no verdict"),
                    episode.verifier());
        } catch (RuntimeException rejected) { // e.g. the verifier pool is shut down
            return CompletableFuture.failedFuture(rejected);
        }
    }

    /** A verifier that threw: the episode fails with this (its message names the cause). */
    public static final class VerifierFailed extends RuntimeException {
        VerifierFailed(Throwable cause) {
            super("verifier failed: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        }

        static VerifierFailed of(Throwable error) {
            Throwable e = error;
            while (e instanceof CompletionException && e.getCause() != null) {
                e = e.getCause();
            }
            return e instanceof VerifierFailed v ? v : new VerifierFailed(e);
        }
    }

    /** Ends the episode with the final output and its verdict (already known), and every round's outcome. */
    protected Behavior<T> finish(String output, Verdict verdict, List<RoundOutcome> rounds) {
        verdicts.putIfAbsent(output, verdict);
        event(rounds.size() - 1, "final",
                (verdict.correct() ? "correct: " : "incorrect: ") + verdict.extracted());
        turns.cancel();
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        replyTo.tell(new EpisodeOutcome.Completed(new EpisodeResult(episode.id(), episode.task().id(), protocol,
                output, verdict, rounds, promptTokens, completionTokens, modelCalls, latency, List.copyOf(memoryUsed),
                simulated, messages)));
        return Behaviors.stopped();
    }

    /**
     * Ends the episode with the final output, reusing its verdict when {@link #verify} graded it;
     * an output never verified is verified now (off this thread) and the episode ends when its
     * verdict arrives, ignoring any other message meanwhile.
     */
    protected Behavior<T> finish(String output, List<RoundOutcome> rounds) {
        Verdict known = verdicts.get(output);
        if (known != null) {
            return finish(output, known, rounds);
        }
        List<RoundOutcome> copy = List.copyOf(rounds);
        getContext().pipeToSelf(verifying(output), (verdict, error) -> finalVerdict(output, copy, verdict, error));
        return Behaviors.receive((ctx, message) -> message instanceof FinalVerdict f
                ? (f.error() != null ? fail(f.error(), f.rounds()) : finish(f.output(), f.verdict(), f.rounds()))
                : Behaviors.same());
    }

    /**
     * The verdict of the final output, delivered to the finishing behavior {@link #finish(String,
     * List)} returns. It is not one of the subclass's messages, but that behavior is the only one
     * that receives it; the cast only satisfies the compiler (messages are not type-checked at run time).
     */
    private record FinalVerdict(String output, List<RoundOutcome> rounds, Verdict verdict, Throwable error) {
    }

    @SuppressWarnings("unchecked")
    private T finalVerdict(String output, List<RoundOutcome> rounds, Verdict verdict, Throwable error) {
        return (T) (Object) new FinalVerdict(output, rounds, verdict, error == null ? null : VerifierFailed.of(error));
    }

    /**
     * Ends the episode as failed with its cause; what it did so far (its messages, tokens and calls)
     * is kept in the failed record, and the episode runs again on resume.
     */
    protected Behavior<T> fail(Throwable error) {
        return fail(error, List.of());
    }

    /** {@link #fail(Throwable)}, keeping the outcome of every round that ended before the failure. */
    protected Behavior<T> fail(Throwable error, List<RoundOutcome> roundsSoFar) {
        String reason = error.getMessage() == null ? error.toString() : error.getMessage();
        int round = roundsSoFar.isEmpty() ? 0 : roundsSoFar.size();
        event(round, "failed", reason);
        turns.cancel();
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        replyTo.tell(new EpisodeOutcome.Failed(episode.id(), reason, new EpisodeOutcome.Partial(messages,
                roundsSoFar, promptTokens, completionTokens, modelCalls, latency)));
        return Behaviors.stopped();
    }

    /** The memory slots of one agent: its share of the recall; their items count as used once shown. */
    private Map<String, String> memorySlots(String agent) {
        if (episode.memory().isEmpty()) { // nothing recalled: every memory slot is empty, nothing is used
            return Map.of();
        }
        return memorySlots.computeIfAbsent(agent, a -> {
            Recall view = episode.memory().visibleTo(a);
            memoryUsed.addAll(MemorySlots.shown(view, episode.agent(a).spec().prompt().slots()));
            return MemorySlots.of(view);
        });
    }
}
