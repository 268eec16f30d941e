package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One agent of a run: an actor that lives as long as the run (or the distiller, or the test) that
 * spawned it and serves every episode of it, so an episode spawns and stops no actor for its
 * agents. It holds nothing across turns: each {@link Act} carries the episode's {@link Scope} and
 * every slot of the prompt. The agent renders its prompt template with those slots and hands the
 * call to its model gateway, which answers the asker directly (one message less per turn, and the
 * agent keeps no state per call); the asker reads that answer with {@link #replied}. It never
 * blocks and never calls a model directly.
 */
public final class Agent extends AbstractBehavior<Agent.Command> {

    public sealed interface Command {
    }

    /**
     * Take a turn in the episode {@code scope} names: speak in {@code phase} of {@code round}, given
     * the filled slots; with {@code samples} above 1, give that many independent samples of the
     * turn in one model call. The answer, a {@link ModelGateway.Completed} with the same {@code id},
     * comes to {@code replyTo} from the agent's model gateway (or from the agent itself when it cannot
     * build its prompt); {@link #replied} makes the agent's {@link Replied} of it. The asker times the
     * turn: the agent does not.
     */
    public record Act(long id, int round, Phase phase, Map<String, String> slots, int samples, Scope scope,
                      ActorRef<ModelGateway.Completed> replyTo) implements Command {
        public Act {
            slots = Map.copyOf(slots);
            if (samples < 1) {
                throw new IllegalArgumentException("samples must be >= 1");
            }
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(replyTo, "replyTo");
        }

        public Act(long id, int round, Phase phase, Map<String, String> slots, Scope scope,
                   ActorRef<ModelGateway.Completed> replyTo) {
            this(id, round, phase, slots, 1, scope, replyTo);
        }
    }

    /** The answer to the {@link Act} {@code id}: the agent's reply, or (as {@code error}) why it has none. */
    public record Replied(long id, Reply reply, String error) {
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

    /**
     * Where an agent speaks: the ids its model calls carry (never the task itself), its seed and its
     * trace. Every {@link Act} carries one.
     */
    public record Scope(String episodeId, String taskId, long seed, TraceSink trace) {
        public Scope {
            Objects.requireNonNull(episodeId, "episodeId");
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(trace, "trace");
        }

        public static Scope of(Episode episode) {
            return new Scope(episode.id(), episode.task().id(), episode.seed(), episode.trace());
        }
    }

    /** The agent {@code spec}, asking {@code gateway}, for every episode that asks it. */
    public static Behavior<Command> create(AgentSpec spec, ActorRef<ModelGateway.Command> gateway) {
        return Behaviors.setup(ctx -> new Agent(ctx, spec, gateway));
    }

    /** The actor name of agent {@code name}: {@code agent-} and the name, each character outside {@code [A-Za-z0-9_-]} as {@code _}. */
    public static String actorName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return "agent-" + UNSAFE_IN_NAMES.matcher(name).replaceAll("_"); // rare: the pattern decides
            }
        }
        return "agent-" + name;
    }

    /**
     * The reply of agent {@code spec} that {@code completed} holds, the answer to its {@link Act} in
     * {@code round} and {@code phase} of {@code scope}'s episode: each text goes to the scope's trace
     * as the agent's message; an error names the agent.
     */
    public static Replied replied(AgentSpec spec, Scope scope, int round, Phase phase, ModelGateway.Completed completed) {
        if (completed.error() != null) {
            return new Replied(completed.id(), null, "agent '" + spec.name() + "': " + completed.error());
        }
        Generation g = completed.generation();
        if (scope.trace() != TraceSink.NONE) {
            for (String text : g.texts()) {
                scope.trace().emit(new TraceEvent.AgentMessage(Instant.now(), scope.episodeId(), spec.name(),
                        spec.role().id(), round, phase, text));
            }
        }
        return new Replied(completed.id(),
                new Reply(spec.name(), g.texts(), g.promptTokens(), g.completionTokens(), g.simulated()), null);
    }

    private static final Pattern UNSAFE_IN_NAMES = Pattern.compile("[^A-Za-z0-9_-]");

    private final AgentSpec spec;
    private final ActorRef<ModelGateway.Command> gateway;

    private Agent(ActorContext<Command> context, AgentSpec spec, ActorRef<ModelGateway.Command> gateway) {
        super(context);
        this.spec = spec;
        this.gateway = gateway;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Act.class, this::onAct)
                .build();
    }

    private Behavior<Command> onAct(Act act) {
        Scope scope = act.scope();
        GenerateRequest request;
        try {
            CallContext call = new CallContext(scope.episodeId(), scope.taskId(), spec.name(), spec.role().id(),
                    act.round(), act.phase());
            long seed = Seeds.then(Seeds.then(Seeds.then(Seeds.start(scope.seed()), spec.name()), act.round()),
                    act.phase().name()); // Seeds.mix(seed, name, round, phase), nothing boxed
            request = new GenerateRequest(spec.prompt().render(act.slots()), spec.sampling().withSeed(seed),
                    act.samples(), call);
        } catch (RuntimeException e) { // e.g. a template that renders no user message: this turn fails, not the agent
            act.replyTo().tell(new ModelGateway.Completed(act.id(), null, "cannot build its model call: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage())));
            return this;
        }
        gateway.tell(new ModelGateway.Complete(act.id(), request, act.replyTo()));
        return this;
    }
}
