package dev.reverb.runtime.run;

import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.Environment;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.Task;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.reverb.memory.Embedder;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.Memory;
import dev.reverb.memory.Scopes;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.backend.CachingBackend;
import dev.reverb.runtime.backend.CallCache;
import dev.reverb.runtime.backend.FaultyBackend;
import dev.reverb.runtime.backend.OpenAiBackend;
import dev.reverb.runtime.backend.PoolingPrm;
import dev.reverb.runtime.djl.DjlBackend;
import dev.reverb.runtime.djl.ProcessRewardModel;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.memory.LangChain4jEmbedder;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Turns a validated scenario's configuration into the components of a run. */
public final class Wiring {

    /** Calls waiting in a gateway beyond its concurrency before new ones are refused. */
    static final int QUEUE_CAPACITY = 100_000;
    static final Duration RETRY_BACKOFF = Duration.ofMillis(500);

    private Wiring() {
    }

    /** Builds the scenario's environment through its type's descriptor. */
    public static Environment environment(Scenario.EnvironmentConfig c, Extensions extensions) throws IOException {
        EnvironmentDescriptor descriptor = extensions.environment(c.type()).orElseThrow(
                () -> new IllegalArgumentException("unknown environment type '" + c.type() + "'"));
        return descriptor.factory().create(c.settings());
    }

    /** The tasks {@code run.tasks} names, in the environment's order; all of them when it names none. */
    public static List<Task> tasks(List<Task> tasks, List<String> ids) {
        if (ids.isEmpty()) {
            return tasks;
        }
        Set<String> wanted = new java.util.LinkedHashSet<>(ids);
        tasks.forEach(t -> wanted.remove(t.id()));
        if (!wanted.isEmpty()) {
            throw new IllegalArgumentException("run.tasks names task(s) the environment does not have: "
                    + String.join(", ", wanted.stream().limit(10).toList()));
        }
        Set<String> keep = Set.copyOf(ids);
        return tasks.stream().filter(t -> keep.contains(t.id())).toList();
    }

    /** Builds a protocol through its type's descriptor; Reflexion's carrying of reflections comes from memory. */
    public static Protocol protocol(Scenario.ProtocolConfig c, Scenario.MemoryConfig memory, Extensions extensions) {
        ProtocolDescriptor descriptor = extensions.protocol(c.type()).orElseThrow(
                () -> new IllegalArgumentException("unknown protocol type '" + c.type() + "'"));
        return descriptor.factory().create(c.name(), c.settings(), new ProtocolDescriptor.Context(memory.reflections()));
    }

    /**
     * The backend of a model. {@code environment} looks up the API key variable the scenario
     * names (the CLI passes {@code System::getenv}); {@code tasks} finds a run task by id, for the
     * simulated stand-in only (the model boundary carries task ids, never reference answers).
     * With {@code cache:} on, the backend is answered from the model-call cache first; with
     * {@code faults:}, faults are injected in front of that (so they are never cached).
     */
    public static ModelBackend backend(Scenario.ModelConfig m, long runSeed, Function<String, String> environment,
                                       Function<String, Optional<Task>> tasks) throws IOException {
        ModelBackend backend = bare(m, runSeed, environment, tasks);
        if (m.cache().mode() != Scenario.CacheConfig.Mode.OFF) {
            backend = new CachingBackend(backend, new CallCache(m.cache().folder()), identity(m, runSeed),
                    m.cache().mode() == Scenario.CacheConfig.Mode.READ ? CachingBackend.Mode.READ
                            : CachingBackend.Mode.READ_WRITE, m.backend() == Scenario.Backend.SIMULATED);
        }
        Scenario.FaultConfig f = m.faults();
        if (f != null && f.errorRate() + f.timeoutRate() + f.malformedRate() > 0) {
            // outside the cache, so an injected fault is never stored as the model's answer
            backend = new FaultyBackend(backend, f.errorRate(), f.timeoutRate(), f.malformedRate(), f.seed());
        }
        return backend;
    }

