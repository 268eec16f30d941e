package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
     */
    public record Act(int round, Phase phase, Map<String, String> slots, int samples,
                      ActorRef<StatusReply<Reply>> replyTo) implements Command {
        public Act {
            slots = Map.copyOf(slots);
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1");
            }
        }

        public Act(int round, Phase phase, Map<String, String> slots, ActorRef<StatusReply<Reply>> replyTo) {
            this(round, phase, slots, 1, replyTo);
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

    public static Behavior<Command> create(AgentSpec spec, ActorRef<ModelGateway.Command> gateway, Episode episode) {
        return Behaviors.setup(ctx -> new Agent(ctx, spec, gateway, episode));
    }

    private final AgentSpec spec;
    private final ActorRef<ModelGateway.Command> gateway;
    private final Episode episode;

    private Agent(ActorContext<Command> context, AgentSpec spec, ActorRef<ModelGateway.Command> gateway,
                  Episode episode) {
        super(context);
        this.spec = spec;
        this.gateway = gateway;
        this.episode = episode;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Act.class, this::onAct)
                .onMessage(Answered.class, this::onAnswered)
                .build();
    }

    private Behavior<Command> onAct(Act act) {
        CallContext call = new CallContext(episode.id(), episode.task().id(), spec.name(), spec.role().id(), act.round(),
                act.phase());
        long seed = Seeds.mix(episode.seed(), spec.name(), act.round(), act.phase().name());
        GenerateRequest request = new GenerateRequest(spec.prompt().render(act.slots()),
                spec.sampling().withSeed(seed), act.samples(), call);
        getContext().askWithStatus(Generation.class, gateway,
                episode.askTimeout(),
                replyTo -> new ModelGateway.Generate(request, replyTo),
                (generation, error) -> new Answered(act, generation, error));
        return this;
    }

    private Behavior<Command> onAnswered(Answered answered) {
        Act act = answered.act();
        if (answered.error() != null) {
            act.replyTo().tell(StatusReply.error("agent '" + spec.name() + "': " + answered.error().getMessage()));
            return this;
        }
        Generation g = answered.generation();
        for (String text : g.texts()) {
            episode.trace().emit(new TraceEvent.AgentMessage(Instant.now(), episode.id(), spec.name(), spec.role().id(),
                    act.round(), act.phase(), text));
        }
        act.replyTo().tell(StatusReply.success(
                new Reply(spec.name(), g.texts(), g.promptTokens(), g.completionTokens(), g.simulated())));
        return this;
    }
}
