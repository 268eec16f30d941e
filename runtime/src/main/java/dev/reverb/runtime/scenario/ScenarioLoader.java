package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.protocol.RolePlay;
import dev.reverb.memory.Memory;
import dev.reverb.runtime.Extensions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Loads a scenario file: YAML with the position of every value, {@code --set} overrides, the
 * JSON Schema ({@code scenarios/scenario.schema.json}), then the checks a schema cannot make
 * (references between sections, files that must exist, prompt slots). Every problem is reported
 * at once, in file order, as {@code file:line:column: field.path: message}.
 */
public final class ScenarioLoader {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .build())
            .build();
    private static final JsonNode SCHEMA_JSON = readSchema();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(SCHEMA_JSON.toString());

    /** The settings each protocol type takes (besides {@code name} and {@code type}). */
    private static final Map<String, List<String>> PROTOCOL_KEYS = Map.of(
            "reflexion", List.of("solver", "reflector", "max-trials"),
            "debate", List.of("debaters", "rounds", "tie-break", "judge", "topology", "aggregate", "scorer"),
            "critique-revise", List.of("proposer", "critics", "rubrics", "max-rounds"),
            "prm-search", List.of("strategy", "policy", "scorer", "samples", "width", "expansions", "max-steps",
                    "aggregation", "critic", "critique-below"),
            "mcts", List.of("policy", "scorer", "iterations", "expansions", "max-steps", "exploration", "rollout-depth",
                    "aggregation"),
            "role-play", List.of("instructor", "executor", "max-turns", "done-token"),
            "react", List.of("actor", "reflector", "max-trials", "max-steps"));
    private static final Map<String, List<String>> ENVIRONMENT_KEYS = Map.of(
            "arithmetic", List.of("count", "min-steps", "max-steps", "seed"),
            "gsm8k", List.of("dataset", "split", "limit", "shuffle-seed"),
            "humaneval", List.of("dataset", "limit", "shuffle-seed"),
            "math", List.of("dataset", "limit", "shuffle-seed"),
            "game24", List.of("dataset", "from-rank", "to-rank", "limit"),
            "textworld", List.of("count", "seed", "difficulty"));

    /** Each built-in protocol's settings when the file leaves them out (the schema documents the same). */
    private static final Map<String, Map<String, Object>> PROTOCOL_DEFAULTS = Map.of(
            "reflexion", Map.of("max-trials", 3),
            "debate", Map.of("rounds", 2, "tie-break", "first", "topology", "full", "aggregate", "majority"),
            "critique-revise", Map.of("rubrics", Map.of(), "max-rounds", 3),
            "prm-search", Map.of("strategy", "beam", "samples", 8, "width", 2, "expansions", 3, "max-steps", 8,
                    "aggregation", "min", "critique-below", 0.5),
            "mcts", Map.of("iterations", 16, "expansions", 2, "max-steps", 8, "exploration", 1.0, "rollout-depth", 0,
                    "aggregation", "min"),
            "role-play", Map.of("max-turns", 4, "done-token", RolePlay.DONE),
            "react", Map.of("max-steps", 50));

    /** The built-in environment types. */
    public static final Set<String> ENVIRONMENT_TYPES = Set.copyOf(ENVIRONMENT_KEYS.keySet());
    /** The built-in protocol types. */
    public static final Set<String> PROTOCOL_TYPES = Set.copyOf(PROTOCOL_KEYS.keySet());

    private ScenarioLoader() {
    }

    /** Reads, overrides, validates and builds a scenario file. */
    public static Scenario load(Path file, List<String> overrides) throws ScenarioException {
        return load(file, overrides, Extensions.NONE);
    }

    /** As {@link #load(Path, List)}, knowing the environments and protocols registered from Java. */
    public static Scenario load(Path file, List<String> overrides, Extensions extensions) throws ScenarioException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScenarioException(List.of(new Problem(file.toString(), 0, 0, "",
                    "cannot read the scenario file: " + e)));
        }
        return parse(text, file, overrides, extensions);
    }

    /** As {@link #load}, from text; relative paths resolve against {@code file}'s folder. */
    public static Scenario parse(String text, Path file, List<String> overrides) throws ScenarioException {
        return parse(text, file, overrides, Extensions.NONE);
    }

    /** As {@link #parse(String, Path, List)}, knowing the environments and protocols registered from Java. */
    public static Scenario parse(String text, Path file, List<String> overrides, Extensions extensions)
            throws ScenarioException {
        List<Problem> problems = new ArrayList<>();
        YamlTree tree = YamlTree.parse(text, file.toString(), problems);
        if (tree != null && !tree.root.isObject()) {
            problems.add(new Problem(file.toString(), 1, 1, "", "a scenario is a YAML mapping of sections"));
        }
        if (!problems.isEmpty()) {
            throw new ScenarioException(problems);
        }
        Check check = new Check(tree, file, problems, extensions);
        overrides.forEach(check::override);
        check.schema();
        check.semantics();
        if (!problems.isEmpty()) {
            // Problems in the file in file order, then those of overrides in the order given.
            List<String> order = overrides.stream().map(o -> "--set " + o).toList();
            problems.sort(Comparator.comparingInt((Problem p) -> p.line() == 0 ? order.indexOf(p.file()) : -1)
                    .thenComparingInt(Problem::line).thenComparingInt(Problem::column));
            throw new ScenarioException(problems);
        }
        return check.build();
    }

    /** {@code /agents/1/model} as {@code agents[1].model}. */
    static String dotted(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(name).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(name);
            }
        }
        return sb.toString();
    }

    /** The checks of one scenario, collecting problems. */
    private static final class Check {
        private final YamlTree tree;
        private final Path file;
        private final Path folder;
        private final List<Problem> problems;
        private final Extensions extensions;

        Check(YamlTree tree, Path file, List<Problem> problems, Extensions extensions) {
            this.tree = tree;
            this.file = file;
            this.folder = file.toAbsolutePath().getParent();
            this.problems = problems;
            this.extensions = extensions;
        }

        private void problem(YamlTree.Location at, String pointer, String message) {
            if (at.override() != null) {
                problems.add(new Problem(at.override(), 0, 0, dotted(pointer), message));
            } else {
                problems.add(new Problem(file.toString(), at.line(), at.column(), dotted(pointer), message));
            }
        }

        private void atValue(String pointer, String message) {
            problem(tree.valueAt(pointer), pointer, message);
        }

        // ---------------------------------------------------------------- overrides

        void override(String text) {
            String where = "--set " + text;
            int eq = text.indexOf('=');
            if (eq <= 0) {
                problems.add(new Problem(where, 0, 0, "", "expected PATH=VALUE, e.g. run.concurrency=2"));
                return;
            }
            String[] path = text.substring(0, eq).strip().split("\\.");
            JsonNode value = scalar(text.substring(eq + 1));
            JsonNode node = tree.root;
            String pointer = "";
            String created = null;
            for (int i = 0; i < path.length; i++) {
                boolean last = i == path.length - 1;
                String seg = path[i];
                if (node instanceof ObjectNode object) {
                    pointer += "/" + YamlTree.escape(seg);
                    if (last) {
                        object.set(seg, value);
                    } else if (!object.has(seg) || object.get(seg).isNull()) {
                        object.set(seg, JsonNodeFactory.instance.objectNode());
                        created = created == null ? pointer : created;
                    }
                    node = object.get(seg);
                } else if (node instanceof ArrayNode array) {
                    int index = indexOf(array, seg);
                    if (index < 0) {
                        problems.add(new Problem(where, 0, 0, dotted(pointer),
                                "no item '" + seg + "' in this list (use a position or an item's name)"));
                        return;
                    }
                    pointer += "/" + index;
                    if (last) {
                        array.set(index, value);
                    }
                    node = array.get(index);
                } else {
                    problems.add(new Problem(where, 0, 0, dotted(pointer),
                            "is a single value, so it has no '" + seg + "'"));
                    return;
                }
            }
            tree.overridden(created == null ? pointer : created, where);
        }

        private static int indexOf(ArrayNode array, String seg) {
            if (seg.chars().allMatch(Character::isDigit) && !seg.isEmpty()) {
                int i = Integer.parseInt(seg);
                return i < array.size() ? i : -1;
            }
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (seg.equals(item.path("name").asText(null)) || seg.equals(item.path("type").asText(null))
                        && !item.has("name")) {
                    return i;
                }
            }
            return -1;
        }

        private static JsonNode scalar(String text) {
            try {
                JsonNode node = YAML.readTree(text);
                return node == null || node.isMissingNode() || node.isContainerNode()
                        ? JsonNodeFactory.instance.textNode(text) : node;
            } catch (JsonProcessingException e) {
                return JsonNodeFactory.instance.textNode(text);
            }
        }

        // ---------------------------------------------------------------- schema

        void schema() {
            Set<String> seen = new HashSet<>();
            for (Error e : SCHEMA.validate(tree.root)) {
                String pointer = pointer(e.getInstanceLocation());
                String message;
                String at = pointer;
                String keyword = e.getEvaluationPath().toString().contains("anyOf") ? "anyOf" : e.getKeyword();
                switch (keyword) {
                    case "required" -> {
                        at = pointer + "/" + YamlTree.escape(e.getProperty());
                        message = "missing required field '" + e.getProperty() + "'";
                        atValueOrParent(pointer, at, message, seen);
                        continue;
                    }
                    case "additionalProperties" -> {
                        at = pointer + "/" + YamlTree.escape(e.getProperty());
                        message = "unknown key '" + e.getProperty() + "'" + suggest(e.getProperty(), allowed(e));
                        if (seen.add(at + message)) {
                            problem(tree.keyAt(at), at, message);
                        }
                        continue;
                    }
                    case "type" -> message = "expected " + expectedType(e.getSchemaNode()) + ", got "
                            + describe(tree.root.at(pointer));
                    case "enum" -> message = "must be one of " + enumValues(e.getSchemaNode()) + ", got "
                            + describe(tree.root.at(pointer));
                    case "anyOf" -> message = anyOfMessage(e) + ", got " + describe(tree.root.at(pointer));
                    case "pattern" -> message = patternMessage(pointer) + ", got " + describe(tree.root.at(pointer));
                    default -> message = stripPath(e.getMessage());
                }
                if (seen.add(pointer + message)) {
                    atValue(at, message);
                }
            }
        }

        private void atValueOrParent(String parent, String field, String message, Set<String> seen) {
            if (seen.add(field + message)) {
                problem(tree.valueAt(parent), field, message);
            }
        }

        private static String pointer(NodePath path) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < path.getNameCount(); i++) {
                Object element = path.getElement(i);
                sb.append('/').append(element instanceof Integer n ? n.toString() : YamlTree.escape(element.toString()));
            }
            return sb.toString();
        }

        private static Set<String> allowed(Error e) {
            String location = e.getSchemaLocation().toString();
            int hash = location.indexOf('#');
            String fragment = hash < 0 ? "" : location.substring(hash + 1);
            String parent = fragment.endsWith("/additionalProperties")
                    ? fragment.substring(0, fragment.length() - "/additionalProperties".length()) : fragment;
            Set<String> names = new TreeSet<>();
            SCHEMA_JSON.at(parent).path("properties").fieldNames().forEachRemaining(names::add);
            return names;
        }

        private static String expectedType(JsonNode schemaNode) {
            String type = schemaNode.isTextual() ? schemaNode.asText() : schemaNode.toString();
            return switch (type) {
                case "object" -> "a mapping";
                case "array" -> "a list";
                case "integer" -> "a whole number";
                case "number" -> "a number";
                case "boolean" -> "true or false";
                case "string" -> "text";
                default -> type;
            };
        }

        private static String enumValues(JsonNode schemaNode) {
            List<String> values = new ArrayList<>();
            schemaNode.forEach(v -> values.add(v.asText()));
            return String.join(", ", values);
        }

        private static String anyOfMessage(Error e) {
            String location = e.getSchemaLocation().toString();
            if (location.contains("duration")) {
                return "expected a duration such as 500ms, 60s, 2m or a number of seconds";
            }
            if (location.contains("prompt")) {
                return "expected a prompt file path or a mapping with 'user' (and 'system')";
            }
            return stripPath(e.getMessage());
        }

        private static String patternMessage(String pointer) {
            if (pointer.endsWith("/base-url")) {
                return "must start with http:// or https://";
            }
            if (pointer.equals("/name")) {
                return "must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit";
            }
            return "must be letters, digits, '_' or '-', starting with a letter or digit";
        }

        private static String stripPath(String message) {
            int colon = message.indexOf(": ");
            return colon > 0 && message.startsWith("/") || message.startsWith("$") ? message.substring(colon + 2)
                    : message;
        }

        // ---------------------------------------------------------------- semantics

        void semantics() {
            JsonNode root = tree.root;
            Set<String> models = new TreeSet<>();
            root.path("models").fieldNames().forEachRemaining(models::add);
            root.path("models").fields().forEachRemaining(m -> {
                JsonNode model = m.getValue();
                String at = "/models/" + YamlTree.escape(m.getKey());
                if ("openai".equals(model.path("backend").asText()) && !model.has("base-url")) {
                    atValue(at + "/backend", "the openai backend needs a base-url");
                }
                if ("djl".equals(model.path("backend").asText()) && !model.has("path")) {
                    atValue(at + "/backend", "the djl backend needs a path to a Hugging Face model folder");
                }
                JsonNode prm = model.path("prm");
                boolean djl = model.has("path") && !"openai".equals(model.path("backend").asText())
                        && !"simulated".equals(model.path("backend").asText());
                if (prm.isObject() && djl && !prm.has("style")) {
                    atValue(at + "/prm", "a djl process reward model needs a style: step-tag or reward-head");
                }
                if (prm.isObject() && "step-tag".equals(prm.path("style").asText()) && !(prm.has("good") && prm.has("bad"))) {
                    atValue(at + "/prm", "the step-tag style needs the good and bad label tokens");
                }
                if (model.path("path").isTextual()) {
                    Path folder = resolve(model.path("path").asText());
                    if (!Files.isRegularFile(folder.resolve("config.json"))) {
                        atValue(at + "/path", "not a Hugging Face model folder (no config.json): " + folder);
                    }
                }
            });

            Set<String> agents = new TreeSet<>();
            JsonNode agentList = root.path("agents");
            for (int i = 0; i < agentList.size(); i++) {
                JsonNode agent = agentList.get(i);
                String name = agent.path("name").asText();
                if (!name.isEmpty() && !agents.add(name)) {
                    atValue("/agents/" + i + "/name", "two agents are named '" + name + "'");
                }
                String model = agent.path("model").asText();
                if (agent.has("model") && !models.contains(model)) {
                    atValue("/agents/" + i + "/model", "unknown model '" + model + "'" + suggest(model, models)
                            + "; known: " + String.join(", ", models));
                }
                checkPrompt(agent.path("prompt"), "/agents/" + i + "/prompt");
            }

            if (root.has("protocol") == root.has("protocols")) {
                if (root.has("protocol")) {
                    problem(tree.keyAt("/protocols"), "/protocols", "give either 'protocol' or 'protocols', not both");
                } else {
                    atValue("", "missing required field 'protocols' (or a single 'protocol')");
                }
            }
            Set<String> protocolNames = new HashSet<>();
            for (Map.Entry<String, JsonNode> p : protocolNodes().entrySet()) {
                String pointer = p.getKey();
                JsonNode protocol = p.getValue();
                String type = protocol.path("type").asText();
                String name = protocol.path("name").asText(type);
                if (!protocolNames.add(name)) {
                    atValue(pointer, "two protocols are named '" + name + "'; give each a distinct 'name'");
                }
                if (!PROTOCOL_TYPES.contains(type)) {
                    if (!extensions.protocolTypes().contains(type)) {
                        atValue(pointer + "/type", unknownType("protocol", type, PROTOCOL_TYPES, extensions.protocolTypes()));
                    }
                    continue; // a registered protocol reads its own settings
                }
                List<String> keys = PROTOCOL_KEYS.getOrDefault(type, List.of());
                protocol.fieldNames().forEachRemaining(key -> {
                    if (!key.equals("name") && !key.equals("type") && !keys.contains(key)) {
                        problem(tree.keyAt(pointer + "/" + key), pointer + "/" + key,
                                "'" + key + "' is not a setting of " + type + " (its settings: " + String.join(", ", keys) + ")");
                    }
                });
                for (String ref : List.of("solver", "reflector", "judge", "proposer", "policy", "scorer", "critic",
                        "instructor", "executor", "actor")) {
                    checkAgent(protocol.path(ref), pointer + "/" + ref, agents);
                }
                for (String list : List.of("debaters", "critics")) {
                    JsonNode names = protocol.path(list);
                    for (int i = 0; i < names.size(); i++) {
                        checkAgent(names.get(i), pointer + "/" + list + "/" + i, agents);
                    }
                }
                Set<String> debaters = new HashSet<>();
                protocol.path("debaters").forEach(d -> debaters.add(d.asText()));
                protocol.path("topology").fields().forEachRemaining(e -> {
                    String at = pointer + "/topology/" + YamlTree.escape(e.getKey());
                    if (!debaters.contains(e.getKey())) {
                        problem(tree.keyAt(at), at, "'" + e.getKey() + "' is not one of this debate's debaters");
                    }
                    for (int i = 0; i < e.getValue().size(); i++) {
                        String heard = e.getValue().get(i).asText();
                        if (!debaters.contains(heard) || heard.equals(e.getKey())) {
                            atValue(at + "/" + i, "'" + e.getKey() + "' can listen only to another of this debate's "
                                    + "debaters, not '" + heard + "'");
                        }
                    }
                });
                Set<String> critics = new HashSet<>();
                protocol.path("critics").forEach(c -> critics.add(c.asText()));
                protocol.path("rubrics").fieldNames().forEachRemaining(critic -> {
                    if (!critics.contains(critic)) {
                        String at = pointer + "/rubrics/" + YamlTree.escape(critic);
                        problem(tree.keyAt(at), at, "'" + critic + "' is not one of this protocol's critics");
                    }
                });
                String scorer = protocol.path("scorer").asText("");
                for (int i = 0; i < agentList.size(); i++) {
                    JsonNode agent = agentList.get(i);
                    JsonNode model = root.path("models").path(agent.path("model").asText());
                    boolean simulated = !model.has("base-url") && !model.has("path")
                            || "simulated".equals(model.path("backend").asText());
                    if (agent.path("name").asText().equals(scorer) && model.isObject() && !model.has("prm") && !simulated) {
                        atValue(pointer + "/scorer", "agent '" + scorer + "' scores steps, so its model '"
                                + agent.path("model").asText() + "' needs prm settings");
                    }
                }
                if (critics.contains(protocol.path("proposer").asText())) {
                    atValue(pointer + "/proposer", "the proposer cannot also be one of its critics");
                }
            }

            JsonNode distiller = root.path("memory").path("concept").path("distiller");
            checkAgent(distiller, "/memory/concept/distiller", agents);
            for (int i = 0; i < agentList.size(); i++) {
                JsonNode agent = agentList.get(i);
                if (distiller.isTextual() && distiller.asText().equals(agent.path("name").asText())
                        && !"distiller".equals(agent.path("role").asText())) {
                    atValue("/memory/concept/distiller", "agent '" + distiller.asText() + "' distils insights, so its "
                            + "role must be distiller (it is " + agent.path("role").asText() + ")");
                }
            }
            JsonNode memory = root.path("memory");
            for (String key : List.of("experiential", "reflective", "concept", "embedding", "read", "write", "max-chars")) {
                if (memory.has(key) && !memory.has("folder")) {
                    problem(tree.keyAt("/memory/" + key), "/memory/" + key,
                            "'" + key + "' needs a memory folder: add 'folder' to memory");
                }
            }

            JsonNode env = root.path("environment");
            String type = env.path("type").asText();
            if (!ENVIRONMENT_TYPES.contains(type)) {
                if (env.has("type") && !extensions.environmentTypes().contains(type)) {
                    atValue("/environment/type", unknownType("environment", type, ENVIRONMENT_TYPES,
                            extensions.environmentTypes()));
                }
                return; // a registered environment reads its own settings
            }
            List<String> envKeys = ENVIRONMENT_KEYS.getOrDefault(type, List.of());
            env.fieldNames().forEachRemaining(key -> {
                if (!key.equals("type") && !envKeys.contains(key)) {
                    problem(tree.keyAt("/environment/" + key), "/environment/" + key,
                            "'" + key + "' is not a setting of the " + type + " environment (its settings: "
                                    + String.join(", ", envKeys) + ")");
                }
            });
            String inFolder = datasetInFolder(env);
            if (inFolder != null) {
                if (!env.has("dataset")) {
                    atValue("/environment/dataset", "missing required field 'dataset' (a " + type
                            + " file, or a folder holding " + inFolder + ")");
                } else if (!Files.isRegularFile(datasetFile(env))) {
                    atValue("/environment/dataset", "dataset file not found: " + datasetFile(env));
                }
            }
            if (env.path("min-steps").asInt(2) > env.path("max-steps").asInt(Math.max(4, env.path("min-steps").asInt(2)))) {
                atValue("/environment/max-steps", "max-steps must be at least min-steps");
            }
        }

        private static String unknownType(String what, String type, Set<String> builtIn, Set<String> registered) {
            Set<String> known = new TreeSet<>(builtIn);
            known.addAll(registered);
            return "unknown " + what + " type '" + type + "'" + suggest(type, known) + "; built in: "
                    + String.join(", ", new TreeSet<>(builtIn))
                    + (registered.isEmpty() ? "" : "; registered: " + String.join(", ", new TreeSet<>(registered)));
        }

        private Map<String, JsonNode> protocolNodes() {
            Map<String, JsonNode> nodes = new LinkedHashMap<>();
            if (tree.root.path("protocol").isObject() && !tree.root.has("protocols")) {
                nodes.put("/protocol", tree.root.get("protocol"));
            }
            JsonNode list = tree.root.path("protocols");
            for (int i = 0; i < list.size(); i++) {
                nodes.put("/protocols/" + i, list.get(i));
            }
            return nodes;
        }

        private void checkAgent(JsonNode ref, String pointer, Set<String> agents) {
            if (ref.isTextual() && !agents.contains(ref.asText())) {
                atValue(pointer, "unknown agent '" + ref.asText() + "'" + suggest(ref.asText(), agents) + "; known: "
                        + String.join(", ", agents));
            }
        }

        private void checkPrompt(JsonNode prompt, String pointer) {
            PromptTemplate template;
            if (prompt.isTextual()) {
                Path path = resolve(prompt.asText());
                if (!Files.isRegularFile(path)) {
                    atValue(pointer, "prompt file not found: " + path);
                    return;
                }
                try {
                    template = PromptTemplate.parse(Files.readString(path, StandardCharsets.UTF_8));
                } catch (IOException | IllegalArgumentException e) {
                    atValue(pointer, "cannot use prompt file " + path + ": " + e.getMessage());
                    return;
                }
            } else if (prompt.isObject() && prompt.path("user").isTextual()) {
                try {
                    template = inline(prompt);
                } catch (IllegalArgumentException e) {
                    atValue(pointer, e.getMessage());
                    return;
                }
            } else {
                return;
            }
            for (String slot : template.unknownSlots()) {
                atValue(pointer, "unknown slot '{{" + slot + "}}' in prompt; known slots: "
                        + String.join(", ", new TreeSet<>(PromptTemplate.SLOTS)));
            }
        }

        /** The file a dataset environment reads when its {@code dataset} is a folder; null for other types. */
        private static String datasetInFolder(JsonNode env) {
            return switch (env.path("type").asText()) {
                case "gsm8k" -> env.path("split").asText("test") + ".jsonl";
                case "math" -> "test.jsonl";
                case "humaneval" -> "HumanEval.jsonl.gz";
                case "game24" -> "24.csv";
                default -> null;
            };
        }

        /** The dataset file, absolute: {@code dataset} itself, or the type's file inside it when it is a folder. */
        private Path datasetFile(JsonNode env) {
            Path dataset = resolve(env.path("dataset").asText());
            String inFolder = datasetInFolder(env);
            return inFolder != null && Files.isDirectory(dataset) ? dataset.resolve(inFolder) : dataset;
        }

        private Path resolve(String path) {
            return folder.resolve(path).toAbsolutePath().normalize();
        }

        // ---------------------------------------------------------------- build

        Scenario build() {
            JsonNode root = tree.root;
            JsonNode env = root.path("environment");
            String envType = env.path("type").asText();
            Scenario.EnvironmentConfig environment = new Scenario.EnvironmentConfig(envType,
                    env.has("dataset") ? datasetFile(env) : null,
                    env.path("split").asText("test"),
                    env.has("limit") ? env.path("limit").asInt() : null,
                    env.has("shuffle-seed") ? env.path("shuffle-seed").asLong() : null,
                    env.path("count").asInt(20), env.path("min-steps").asInt(2),
                    env.path("max-steps").asInt(Math.max(4, env.path("min-steps").asInt(2))),
                    env.path("seed").asLong(0),
                    env.has("from-rank") ? env.path("from-rank").asInt() : null,
                    env.has("to-rank") ? env.path("to-rank").asInt() : null,
                    env.path("difficulty").asText("medium"),
                    ENVIRONMENT_TYPES.contains(envType) ? Map.of() : plain(env, "type"));

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
            for (JsonNode p : protocolNodes().values()) {
                String type = p.path("type").asText();
                Map<String, Object> settings = new LinkedHashMap<>(PROTOCOL_DEFAULTS.getOrDefault(type, Map.of()));
                settings.putAll(plain(p, "name", "type"));
                if (type.equals("react") && !p.has("max-trials")) {
                    settings.put("max-trials", p.has("reflector") ? 3 : 1); // retrying needs reflections
                }
                protocols.add(new Scenario.ProtocolConfig(p.path("name").asText(type), type, settings));
            }

            Scenario.MemoryConfig memory = memory(root.path("memory"));
            JsonNode run = root.path("run");
            Scenario.RunConfig runConfig = new Scenario.RunConfig(run.path("concurrency").asInt(4), run.path("seed").asLong(0),
                    run.path("repeats").asInt(1), Path.of(run.path("output").asText("runs")).toAbsolutePath().normalize());

            String name = root.path("name").asText();
            String description = root.path("description").asText("");
            String resolved = resolvedYaml(name, description, environment, models, agents, protocols, memory, runConfig);
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

        /** A mapping's fields as plain Java values (maps, lists, strings, numbers, booleans), but {@code skip}. */
        private static Map<String, Object> plain(JsonNode node, String... skip) {
            Map<String, Object> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> {
                if (!List.of(skip).contains(e.getKey())) {
                    JsonNode v = e.getValue();
                    // Whole numbers as Integer (Long when too big), decimals as Double, whatever YAML made of them.
                    Object value = v.isIntegralNumber() ? (v.canConvertToInt() ? (Object) v.intValue() : v.longValue())
                            : v.isNumber() ? (Object) v.doubleValue() : JSON.convertValue(v, Object.class);
                    out.put(e.getKey(), value);
                }
            });
            return out;
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
                    ? Scenario.Backend.valueOf(m.path("backend").asText().toUpperCase(java.util.Locale.ROOT))
                    : m.has("path") ? Scenario.Backend.DJL
                    : m.has("base-url") ? Scenario.Backend.OPENAI : Scenario.Backend.SIMULATED;
            List<String> stop = new ArrayList<>();
            m.path("stop").forEach(s -> stop.add(s.asText()));
            JsonNode timeout = m.path("timeout");
            java.time.Duration time = duration(m.path("timeout"), java.time.Duration.ofSeconds(120));
            JsonNode sim = m.path("simulated");
            Scenario.DjlConfig djl = m.has("path") ? new Scenario.DjlConfig(resolve(m.path("path").asText()),
                    m.path("device").asText("auto"), m.path("dtype").asText("float32"), m.path("max-batch").asInt(8),
                    duration(m.path("max-wait"), java.time.Duration.ofMillis(10))) : null;
            JsonNode p = m.path("prm");
            Scenario.PrmConfig prm = p.isObject() ? new Scenario.PrmConfig(p.has("style") ? p.path("style").asText() : null,
                    p.path("marker").asText(), p.has("good") ? p.path("good").asText() : null,
                    p.has("bad") ? p.path("bad").asText() : null, p.path("positive-index").asInt(1)) : null;
            return new Scenario.ModelConfig(name, backend, m.path("model").asText(),
                    m.has("base-url") ? m.path("base-url").asText() : null,
                    m.has("api-key-env") ? m.path("api-key-env").asText() : null,
                    m.path("temperature").asDouble(0.7), m.path("top-p").asDouble(1.0), m.path("top-k").asInt(0),
                    m.path("max-tokens").asInt(512),
                    stop, m.path("concurrency").asInt(4), time, m.path("retries").asInt(3),
                    new Scenario.SimulatedConfig(sim.path("accuracy").asDouble(Scenario.SimulatedConfig.DEFAULT.accuracy()),
                            sim.path("fix-rate").asDouble(Scenario.SimulatedConfig.DEFAULT.fixRate())), djl, prm);
        }

        private static java.time.Duration duration(JsonNode value, java.time.Duration fallback) {
            return value.isMissingNode() ? fallback
                    : value.isNumber() ? java.time.Duration.ofMillis(Math.round(value.asDouble() * 1000))
                    : Durations.parse(value.asText());
        }

        private PromptTemplate template(JsonNode prompt, Role role) {
            if (prompt.isTextual()) {
                try {
                    return PromptTemplate.parse(Files.readString(resolve(prompt.asText()), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return prompt.isObject() ? inline(prompt) : PromptTemplate.defaultFor(role);
        }

        private static PromptTemplate inline(JsonNode prompt) {
            return new PromptTemplate(prompt.path("system").asText("").strip(), prompt.path("user").asText().strip());
        }
    }

    /** The scenario as built: defaults filled in, absolute paths, prompts inlined. Loading it gives the same scenario. */
    private static String resolvedYaml(String name, String description, Scenario.EnvironmentConfig env,
                                       Map<String, Scenario.ModelConfig> models, List<AgentSpec> agents,
                                       List<Scenario.ProtocolConfig> protocols, Scenario.MemoryConfig memory,
                                       Scenario.RunConfig run) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        root.put("description", description);
        ObjectNode e = root.putObject("environment");
        e.put("type", env.type());
        if (!env.settings().isEmpty()) {
            e.setAll((ObjectNode) JSON.valueToTree(env.settings()));
        } else if (env.dataset() != null) {
            e.put("dataset", env.dataset().toString());
            if (env.type().equals("gsm8k")) {
                e.put("split", env.split());
            }
            if (env.limit() != null) {
                e.put("limit", env.limit());
            }
            if (env.shuffleSeed() != null) {
                e.put("shuffle-seed", env.shuffleSeed());
            }
            if (env.fromRank() != null) {
                e.put("from-rank", env.fromRank());
            }
            if (env.toRank() != null) {
                e.put("to-rank", env.toRank());
            }
        } else if (env.type().equals("textworld")) {
            e.put("count", env.count()).put("seed", env.seed()).put("difficulty", env.difficulty());
        } else {
            e.put("count", env.count()).put("min-steps", env.minSteps()).put("max-steps", env.maxSteps())
                    .put("seed", env.seed());
        }
        ObjectNode ms = root.putObject("models");
        models.forEach((key, m) -> {
            ObjectNode o = ms.putObject(key);
            o.put("backend", m.backend().name().toLowerCase(java.util.Locale.ROOT));
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
            o.putObject("simulated").put("accuracy", m.simulated().accuracy()).put("fix-rate", m.simulated().fixRate());
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
        });
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
            o.setAll((ObjectNode) JSON.valueToTree(p.settings()));
        }
        ObjectNode mem = root.putObject("memory").put("reflections", memory.reflections());
        if (memory.enabled()) {
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
        root.putObject("run").put("concurrency", run.concurrency()).put("seed", run.seed()).put("repeats", run.repeats())
                .put("output", run.output().toString());
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** ", did you mean 'x'?" for the closest known name (edit distance at most 2, or a prefix), else "". */
    static String suggest(String given, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best != null && (bestDistance <= 2 || best.startsWith(given) || given.startsWith(best))) {
            return ", did you mean '" + best + "'?";
        }
        return "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "nothing";
        }
        if (node.isTextual()) {
            return "text '" + node.asText() + "'";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isBoolean()) {
            return node.asText();
        }
        return (node.isIntegralNumber() ? "the whole number " : "the number ") + node.asText();
    }

    private static JsonNode readSchema() {
        try (InputStream in = ScenarioLoader.class.getResourceAsStream("scenario.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("scenario.schema.json is missing from the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
