package dev.reverb.runtime.scenario;

import dev.reverb.agents.AgentSpec;
import dev.reverb.memory.Memory;
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
     * @param type        {@code arithmetic}, {@code gsm8k}, {@code humaneval} or {@code game24}
     * @param dataset     the dataset file, absolute (a folder given in the file is resolved to the type's
     *                    file in it); null for generators
     * @param split       for a dataset folder: which {@code SPLIT.jsonl} to read
     * @param limit       at most this many tasks (null: all)
     * @param shuffleSeed shuffle the tasks with this seed before the limit (null: file order)
     * @param count       generator: how many problems
     * @param minSteps    generator: fewest steps per problem
     * @param maxSteps    generator: most steps per problem
     * @param seed        generator: seed
     * @param fromRank    game24: the first puzzle rank (null: from the first)
     * @param toRank      game24: the last puzzle rank (null: to the last)
     * @param difficulty  textworld: easy, medium or hard
     * @param settings    an environment registered from Java: its settings as written; empty for built-ins
     */
    public record EnvironmentConfig(String type, Path dataset, String split, Integer limit, Long shuffleSeed,
                                    int count, int minSteps, int maxSteps, long seed, Integer fromRank,
                                    Integer toRank, String difficulty, Map<String, Object> settings) {
        public EnvironmentConfig {
            Objects.requireNonNull(type, "type");
            settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
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
                              PrmConfig prm) {
        public ModelConfig {
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
     */
    public record SimulatedConfig(double accuracy, double fixRate) {
        public static final SimulatedConfig DEFAULT = new SimulatedConfig(0.6, 0.5);
    }

    /**
     * A protocol entry: its unique name, its type ({@code reflexion}, {@code debate}) and its
     * type-specific settings exactly as written (keys in kebab-case), already schema-checked.
     */
    public record ProtocolConfig(String name, String type, Map<String, Object> settings) {
        public ProtocolConfig {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            settings = Map.copyOf(settings);
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
     */
    public record RunConfig(int concurrency, long seed, int repeats, Path output) {
    }
}
