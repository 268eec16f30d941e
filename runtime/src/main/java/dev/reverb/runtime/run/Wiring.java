package dev.reverb.runtime.run;

import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.StepScores;
import dev.reverb.agents.protocol.CritiqueRevise;
import dev.reverb.agents.protocol.Debate;
import dev.reverb.agents.protocol.Mcts;
import dev.reverb.agents.protocol.PrmSearch;
import dev.reverb.agents.protocol.React;
import dev.reverb.agents.protocol.RolePlay;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.agents.protocol.Reflexion;
import dev.reverb.environments.Environment;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.environments.code.CodeEnvironment;
import dev.reverb.environments.game24.Game24Environment;
import dev.reverb.environments.world.Difficulty;
import dev.reverb.environments.world.TextWorldEnvironment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.reverb.memory.Embedder;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.Memory;
import dev.reverb.memory.Scopes;
import dev.reverb.runtime.Extensions;
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
import java.util.Locale;
import java.util.Map;
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

    public static Environment environment(Scenario.EnvironmentConfig c, Extensions extensions) throws IOException {
        Optional<Extensions.EnvironmentFactory> registered = extensions.environment(c.type());
        if (registered.isPresent()) {
            return registered.get().create(c.settings());
        }
        return switch (c.type()) {
            case "arithmetic" -> MathEnvironment.arithmetic(c.seed(), c.count(), c.minSteps(), c.maxSteps());
            case "gsm8k" -> MathEnvironment.gsm8k(c.dataset(), c.split(), c.shuffleSeed(), c.limit());
            case "humaneval" -> CodeEnvironment.humanEval(c.dataset(), c.shuffleSeed(), c.limit());
            case "math" -> MathEnvironment.math(c.dataset(), c.shuffleSeed(), c.limit());
            case "textworld" -> TextWorldEnvironment.generate(c.seed(), c.count(), Difficulty.parse(c.difficulty()));
            case "game24" -> Game24Environment.load(c.dataset(), c.fromRank(), c.toRank(), c.limit());
            default -> throw new IllegalArgumentException("unknown environment type '" + c.type() + "'");
        };
    }

    public static Protocol protocol(Scenario.ProtocolConfig c, Scenario.MemoryConfig memory, Extensions extensions) {
        Optional<Extensions.ProtocolFactory> registered = extensions.protocol(c.type());
        if (registered.isPresent()) {
            return registered.get().create(c.name(), c.settings());
        }
        Map<String, Object> s = c.settings();
        return switch (c.type()) {
            case "reflexion" -> new Reflexion(c.name(), (String) s.get("solver"), (String) s.get("reflector"),
                    ((Number) s.get("max-trials")).intValue(), memory.reflections());
            case "debate" -> new Debate(c.name(), strings(s.get("debaters")), ((Number) s.get("rounds")).intValue(),
                    Debate.TieBreak.valueOf(((String) s.get("tie-break")).toUpperCase(Locale.ROOT)),
                    (String) s.get("judge"), topology(s.get("topology"), strings(s.get("debaters"))),
                    Debate.Aggregate.valueOf(((String) s.get("aggregate")).toUpperCase(Locale.ROOT)),
                    (String) s.get("scorer"));
            case "prm-search" -> new PrmSearch(c.name(),
                    PrmSearch.Strategy.valueOf(((String) s.get("strategy")).replace('-', '_').toUpperCase(Locale.ROOT)),
                    (String) s.get("policy"), (String) s.get("scorer"), ((Number) s.get("samples")).intValue(),
                    ((Number) s.get("width")).intValue(), ((Number) s.get("expansions")).intValue(),
                    ((Number) s.get("max-steps")).intValue(),
                    StepScores.Aggregation.fromId((String) s.get("aggregation")), (String) s.get("critic"),
                    ((Number) s.get("critique-below")).doubleValue());
            case "mcts" -> new Mcts(c.name(), (String) s.get("policy"), (String) s.get("scorer"),
                    ((Number) s.get("iterations")).intValue(), ((Number) s.get("expansions")).intValue(),
                    ((Number) s.get("max-steps")).intValue(), ((Number) s.get("exploration")).doubleValue(),
                    ((Number) s.get("rollout-depth")).intValue(), StepScores.Aggregation.fromId((String) s.get("aggregation")));
            case "react" -> new React(c.name(), (String) s.get("actor"), (String) s.get("reflector"),
                    ((Number) s.get("max-trials")).intValue(), ((Number) s.get("max-steps")).intValue());
            case "role-play" -> new RolePlay(c.name(), (String) s.get("instructor"), (String) s.get("executor"),
                    ((Number) s.get("max-turns")).intValue(), (String) s.get("done-token"));
            case "critique-revise" -> new CritiqueRevise(c.name(), (String) s.get("proposer"), strings(s.get("critics")),
                    rubrics(s.get("rubrics")), ((Number) s.get("max-rounds")).intValue());
            default -> throw new IllegalArgumentException("unknown protocol type '" + c.type() + "'");
        };
    }

    /**
     * The backend of a model. {@code environment} looks up the API key variable the scenario
     * names (the CLI passes {@code System::getenv}); {@code tasks} finds a run task by id, for the
     * simulated stand-in only (the model boundary carries task ids, never reference answers).
     */
    public static ModelBackend backend(Scenario.ModelConfig m, long runSeed, Function<String, String> environment,
                                       Function<String, Optional<dev.reverb.environments.Task>> tasks) throws IOException {
        return switch (m.backend()) {
            case DJL -> new DjlBackend(m.djl().path(), m.djl().device(), m.djl().dtype(), m.djl().maxBatch(),
                    m.djl().maxWait(), QUEUE_CAPACITY, m.prm() == null ? null : new ProcessRewardModel.Settings(
                            ProcessRewardModel.Style.fromId(m.prm().style()), m.prm().marker(), m.prm().good(),
                            m.prm().bad()));
            case SIMULATED -> new SimulatedBackend(m.model(), m.simulated().accuracy(), m.simulated().fixRate(), runSeed,
                    tasks);
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

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> topology(Object value, List<String> debaters) {
        if (value instanceof Map<?, ?> adjacency) {
            return (Map<String, List<String>>) adjacency;
        }
        return switch ((String) value) {
            case "ring" -> Debate.ring(debaters);
            case "star" -> Debate.star(debaters);
            default -> Debate.full(debaters);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> rubrics(Object value) {
        return (Map<String, String>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value) {
        return List.copyOf((List<String>) value);
    }
}
