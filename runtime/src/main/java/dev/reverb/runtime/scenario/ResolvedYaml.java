package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.reverb.agents.AgentSpec;
import dev.reverb.environments.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scenario as built, written back as YAML: defaults filled in, absolute paths, prompts inlined.
 * It goes into the run folder, and loading it gives the same scenario (what {@code --resume} does).
 */
final class ResolvedYaml {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .build())
            .build();

    private ResolvedYaml() {
    }

    static String write(String name, String description, Scenario.EnvironmentConfig env,
                        Map<String, Scenario.ModelConfig> models, List<AgentSpec> agents,
                        List<Scenario.ProtocolConfig> protocols, Scenario.MemoryConfig memory, Scenario.RunConfig run) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("description", description);
        ObjectNode e = root.putObject("environment");
        e.put("type", env.type());
        e.setAll(settings(env.settings()));
        ObjectNode ms = root.putObject("models");
        models.forEach((key, m) -> model(ms.putObject(key), m));
        ArrayNode as = root.putArray("agents");
        for (AgentSpec a : agents) {
            ObjectNode o = as.addObject();
            o.put("name", a.name()).put("role", a.role().id()).put("model", a.model());
            o.putObject("prompt").put("system", a.prompt().system()).put("user", a.prompt().user());
            o.put("temperature", a.sampling().temperature()).put("max-tokens", a.sampling().maxTokens());
        }
        ArrayNode ps = root.putArray("protocols");
        for (Scenario.ProtocolConfig p : protocols) {
            ObjectNode o = ps.addObject();
            o.put("name", p.name()).put("type", p.type());
            o.setAll(settings(p.settings()));
        }
        memory(root.putObject("memory"), memory);
        ObjectNode r = root.putObject("run").put("concurrency", run.concurrency()).put("seed", run.seed())
                .put("repeats", run.repeats()).put("output", run.output().toString());
        if (!run.tasks().isEmpty()) {
            run.tasks().forEach(r.putArray("tasks")::add);
        }
        if (!run.trace()) { // only when off, so the resolved file of a traced run is as it always was
            r.put("trace", false);
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Checked settings as YAML values: paths as text, the rest as they are. */
    private static ObjectNode settings(Settings settings) {
        ObjectNode o = JSON.createObjectNode();
        settings.values().forEach((key, value) -> o.set(key, JSON.valueToTree(value instanceof Path p ? p.toString()
                : value)));
        return o;
    }

    private static void model(ObjectNode o, Scenario.ModelConfig m) {
        o.put("backend", m.backend().name().toLowerCase(Locale.ROOT));
        o.put("model", m.model());
        if (m.baseUrl() != null) {
            o.put("base-url", m.baseUrl());
        }
        if (m.apiKeyEnv() != null) {
            o.put("api-key-env", m.apiKeyEnv());
        }
        o.put("temperature", m.temperature()).put("top-p", m.topP()).put("top-k", m.topK())
                .put("max-tokens", m.maxTokens());
        ArrayNode stop = o.putArray("stop");
        m.stop().forEach(stop::add);
        o.put("concurrency", m.concurrency()).put("timeout", Durations.format(m.timeout())).put("retries", m.retries());
        ObjectNode sim = o.putObject("simulated").put("accuracy", m.simulated().accuracy())
                .put("fix-rate", m.simulated().fixRate());
        if (!m.simulated().cues().isEmpty()) {
            m.simulated().cues().forEach(sim.putObject("cues")::put);
        }
        if (!m.simulated().latency().isZero()) {
            sim.put("latency", Durations.format(m.simulated().latency()));
        }
        if (m.djl() != null) {
            o.put("path", m.djl().path().toString()).put("device", m.djl().device()).put("dtype", m.djl().dtype())
                    .put("max-batch", m.djl().maxBatch()).put("max-wait", Durations.format(m.djl().maxWait()));
        }
        if (m.prm() != null) {
            ObjectNode prm = o.putObject("prm").put("marker", m.prm().marker())
                    .put("positive-index", m.prm().positiveIndex());
            if (m.prm().style() != null) {
                prm.put("style", m.prm().style());
            }
            if (m.prm().good() != null) {
                prm.put("good", m.prm().good()).put("bad", m.prm().bad());
            }
        }
        cacheAndFaults(o, m);
    }

    private static void cacheAndFaults(ObjectNode o, Scenario.ModelConfig m) {
        o.put("cache", m.cache().mode().id());
        if (m.cache().folder() != null) {
            o.put("cache-dir", m.cache().folder().toString());
        }
        if (m.faults() != null) {
            o.putObject("faults").put("error-rate", m.faults().errorRate()).put("timeout-rate", m.faults().timeoutRate())
                    .put("malformed-rate", m.faults().malformedRate()).put("seed", m.faults().seed());
        }
    }

    private static void memory(ObjectNode mem, Scenario.MemoryConfig memory) {
        mem.put("reflections", memory.reflections());
        if (!memory.enabled()) {
            return;
        }
        mem.put("folder", memory.folder().toString());
        Scenario.EmbeddingConfig embedding = memory.embedding();
        if (embedding.baseUrl() == null) {
            mem.put("embedding", embedding.model());
        } else {
            ObjectNode eo = mem.putObject("embedding").put("model", embedding.model())
                    .put("base-url", embedding.baseUrl());
            if (embedding.apiKeyEnv() != null) {
                eo.put("api-key-env", embedding.apiKeyEnv());
            }
        }
        memory.read().forEach(mem.putArray("read")::add);
        memory.write().forEach(mem.putArray("write")::add);
        mem.putObject("experiential").put("successes", memory.limits().successes())
                .put("failures", memory.limits().failures()).put("same-task", memory.sameTask());
        mem.putObject("reflective").put("count", memory.limits().reflections());
        if (memory.concept() != null) {
            mem.putObject("concept").put("distiller", memory.concept().distiller())
                    .put("every", memory.concept().every()).put("window", memory.concept().window())
                    .put("count", memory.limits().insights());
        }
        mem.put("max-chars", memory.limits().maxChars());
    }
}