    /**
     * What identifies a model in the model-call cache: its backend kind, its name, and where it is
     * served from (base URL or model folder); for the simulated stand-in, also what decides its answers
     * (accuracy, fix-rate, run seed).
     */
    public static String identity(Scenario.ModelConfig m, long runSeed) {
        return switch (m.backend()) {
            case OPENAI -> "openai|" + m.model() + "|" + m.baseUrl();
            case DJL -> "djl|" + m.model() + "|" + m.djl().path() + "|" + m.djl().dtype();
            case SIMULATED -> "simulated|" + m.model() + "|" + m.simulated().accuracy() + "|" + m.simulated().fixRate()
                    + (m.simulated().cues().isEmpty() ? "" : "|" + m.simulated().cues()) + "|" + runSeed;
        };
    }

    private static ModelBackend bare(Scenario.ModelConfig m, long runSeed, Function<String, String> environment,
                                     Function<String, Optional<Task>> tasks) throws IOException {
        return switch (m.backend()) {
            case DJL -> new DjlBackend(m.djl().path(), m.djl().device(), m.djl().dtype(), m.djl().maxBatch(),
                    m.djl().maxWait(), QUEUE_CAPACITY, m.prm() == null ? null : new ProcessRewardModel.Settings(
                            ProcessRewardModel.Style.fromId(m.prm().style()), m.prm().marker(), m.prm().good(),
                            m.prm().bad()));
            case SIMULATED -> new SimulatedBackend(m.model(), m.simulated().accuracy(), m.simulated().fixRate(), runSeed,
                    tasks, m.simulated().latency()).withCues(m.simulated().cues());
            case OPENAI -> new OpenAiBackend(m.baseUrl(), m.model(),
                    m.apiKeyEnv() == null ? null : environment.apply(m.apiKeyEnv()), m.timeout(), m.concurrency(),
                    m.prm() == null ? null
                            : new PoolingPrm(m.baseUrl(), m.model(), m.prm().marker(), m.prm().positiveIndex(), m.timeout()));
        };
    }

    /** The embedding model memory uses: the in-process default, or an OpenAI-compatible endpoint. */
    public static Embedder embedder(Scenario.EmbeddingConfig e, Function<String, String> environment) {
        if (e.baseUrl() == null) {
            return LangChain4jEmbedder.miniLm();
        }
        String key = e.apiKeyEnv() == null ? null : environment.apply(e.apiKeyEnv());
        return new LangChain4jEmbedder(OpenAiEmbeddingModel.builder().baseUrl(e.baseUrl()).modelName(e.model())
                .apiKey(key == null || key.isBlank() ? "none" : key).build());
    }

    /**
     * Opens a scenario's memory for a run, or returns null when the scenario has none. Scopes:
     * {@code agent} reads each agent's own items, {@code team} the scenario's, {@code global} everyone's.
     */
    public static MemoryKeeper.Plan memory(Scenario scenario, Function<String, String> environment)
            throws IOException {
        Scenario.MemoryConfig c = scenario.memory();
        if (!c.enabled()) {
            return null;
        }
        Embedder embedder = embedder(c.embedding(), environment);
        Memory memory = new Memory(LuceneStore.open(c.folder(), embedder.dimension(), c.embedding().id()), embedder,
                new Memory.Settings(c.limits(), c.sameTask()), Clock.systemUTC());
        Set<String> read = new LinkedHashSet<>();
        for (String scope : c.read()) {
            switch (scope) {
                case "agent" -> scenario.agents().forEach(a -> read.add(Scopes.agent(a.name())));
                case "team" -> read.add(Scopes.team(scenario.name()));
                default -> read.add(Scopes.GLOBAL);
            }
        }
        Set<String> shared = new LinkedHashSet<>();
        c.write().stream().filter(w -> !w.equals("agent"))
                .forEach(w -> shared.add(w.equals("team") ? Scopes.team(scenario.name()) : Scopes.GLOBAL));
        String conceptScope = c.write().contains("global") && !c.write().contains("team") ? Scopes.GLOBAL
                : Scopes.team(scenario.name());
        Scenario.ConceptConfig concept = c.concept();
        return new MemoryKeeper.Plan(memory, read, shared, c.write().contains("agent"), conceptScope,
                concept == null ? null : concept.distiller(), concept == null ? 1 : concept.every(),
                concept == null ? 1 : concept.window(), scenario.run().seed());
    }

    public static GatewaySettings gateway(Scenario.ModelConfig m) {
        return new GatewaySettings(m.concurrency(), QUEUE_CAPACITY, m.timeout(), m.retries(), RETRY_BACKOFF);
    }
}
