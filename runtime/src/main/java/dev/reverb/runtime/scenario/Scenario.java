package dev.reverb.runtime.scenario;

import dev.reverb.agents.AgentSpec;
import dev.reverb.environments.Settings;
import dev.reverb.memory.Memory;
import dev.reverb.runtime.backend.FaultyBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated scenario: everything {@code reverb run} needs, with paths resolved against the
 * scenario file's folder, prompts loaded and overrides applied.
 *
 * @param name         the scenario's name (the run folder is {@code output/name/run-id})
 * @param description  free text
 * @param source       the file it was loaded from
 * @param resolvedYaml the scenario after overrides, with absolute paths and inlined prompts:
 *                     loading it again gives an equal scenario (written to the run folder)
 */
public record Scenario(String name, String description, Path source, EnvironmentConfig environment,
                       Map<String, ModelConfig> models, List<AgentSpec> agents, List<ProtocolConfig> protocols,
                       MemoryConfig memory, RunConfig run, String resolvedYaml) {

    public Scenario {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        Objects.requireNonNull(environment, "environment");
        models = Map.copyOf(models);
        agents = List.copyOf(agents);
        protocols = List.copyOf(protocols);
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(resolvedYaml, "resolvedYaml");
    }

    /**
     * The environment: its type and its settings, checked against the type's descriptor (defaults
     * filled in, paths absolute, a dataset folder resolved to the type's file in it).
     */
    public record EnvironmentConfig(String type, Settings settings) {
        public EnvironmentConfig {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(settings, "settings");
        }
    }

    public enum Backend { SIMULATED, OPENAI, DJL }

    /**
     * A model and how its gateway treats it. The backend is {@code djl} when a model folder
     * {@code path} is set, {@code openai} when a base URL is set, {@code simulated} otherwise (or as
     * {@code backend:} says explicitly).
     */
    public record ModelConfig(String name, Backend backend, String model, String baseUrl, String apiKeyEnv,
                              double temperature, double topP, int topK, int maxTokens, List<String> stop, int concurrency,
                              Duration timeout, int retries, SimulatedConfig simulated, DjlConfig djl,
                              PrmConfig prm, CacheConfig cache, FaultConfig faults) {
        public ModelConfig {
            cache = cache == null ? CacheConfig.OFF : cache;
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(model, "model");
            stop = List.copyOf(stop == null ? List.of() : stop);
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(simulated, "simulated");
            if (backend == Backend.DJL) {
                Objects.requireNonNull(djl, "djl");
            }
        }

        /** A model with every optional setting at its default; set the rest on the builder. */
        public static Builder builder(String name, String model) {
            return new Builder(name, model);
        }

        /** Builds a {@link ModelConfig}; the defaults are those of a scenario file that leaves the keys out. */
        public static final class Builder {
            private final String name;
            private final String model;
            private Backend backend = Backend.SIMULATED;
            private String baseUrl;
            private String apiKeyEnv;
            private double temperature = 0.7;
            private double topP = 1.0;
            private int topK;
            private int maxTokens = 512;
            private List<String> stop = List.of();
            private int concurrency = 4;
            private Duration timeout = Duration.ofSeconds(120);
            private int retries = 3;
            private SimulatedConfig simulated = SimulatedConfig.DEFAULT;
            private DjlConfig djl;
            private PrmConfig prm;
            private CacheConfig cache = CacheConfig.OFF;
            private FaultConfig faults;

            private Builder(String name, String model) {
                this.name = name;
                this.model = model;
            }

            public Builder backend(Backend value) { backend = value; return this; }
            public Builder baseUrl(String value) { baseUrl = value; return this; }
            public Builder apiKeyEnv(String value) { apiKeyEnv = value; return this; }
            public Builder temperature(double value) { temperature = value; return this; }
            public Builder topP(double value) { topP = value; return this; }
            public Builder topK(int value) { topK = value; return this; }
            public Builder maxTokens(int value) { maxTokens = value; return this; }
            public Builder stop(List<String> value) { stop = value; return this; }
            public Builder concurrency(int value) { concurrency = value; return this; }
            public Builder timeout(Duration value) { timeout = value; return this; }
            public Builder retries(int value) { retries = value; return this; }
            public Builder simulated(SimulatedConfig value) { simulated = value; return this; }
            public Builder djl(DjlConfig value) { djl = value; return this; }
            public Builder prm(PrmConfig value) { prm = value; return this; }
            public Builder cache(CacheConfig value) { cache = value; return this; }
            public Builder faults(FaultConfig value) { faults = value; return this; }

            public ModelConfig build() {
                return new ModelConfig(name, backend, model, baseUrl, apiKeyEnv, temperature, topP, topK, maxTokens,
                        stop, concurrency, timeout, retries, simulated, djl, prm, cache, faults);
            }
        }
    }

    /**
     * The on-disk model-call cache of a model.
     *
     * @param mode   {@code off}: no cache; {@code read}: answer from the cache where it can, call the
     *               model otherwise and keep nothing; {@code read-write}: also store every new answer
     * @param folder the cache folder, absolute; null when off (default: {@code .reverb-cache} in the
     *               run output folder, so every scenario that writes there shares it)
     */
    public record CacheConfig(Mode mode, Path folder) {
        public static final CacheConfig OFF = new CacheConfig(Mode.OFF, null);

        public enum Mode {
            OFF, READ, READ_WRITE;

            public String id() {
                return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            }

            public static Mode fromId(String id) {
                return valueOf(id.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            }
        }

        public CacheConfig {
            Objects.requireNonNull(mode, "mode");
            if (mode != Mode.OFF) {
                Objects.requireNonNull(folder, "folder");
            }
        }
    }

    /**
     * Injected faults, for chaos runs and tests: each try of a call independently fails with a
     * retryable error, hangs past the gateway's timeout, or comes back malformed (cut short, no
     * answer), at these rates, decided by the seed (reproducible).
     */
    public record FaultConfig(double errorRate, double timeoutRate, double malformedRate, long seed) {
        public FaultConfig {
            FaultyBackend.checkRates(errorRate, timeoutRate, malformedRate);
        }
    }

    /**
     * The in-process engine's settings.
     *
     * @param path     the Hugging Face model folder, absolute
     * @param device   {@code auto}, {@code cpu} or {@code cuda}
     * @param dtype    {@code float32} or {@code float16}
     * @param maxBatch most sequences decoded together
     * @param maxWait  how long a request waits for others to share its batch
     */
    public record DjlConfig(Path path, String device, String dtype, int maxBatch, Duration maxWait) {
        public DjlConfig {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(maxWait, "maxWait");
        }
    }

    /**
     * How a model scores reasoning steps, when it is a process reward model.
     *
     * @param style         djl: {@code step-tag} (label tokens after a tag) or {@code reward-head}
     * @param marker        the one-token step tag or separator after each step
     * @param good          step-tag: the label token of a right step
     * @param bad           step-tag: the label token of a wrong step
     * @param positiveIndex openai: which entry of the server's per-step row is the score
     */
    public record PrmConfig(String style, String marker, String good, String bad, int positiveIndex) {
        public PrmConfig {
            Objects.requireNonNull(marker, "marker");
        }
    }

    /**
     * The offline stand-in's behaviour.
     *
     * @param accuracy chance that a first answer is right
     * @param fixRate  chance that a wrong answer is fixed after feedback, critique or reflection
     * @param cues     stand-in only (demos and tests of {@code reverb optimize}): a phrase and the
     *                 first-answer accuracy when the agent's prompt contains it; empty: none
     * @param latency  how long each call takes (zero: answers at once)
     */
    public record SimulatedConfig(double accuracy, double fixRate, Map<String, Double> cues, Duration latency) {
        public static final SimulatedConfig DEFAULT = new SimulatedConfig(0.6, 0.5);

        public SimulatedConfig {
            cues = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(cues == null ? Map.of() : cues));
            Objects.requireNonNull(latency, "latency");
        }

        public SimulatedConfig(double accuracy, double fixRate) {
            this(accuracy, fixRate, Map.of(), Duration.ZERO);
        }
    }

    /**
     * A protocol entry: its unique name, its type ({@code reflexion}, {@code debate}) and its
     * settings, checked against the type's descriptor (defaults filled in).
     */
    public record ProtocolConfig(String name, String type, Settings settings) {
        public ProtocolConfig {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(settings, "settings");
        }
    }

    /**
     * Memory settings.
     *
     * @param reflections carry verbal reflections between trials of a task (Reflexion)
     * @param folder      the persistent store, absolute; null: nothing is remembered across episodes
     * @param embedding   the embedding model
     * @param read        scopes prompts read: {@code agent}, {@code team}, {@code global}
     * @param write       scopes episodes write to
     * @param limits      how much of memory a prompt shows
     * @param sameTask    whether a task may recall its own earlier episodes
     * @param concept     insight distillation, or null when off
     */
    public record MemoryConfig(boolean reflections, Path folder, EmbeddingConfig embedding, List<String> read,
                               List<String> write, Memory.Limits limits, boolean sameTask, ConceptConfig concept) {
        public static final List<String> DEFAULT_READ = List.of("agent", "team", "global");
        public static final List<String> DEFAULT_WRITE = List.of("team");

        public MemoryConfig {
            Objects.requireNonNull(embedding, "embedding");
            Objects.requireNonNull(limits, "limits");
            read = List.copyOf(read);
            write = List.copyOf(write);
        }

        /** Within-task reflections only: nothing is remembered across episodes. */
        public static MemoryConfig off(boolean reflections) {
            return new MemoryConfig(reflections, null, EmbeddingConfig.DEFAULT, DEFAULT_READ, DEFAULT_WRITE,
                    Memory.Limits.DEFAULT, true, null);
        }

        public boolean enabled() {
            return folder != null;
        }
    }

    /**
     * The embedding model of memory.
     *
     * @param model     {@code all-minilm-l6-v2} (in process), or the model an endpoint serves
     * @param baseUrl   an OpenAI-compatible embeddings endpoint, or null for the in-process model
     * @param apiKeyEnv the environment variable holding the endpoint's API key, or null
     */
    public record EmbeddingConfig(String model, String baseUrl, String apiKeyEnv) {
        public static final String MINILM = "all-minilm-l6-v2";
        public static final EmbeddingConfig DEFAULT = new EmbeddingConfig(MINILM, null, null);

        public EmbeddingConfig {
            Objects.requireNonNull(model, "model");
        }

        /** The name recorded in the store, so vectors of different models are never mixed. */
        public String id() {
            return model;
        }
    }

    /**
     * Concept memory: insight distillation.
     *
     * @param distiller the agent that distils
     * @param every     distil after every K finished episodes of an environment
     * @param window    the latest episodes one distillation compares
     */
    public record ConceptConfig(String distiller, int every, int window) {
        public ConceptConfig {
            Objects.requireNonNull(distiller, "distiller");
        }
    }

    /**
     * @param concurrency episodes at once
     * @param seed        run seed: every episode's and call's seed derives from it
     * @param repeats     times each task is run under each protocol
     * @param output      the folder that holds {@code SCENARIO/RUN-ID/} run folders, absolute
     * @param tasks       the ids of the environment's tasks to run; empty: every task
     * @param trace       whether {@code trace.jsonl} records every agent message and model call (on by
     *                    default); off, the run writes no trace and the same episodes
     */
    public record RunConfig(int concurrency, long seed, int repeats, Path output, List<String> tasks, boolean trace) {
        public RunConfig {
            tasks = List.copyOf(tasks == null ? List.of() : tasks);
        }

        /** A run of every task with its trace on. */
        public RunConfig(int concurrency, long seed, int repeats, Path output) {
            this(concurrency, seed, repeats, output, List.of(), true);
        }
    }
}
