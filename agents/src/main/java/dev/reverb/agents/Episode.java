package dev.reverb.agents;

import akka.actor.typed.ActorRef;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Everything a protocol needs to run one episode.
 *
 * @param id          unique within the run, e.g. {@code debate/arith-0007/r0}
 * @param task        the task
 * @param environment grades answers
 * @param seed        this episode's seed (derived from the run seed and the id)
 * @param agents      the scenario's agents by name: each one's actor (spawned once for the run, it
 *                    serves every episode) and model gateway
 * @param memory      what memory recalls for this task; each agent sees its share
 * @param trace       where agent messages and protocol events go
 * @param askTimeout  how long to wait for one agent turn (the gateway's worst case)
 * @param verifier    where the environment's verifier runs (it may block: a sandbox subprocess, a
 *                    replay), never on the protocol actor's thread; the runtime passes the
 *                    {@code reverb.verifier-dispatcher}
 */
public record Episode(String id, Task task, Environment environment, long seed, Map<String, Binding> agents,
                      Recall memory, TraceSink trace, Duration askTimeout, Executor verifier) {

    /**
     * An agent, the gateway of its model and the agent's actor ({@link Agent#create}), which outlives
     * the episode: whoever builds the run's gateways spawns it once and every episode's
     * {@link Agent.Act} names the episode ({@link Agent.Scope}).
     */
    public record Binding(AgentSpec spec, ActorRef<ModelGateway.Command> gateway, ActorRef<Agent.Command> agent) {
        public Binding {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(agent, "agent");
        }
    }

    public Episode {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(trace, "trace");
        Objects.requireNonNull(askTimeout, "askTimeout");
        agents = Map.copyOf(agents);
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(verifier, "verifier");
    }

    /** An episode whose verifier runs on the common fork-join pool (for tests and cheap verifiers). */
    public Episode(String id, Task task, Environment environment, long seed, Map<String, Binding> agents,
                   Recall memory, TraceSink trace, Duration askTimeout) {
        this(id, task, environment, seed, agents, memory, trace, askTimeout, ForkJoinPool.commonPool());
    }

    public Binding agent(String name) {
        Binding b = agents.get(name);
        if (b == null) {
            throw new IllegalArgumentException("episode " + id + " has no agent '" + name + "'");
        }
        return b;
    }
}
