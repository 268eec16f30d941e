package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.pattern.StatusReply;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One agent of an episode: renders its prompt template with the slots a protocol gives it, asks
 * its model gateway, and replies with its natural-language message. It never blocks and never
 * calls a model directly.
 */
public final class Agent extends AbstractBehavior<Agent.Command> {

    public sealed interface Command {
    }

    /**
     * Take a turn: speak in {@code phase} of {@code round}, given the filled slots; with
     * {@code samples} above 1, give that many independent samples of the turn in one model call.
     * The answer, a {@link Replied} with the same {@code id}, goes to {@code replyTo}.
     */
    public record Act(long id, int round, Phase phase, Map<String, String> slots, int samples,
                      ActorRef<Replied> replyTo) implements Command {
        public Act {
            slots = Map.copyOf(slots);
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1");
            }
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(replyTo, "replyTo");
        }

        public Act(long id, int round, Phase phase, Map<String, String> slots, ActorRef<Replied> replyTo) {
            this(id, round, phase, slots, 1, replyTo);
        }
    }

    /** The answer to the {@link Act} {@code id}: the agent's reply, or (as {@code error}) why it has none. */
    public record Replied(long id, Reply reply, String error) implements Requests.Tagged {
        public Replied {
            if ((reply == null) == (error == null)) {
                throw new IllegalArgumentException("a turn is answered with either a reply or an error");
            }
        }
    }

    /** What the agent said (every sample, when it was asked for several), with the tokens it cost. */
    public record Reply(String agent, List<String> texts, int promptTokens, int completionTokens, boolean simulated) {
        public Reply {
            texts = List.copyOf(texts);
            if (texts.isEmpty()) {
                throw new IllegalArgumentException("a reply has at least one text");
            }
        }

        /** The (first) text. */
        public String text() {
            return texts.get(0);
        }
    }

    private record Answered(Act act, Generation generation, Throwable error) implements Command {
    }

    /**
     * Where an agent speaks: the ids its model calls carry (never the task itself), its seed, its
     * trace and how long it waits for its model.
     */
    public record Scope(String episodeId, String taskId, long seed, TraceSink trace, Duration askTimeout) {
        public Scope {
            Objects.requireNonNull(episodeId, "episodeId");
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(trace, "trace");
            Objects.requireNonNull(askTimeout, "askTimeout");
        }

        public static Scope of(Episode episode) {
            return new Scope(episode.id(), episode.task().id(), episode.seed(), episode.trace(), episode.askTimeout());
        }
    }

    public static Behavior<Command> create(AgentSpec spec, ActorRef<ModelGateway.Command> gateway, Episode episode) {
        return create(spec, gateway, Scope.of(episode));
    }

    /** An agent outside any task episode (e.g. memory's distiller), known by the ids in {@code scope}. */
    public static Behavior<Command> create(AgentSpec spec, ActorRef<ModelGateway.Command> gateway, Scope scope) {
        return Behaviors.setup(ctx -> new Agent(ctx, spec, gateway, scope));
    }

    private final AgentSpec spec;
    private final ActorRef<ModelGateway.Command> gateway;
    private final Scope scope;
    /** Model calls waiting for their answer: no ask each, one timer for all (see {@link Requests}). */
    private final Requests<ModelGateway.Completed, Command> calls;
    private final String gatewayName;

    private Agent(ActorContext<Command> context, AgentSpec spec, ActorRef<ModelGateway.Command> gateway,
                  Scope scope) {
        super(context);
        this.spec = spec;
        this.gateway = gateway;
        this.scope = scope;
        this.calls = new Requests<>(context, ModelGateway.Completed.class, scope.askTimeout());
        this.gatewayName = "model gateway '" + gateway.path().name() + "'";
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Act.class, this::onAct)
                .onMessage(Answered.class, this::onAnswered)
                .onSignal(PostStop.class, this::onStop)
                .build();
    }

    private Behavior<Command> onAct(Act act) {
        CallContext call = new CallContext(scope.episodeId(), scope.taskId(), spec.name(), spec.role().id(), act.round(),
                act.phase());
        long seed = Seeds.mix(scope.seed(), spec.name(), act.round(), act.phase().name());
        GenerateRequest request = new GenerateRequest(spec.prompt().render(act.slots()),
                spec.sampling().withSeed(seed), act.samples(), call);
        calls.send(gateway, gatewayName, (id, replyTo) -> new ModelGateway.Complete(id, request, replyTo),
                (completed, timeout) -> timeout != null ? new Answered(act, null, timeout)
                        : completed.error() != null ? new Answered(act, null, new StatusReply.ErrorMessage(completed.error()))
                        : new Answered(act, completed.generation(), null));
        return this;
    }

    private Behavior<Command> onStop(PostStop stop) {
        calls.cancel();
        return this;
    }

    private Behavior<Command> onAnswered(Answered answered) {
        Act act = answered.act();
        if (answered.error() != null) {
            act.replyTo().tell(new Replied(act.id(), null, "agent '" + spec.name() + "': " + answered.error().getMessage()));
            return this;
        }
        Generation g = answered.generation();
        for (int i = 0; i < g.texts().size() && scope.trace() != TraceSink.NONE; i++) {
            String text = g.texts().get(i);
            scope.trace().emit(new TraceEvent.AgentMessage(Instant.now(), scope.episodeId(), spec.name(), spec.role().id(),
                    act.round(), act.phase(), text));
        }
        act.replyTo().tell(new Replied(act.id(),
                new Reply(spec.name(), g.texts(), g.promptTokens(), g.completionTokens(), g.simulated()), null));
        return this;
    }
}
