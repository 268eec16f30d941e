package dev.reverb.runtime.optimize;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The optimizer agent's model: its backend as the scenario configures it (or as the run options
 * give it), behind a {@link ModelGateway} like any agent's, with the gateway's retries, timeouts,
 * cache and token accounting. Asked from the search's own thread, never from an actor.
 */
final class OptimizerModel implements AutoCloseable {

    /** An answer and the tokens it cost (prompt and completion). */
    record Reply(String text, long tokens) {
    }

    private final AgentSpec agent;
    private final ModelBackend backend;
    private final boolean owned;
    private final ActorSystem<ModelGateway.Command> system;
    private final Duration timeout;
    private final String level;

    OptimizerModel(Scenario scenario, AgentSpec agent, Runner.Options options, Level level) throws IOException {
        this.agent = agent;
        Scenario.ModelConfig m = scenario.models().get(agent.model());
        ModelBackend given = options.backends().get(agent.model());
        this.owned = given == null;
        // the optimizer sees no task: its stand-in looks up none
        this.backend = given != null ? given
                : Wiring.backend(m, scenario.run().seed(), options.environment(), id -> Optional.empty());
        try { // like every model of a run: a clear error before anything is spent, warnings printed
            backend.preflight().forEach(w -> options.out().println("warning: optimizer model '" + agent.model()
                    + "': " + w));
        } catch (Exception e) {
            if (owned) {
                backend.close();
            }
            throw new Runner.CouldNotStart("cannot start: optimizer model '" + agent.model() + "': "
                    + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        Config config = ConfigFactory.load();
        this.system = ActorSystem.create(ModelGateway.create(backend, Wiring.gateway(m), TraceSink.NONE),
                "reverb-optimizer", config.getConfig("reverb.standalone").withFallback(config));
        // the gateway's own timeout and retries end every call; this only guards against a lost reply
        this.timeout = m.timeout().multipliedBy(m.retries() + 2L);
        this.level = level.id();
    }

    /** Asks for proposal number {@code round} (it seeds the call, so a resumed search asks the same). */
    Reply ask(String request, int round) throws InterruptedException {
        var messages = agent.prompt().render(Map.of("task", request));
        CallContext context = new CallContext("optimize/" + level, "optimize", agent.name(), agent.role().id(), round,
                Phase.PROPOSE);
        GenerateRequest call = new GenerateRequest(messages, agent.sampling(), 1, context);
        try {
            ModelGateway.Completed reply = AskPattern.<ModelGateway.Command, ModelGateway.Completed>ask(system,
                            (ActorRef<ModelGateway.Completed> to) -> new ModelGateway.Complete(round, call, to), timeout,
                            system.scheduler())
                    .toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (reply.error() != null) {
                throw new IllegalStateException("the optimizer's model failed: " + reply.error());
            }
            Generation g = reply.generation();
            return new Reply(g.texts().get(0), (long) g.promptTokens() + g.completionTokens());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the optimizer's model failed: " + e, e);
        }
    }

    String identity() {
        try {
            return backend.identity();
        } catch (RuntimeException e) {
            return backend.name();
        }
    }

    @Override
    public void close() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
        if (owned) {
            backend.close();
        }
    }
}
