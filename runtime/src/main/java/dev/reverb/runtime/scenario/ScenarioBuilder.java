package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Sampling;
import dev.reverb.memory.Memory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds a {@link Scenario} from a tree that passed every check: defaults filled in, paths
 * absolute, prompts loaded, each environment's and protocol's settings as their checks left them.
 */
final class ScenarioBuilder {

    private final JsonNode root;
    private final Path file;
    private final SemanticChecks checked;

    ScenarioBuilder(JsonNode root, Path file, SemanticChecks checked) {
        this.root = root;
        this.file = file;
        this.checked = checked;
    }

    Scenario build() {
        Scenario.EnvironmentConfig environment = new Scenario.EnvironmentConfig(
                root.path("environment").path("type").asText(), checked.environment);

        Map<String, Scenario.ModelConfig> models = new LinkedHashMap<>();
        root.path("models").fields().forEachRemaining(e -> models.put(e.getKey(), model(e.getKey(), e.getValue())));

        List<AgentSpec> agents = new ArrayList<>();
        for (JsonNode a : root.path("agents")) {
            Scenario.ModelConfig m = models.get(a.path("model").asText());
            Role role = Role.fromId(a.path("role").asText());
            Sampling sampling = new Sampling(a.path("temperature").asDouble(m.temperature()), m.topP(),
                    a.path("max-tokens").asInt(m.maxTokens()), m.stop(), null, m.topK());
            agents.add(new AgentSpec(a.path("name").asText(), role, m.name(), template(a.path("prompt"), role),
                    sampling));
        }

        List<Scenario.ProtocolConfig> protocols = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : SemanticChecks.protocolNodes(root).entrySet()) {
            String type = p.getValue().path("type").asText();
            protocols.add(new Scenario.ProtocolConfig(p.getValue().path("name").asText(type), type,
                    checked.protocols.get(p.getKey())));
        }

        Scenario.MemoryConfig memory = memory(root.path("memory"));
        JsonNode run = root.path("run");
        Scenario.RunConfig runConfig = new Scenario.RunConfig(run.path("concurrency").asInt(4), run.path("seed").asLong(0),
                run.path("repeats").asInt(1), Path.of(run.path("output").asText("runs")).toAbsolutePath().normalize(),
                texts(run.path("tasks"), List.of()), run.path("trace").asBoolean(true));

