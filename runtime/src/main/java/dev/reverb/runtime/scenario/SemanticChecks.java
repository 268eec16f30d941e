package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.Settings;
import dev.reverb.runtime.Extensions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks a schema cannot make: references between sections (agents to models, protocols to
 * agents), model backends' needs, prompt files and slots, memory settings that need a folder, and
 * each environment's and protocol's settings against its type's descriptor. Every check reads the
 * tree defensively: a section of the wrong shape was already reported by {@link SchemaCheck}.
 */
final class SemanticChecks {

    private static final java.time.Duration MAX_DURATION = java.time.Duration.ofDays(7);

    private final YamlTree tree;
    private final ProblemLog log;
    private final Extensions registry;
    private final Path folder;
    private final Set<String> models = new TreeSet<>();
    private final Set<String> agents = new TreeSet<>();

    /** The environment's checked settings (null when they are wrong). */
    Settings environment;
    /** Each protocol's checked settings by its pointer ({@code /protocols/0}). */
    final Map<String, Settings> protocols = new LinkedHashMap<>();

    SemanticChecks(YamlTree tree, ProblemLog log, Extensions registry, Path folder) {
        this.tree = tree;
        this.log = log;
        this.registry = registry;
        this.folder = folder;
    }

    void run() {
        models();
        agents();
        TypeSettingsCheck types = new TypeSettingsCheck(log, new TypeSettingsCheck.References(agents, models,
                this::scorerProblem, this::resolve));
        protocols(types);
        memory();
        environment(types);
    }

    Path resolve(String path) {
        return folder.resolve(path).toAbsolutePath().normalize();
    }

