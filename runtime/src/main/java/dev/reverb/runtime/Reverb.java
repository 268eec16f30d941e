package dev.reverb.runtime;

import akka.actor.typed.ActorSystem;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reverb hosted in an application's own {@link ActorSystem}: a {@link ReverbSession} answers
 * ad-hoc questions through a scenario's protocols, agents, models and memory, without a dataset
 * or a run folder.
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "app");
 * Scenario scenario = ScenarioLoader.load(Path.of("scenarios/reflexion.yaml"), List.of());
 * try (ReverbSession session = Reverb.session(system, scenario).start()) {
 *     EpisodeResult result = session.ask("What is 17 * 23?").toCompletableFuture().join();
 *     System.out.println(result.output() + " (" + result.promptTokens() + " prompt tokens)");
 * }
 * }</pre>
 */
public final class Reverb {

    private Reverb() {
    }

    /** A session on {@code system} with the scenario's models, agents, protocols, memory and environment. */
    public static Builder session(ActorSystem<?> system, Scenario scenario) {
        return new Builder(system, scenario);
    }

    /** How a session is made; {@link #start} builds the models (once) and spawns the session's actor. */
    public static final class Builder {
        final ActorSystem<?> system;
        final Scenario scenario;
        Extensions extensions = Extensions.NONE;
        Function<String, String> environment = name -> null;
        final Map<String, ModelBackend> backends = new LinkedHashMap<>();
        TraceSink trace = event -> { };
        Duration timeout = Duration.ofMinutes(30);

        private Builder(ActorSystem<?> system, Scenario scenario) {
            this.system = Objects.requireNonNull(system, "system");
            this.scenario = Objects.requireNonNull(scenario, "scenario");
        }

        /** Environments and protocols registered from Java that the scenario names. */
        public Builder extensions(Extensions registered) {
            this.extensions = Objects.requireNonNull(registered, "extensions");
            return this;
        }

        /** Looks up the environment variables the scenario names (API keys); none by default. */
        public Builder environmentVariables(Function<String, String> lookup) {
            this.environment = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /** Uses {@code backend} for the scenario's model {@code model}; the caller owns (and closes) it. */
        public Builder backend(String model, ModelBackend backend) {
            if (!scenario.models().containsKey(model)) {
                throw new IllegalArgumentException("the scenario has no model '" + model + "' (models: "
                        + String.join(", ", scenario.models().keySet()) + ")");
            }
            backends.put(model, Objects.requireNonNull(backend, "backend"));
            return this;
        }

        /** Where every agent message and model call of the session's episodes goes; nowhere by default. */
        public Builder trace(TraceSink sink) {
            this.trace = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The most one question may take, all its rounds together (30 minutes by default). */
        public Builder timeout(Duration limit) {
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = limit;
            return this;
        }

        public ReverbSession start() throws IOException {
            return ReverbSession.start(this);
        }
    }
}