        String name = root.path("name").asText();
        String description = root.path("description").asText("");
        String resolved = ResolvedYaml.write(name, description, environment, models, agents, protocols, memory,
                runConfig);
        return new Scenario(name, description, file, environment, models, agents, protocols, memory, runConfig,
                resolved);
    }

    private Scenario.MemoryConfig memory(JsonNode m) {
        boolean reflections = m.path("reflections").asBoolean(true);
        if (!m.has("folder")) {
            return Scenario.MemoryConfig.off(reflections);
        }
        JsonNode e = m.path("embedding");
        Scenario.EmbeddingConfig embedding = e.isObject()
                ? new Scenario.EmbeddingConfig(e.path("model").asText(), e.path("base-url").asText(),
                e.has("api-key-env") ? e.path("api-key-env").asText() : null)
                : Scenario.EmbeddingConfig.DEFAULT;
        JsonNode c = m.path("concept");
        Scenario.ConceptConfig concept = c.isObject()
                ? new Scenario.ConceptConfig(c.path("distiller").asText(), c.path("every").asInt(8), c.path("window").asInt(8))
                : null;
        Memory.Limits limits = new Memory.Limits(m.path("experiential").path("successes").asInt(2),
                m.path("experiential").path("failures").asInt(1), m.path("reflective").path("count").asInt(2),
                c.path("count").asInt(concept == null ? 0 : 5), m.path("max-chars").asInt(1200));
        return new Scenario.MemoryConfig(reflections, Path.of(m.path("folder").asText()).toAbsolutePath().normalize(),
                embedding, texts(m.path("read"), Scenario.MemoryConfig.DEFAULT_READ),
                texts(m.path("write"), Scenario.MemoryConfig.DEFAULT_WRITE), limits,
                m.path("experiential").path("same-task").asBoolean(true), concept);
    }

    private static List<String> texts(JsonNode list, List<String> otherwise) {
        if (!list.isArray()) {
            return otherwise;
        }
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    private Scenario.ModelConfig model(String name, JsonNode m) {
        Scenario.Backend backend = m.has("backend")
                ? Scenario.Backend.valueOf(m.path("backend").asText().toUpperCase(Locale.ROOT))
                : m.has("path") ? Scenario.Backend.DJL
                : m.has("base-url") ? Scenario.Backend.OPENAI : Scenario.Backend.SIMULATED;
        List<String> stop = new ArrayList<>();
        m.path("stop").forEach(s -> stop.add(s.asText()));
        JsonNode sim = m.path("simulated");
        Scenario.ModelConfig.Builder b = Scenario.ModelConfig.builder(name, m.path("model").asText())
                .backend(backend)
                .baseUrl(m.has("base-url") ? m.path("base-url").asText() : null)
                .apiKeyEnv(m.has("api-key-env") ? m.path("api-key-env").asText() : null)
                .temperature(m.path("temperature").asDouble(0.7)).topP(m.path("top-p").asDouble(1.0))
                .topK(m.path("top-k").asInt(0)).maxTokens(m.path("max-tokens").asInt(512)).stop(stop)
                .concurrency(m.path("concurrency").asInt(4)).timeout(duration(m.path("timeout"), Duration.ofSeconds(120)))
                .retries(m.path("retries").asInt(3))
                .simulated(new Scenario.SimulatedConfig(
                        sim.path("accuracy").asDouble(Scenario.SimulatedConfig.DEFAULT.accuracy()),
                        sim.path("fix-rate").asDouble(Scenario.SimulatedConfig.DEFAULT.fixRate()), cues(sim.path("cues")),
                        duration(sim.path("latency"), Duration.ZERO)));
        if (m.has("path")) {
            b.djl(new Scenario.DjlConfig(checked.resolve(m.path("path").asText()), m.path("device").asText("auto"),
                    m.path("dtype").asText("float32"), m.path("max-batch").asInt(8),
                    duration(m.path("max-wait"), Duration.ofMillis(10))));
        }
        JsonNode p = m.path("prm");
        if (p.isObject()) {
            b.prm(new Scenario.PrmConfig(p.has("style") ? p.path("style").asText() : null, p.path("marker").asText(),
                    p.has("good") ? p.path("good").asText() : null, p.has("bad") ? p.path("bad").asText() : null,
                    p.path("positive-index").asInt(1)));
        }
        String cache = m.path("cache").asText("off");
        if (!"off".equals(cache)) {
            Path folder = m.has("cache-dir") ? Path.of(m.path("cache-dir").asText()).toAbsolutePath().normalize()
                    : Path.of(root.path("run").path("output").asText("runs")).toAbsolutePath().normalize()
                    .resolve(".reverb-cache");
            b.cache(new Scenario.CacheConfig(Scenario.CacheConfig.Mode.fromId(cache), folder));
        }
        JsonNode f = m.path("faults");
        if (f.isObject()) {
            b.faults(new Scenario.FaultConfig(f.path("error-rate").asDouble(0), f.path("timeout-rate").asDouble(0),
                    f.path("malformed-rate").asDouble(0), f.path("seed").asLong(0)));
        }
        return b.build();
    }

    private static Map<String, Double> cues(JsonNode cues) {
        Map<String, Double> out = new LinkedHashMap<>();
        cues.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asDouble()));
        return out;
    }

    private static Duration duration(JsonNode value, Duration fallback) {
        return value.isMissingNode() ? fallback
                : value.isNumber() ? Duration.ofMillis(Math.round(value.asDouble() * 1000))
                : Durations.parse(value.asText());
    }

    private PromptTemplate template(JsonNode prompt, Role role) {
        if (prompt.isTextual()) {
            try {
                return PromptTemplate.parse(Files.readString(checked.resolve(prompt.asText()), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return prompt.isObject() ? inline(prompt) : PromptTemplate.defaultFor(role);
    }

    static PromptTemplate inline(JsonNode prompt) {
        return new PromptTemplate(prompt.path("system").asText("").strip(), prompt.path("user").asText().strip());
    }
}