    /** The protocol mappings by pointer: the single {@code protocol}, or each item of {@code protocols}. */
    static Map<String, JsonNode> protocolNodes(JsonNode root) {
        Map<String, JsonNode> nodes = new LinkedHashMap<>();
        if (root.path("protocol").isObject() && !root.has("protocols")) {
            nodes.put("/protocol", root.get("protocol"));
        }
        JsonNode list = root.path("protocols");
        if (list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).isObject()) {
                    nodes.put("/protocols/" + i, list.get(i));
                }
            }
        }
        return nodes;
    }

    private void models() {
        JsonNode all = tree.root.path("models");
        if (!all.isObject()) {
            return;
        }
        all.fieldNames().forEachRemaining(models::add);
        all.fields().forEachRemaining(m -> {
            JsonNode model = m.getValue();
            if (!model.isObject()) {
                return;
            }
            String at = "/models/" + YamlTree.escape(m.getKey());
            String backend = model.path("backend").asText();
            if ("openai".equals(backend) && !model.has("base-url")) {
                log.atValue(at + "/backend", "the openai backend needs a base-url");
            }
            if ("djl".equals(backend) && !model.has("path")) {
                log.atValue(at + "/backend", "the djl backend needs a path to a Hugging Face model folder");
            }
            JsonNode prm = model.path("prm");
            boolean djl = model.has("path") && !"openai".equals(backend) && !"simulated".equals(backend);
            if (prm.isObject() && djl && !prm.has("style")) {
                log.atValue(at + "/prm", "a djl process reward model needs a style: step-tag or reward-head");
            }
            if (prm.isObject() && "step-tag".equals(prm.path("style").asText()) && !(prm.has("good") && prm.has("bad"))) {
                log.atValue(at + "/prm", "the step-tag style needs the good and bad label tokens");
            }
            JsonNode faults = model.path("faults");
            if (faults.isObject() && faults.path("error-rate").asDouble(0) + faults.path("timeout-rate").asDouble(0)
                    + faults.path("malformed-rate").asDouble(0) > 1 + 1e-9) {
                log.atValue(at + "/faults", "error-rate, timeout-rate and malformed-rate add up to more than 1");
            }
            if (model.has("cache-dir") && "off".equals(model.path("cache").asText("off"))) {
                log.atKey(at + "/cache-dir", "'cache-dir' needs a cache: add 'cache: read-write' (or read)");
            }
            for (String key : List.of("timeout", "max-wait")) {
                checkDuration(model.path(key), at + "/" + key);
            }
            if (model.path("path").isTextual()) {
                Path modelFolder = resolve(model.path("path").asText());
                if (!Files.isRegularFile(modelFolder.resolve("config.json"))) {
                    log.atValue(at + "/path", "not a Hugging Face model folder (no config.json): " + modelFolder);
                }
            }
        });
    }

    /** A duration written as text must be above zero and at most a week (the schema checks the pattern). */
    private void checkDuration(JsonNode value, String pointer) {
        if (!value.isTextual()) {
            return;
        }
        try {
            java.time.Duration d = Durations.parse(value.asText());
            if (d.isZero() || d.compareTo(MAX_DURATION) > 0) {
                log.atValue(pointer, "must be above zero and at most 7d, got " + value.asText());
            }
        } catch (IllegalArgumentException e) {
            // the schema reports a malformed duration
        }
    }

    private void agents() {
        JsonNode list = tree.root.path("agents");
        if (!list.isArray()) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode agent = list.get(i);
            if (!agent.isObject()) {
                continue;
            }
            String name = agent.path("name").isTextual() ? agent.path("name").asText() : "";
            if (!name.isEmpty() && !agents.add(name)) {
                log.atValue("/agents/" + i + "/name", "two agents are named '" + name + "'");
            }
            JsonNode model = agent.path("model");
            if (model.isTextual() && !models.contains(model.asText())) {
                log.atValue("/agents/" + i + "/model", "unknown model '" + model.asText() + "'"
                        + Suggestions.suggest(model.asText(), models) + "; known: " + String.join(", ", models));
            }
            checkPrompt(agent.path("prompt"), "/agents/" + i + "/prompt");
        }
    }

    /** Null when the agent's model can score steps, else why not. */
    private String scorerProblem(String agentName) {
        for (JsonNode agent : tree.root.path("agents")) {
            if (agentName.equals(agent.path("name").asText(null))) {
                String modelName = agent.path("model").asText();
                JsonNode model = tree.root.path("models").path(modelName);
                boolean simulated = !model.has("base-url") && !model.has("path")
                        || "simulated".equals(model.path("backend").asText());
                if (model.isObject() && !model.has("prm") && !simulated) {
                    return "agent '" + agentName + "' scores steps, so its model '" + modelName + "' needs prm settings";
                }
            }
        }
        return null;
    }

    private void protocols(TypeSettingsCheck types) {
        JsonNode root = tree.root;
        if (root.has("protocol") == root.has("protocols")) {
            if (root.has("protocol")) {
                log.atKey("/protocols", "give either 'protocol' or 'protocols', not both");
            } else {
                log.atValue("", "missing required field 'protocols' (or a single 'protocol')");
            }
        }
        Set<String> names = new HashSet<>();
        for (Map.Entry<String, JsonNode> p : protocolNodes(root).entrySet()) {
            String pointer = p.getKey();
            JsonNode protocol = p.getValue();
            if (!protocol.path("type").isTextual()) {
                continue; // the schema reports it
            }
            String type = protocol.path("type").asText();
            String name = protocol.path("name").isTextual() ? protocol.path("name").asText() : type;
            if (!names.add(name)) {
                log.atValue(pointer, "two protocols are named '" + name + "'; give each a distinct 'name'");
            }
            ProtocolDescriptor descriptor = registry.protocol(type).orElse(null);
            if (descriptor == null) {
                log.atValue(pointer + "/type", unknownType("protocol", type, Extensions.builtInProtocolTypes(),
                        registry.protocolTypes()));
                continue;
            }
            Settings settings = types.check(protocol, pointer, type, descriptor.settings(), Set.of("name", "type"));
            if (settings != null) {
                protocols.put(pointer, settings);
            }
        }
    }

    private void memory() {
        JsonNode memory = tree.root.path("memory");
        if (!memory.isObject()) {
            return;
        }
        JsonNode distiller = memory.path("concept").path("distiller");
        if (distiller.isTextual()) {
            String name = distiller.asText();
            if (!agents.contains(name)) {
                log.atValue("/memory/concept/distiller", "unknown agent '" + name + "'"
                        + Suggestions.suggest(name, agents) + "; known: " + String.join(", ", agents));
            }
            for (JsonNode agent : tree.root.path("agents")) {
                if (name.equals(agent.path("name").asText(null)) && !"distiller".equals(agent.path("role").asText())) {
                    log.atValue("/memory/concept/distiller", "agent '" + name + "' distils insights, so its "
                            + "role must be distiller (it is " + agent.path("role").asText() + ")");
                }
            }
        }
        for (String key : List.of("experiential", "reflective", "concept", "embedding", "read", "write", "max-chars")) {
            if (memory.has(key) && !memory.has("folder")) {
                log.atKey("/memory/" + key, "'" + key + "' needs a memory folder: add 'folder' to memory");
            }
        }
        if (memory.path("folder").isTextual()) {
            Path store = Path.of(memory.path("folder").asText()).toAbsolutePath().normalize();
            if (Files.exists(store) && !Files.isDirectory(store)) {
                log.atValue("/memory/folder", "is a file, not a folder: " + store);
            }
        }
    }

    private void environment(TypeSettingsCheck types) {
        JsonNode env = tree.root.path("environment");
        if (!env.isObject() || !env.path("type").isTextual()) {
            return; // the schema reports it
        }
        String type = env.path("type").asText();
        EnvironmentDescriptor descriptor = registry.environment(type).orElse(null);
        if (descriptor == null) {
            log.atValue("/environment/type", unknownType("environment", type, Extensions.builtInEnvironmentTypes(),
                    registry.environmentTypes()));
            return;
        }
        environment = types.check(env, "/environment", "the " + type + " environment", descriptor.settings(),
                Set.of("type"));
    }

    private static String unknownType(String what, String type, Set<String> builtIn, Set<String> all) {
        Set<String> registered = new TreeSet<>(all);
        registered.removeAll(builtIn);
        return "unknown " + what + " type '" + type + "'" + Suggestions.suggest(type, all) + "; built in: "
                + String.join(", ", new TreeSet<>(builtIn))
                + (registered.isEmpty() ? "" : "; registered: " + String.join(", ", registered));
    }

    private void checkPrompt(JsonNode prompt, String pointer) {
        PromptTemplate template;
        if (prompt.isTextual()) {
            Path path = resolve(prompt.asText());
            if (!Files.isRegularFile(path)) {
                log.atValue(pointer, "prompt file not found: " + path);
                return;
            }
            try {
                template = PromptTemplate.parse(Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException | IllegalArgumentException e) {
                log.atValue(pointer, "cannot use prompt file " + path + ": " + e.getMessage());
                return;
            }
        } else if (prompt.isObject() && prompt.path("user").isTextual()
                && (!prompt.has("system") || prompt.path("system").isTextual())) {
            try {
                template = ScenarioBuilder.inline(prompt);
            } catch (IllegalArgumentException e) {
                log.atValue(pointer, e.getMessage());
                return;
            }
        } else {
            return;
        }
        for (String slot : template.unknownSlots()) {
            log.atValue(pointer, "unknown slot '{{" + slot + "}}' in prompt; known slots: "
                    + String.join(", ", new TreeSet<>(PromptTemplate.SLOTS)));
        }
    }
}
