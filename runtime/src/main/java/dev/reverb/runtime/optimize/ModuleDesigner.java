package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.Extensions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Module level: the protocols' settings, as the protocol registry's descriptors declare them
 * (integers near the current value within the key's range, choices, switches, which agents of the
 * same role take part), memory's reflections switch and, with a persistent store, each memory kind on or off. The optimizer answers with
 * {@code SET path=value} lines; {@link #random} is the random-search baseline over the same space.
 */
final class ModuleDesigner implements Designer {

    private static final Pattern SET = Pattern.compile("(?m)^\\s*SET\\s+([^=\\s]+)\\s*=\\s*(.+?)\\s*$");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Extensions extensions;

    ModuleDesigner(Extensions extensions) {
        this.extensions = extensions;
    }

    /** Every path that may change, with its legal values (the current one included), in design order. */
    Map<String, List<JsonNode>> space(ObjectNode design) {
        Map<String, List<JsonNode>> space = new LinkedHashMap<>();
        for (JsonNode p : design.path("protocols")) {
            ProtocolDescriptor descriptor = extensions.protocol(p.path("type").asText()).orElse(null);
            if (descriptor == null) {
                continue;
            }
            String at = "protocols." + p.path("name").asText(p.path("type").asText()) + ".";
            for (SettingsSpec.Key key : descriptor.settings().keys().values()) {
                List<JsonNode> values = values(key, p.path(key.name()), design);
                if (values.size() > 1) {
                    space.put(at + key.name(), values);
                }
            }
        }
        space.put("memory.reflections", List.of(NODES.booleanNode(true), NODES.booleanNode(false)));
        memoryKinds(design, space);
        return space;
    }

    /**
     * With a persistent store ({@code memory.folder}), each kind of memory on or off: experiential
     * (similar solved and unsolved trajectories), reflective (reflections on similar tasks) and, when
     * the design has a distiller, concept (distilled insights; off is {@code null}, which removes it).
     */
    private static void memoryKinds(ObjectNode design, Map<String, List<JsonNode>> space) {
        JsonNode memory = design.path("memory");
        if (!memory.hasNonNull("folder")) {
            return;
        }
        space.put("memory.experiential", onOff(memory.path("experiential"),
                NODES.objectNode().put("successes", 2).put("failures", 1),
                NODES.objectNode().put("successes", 0).put("failures", 0)));
        space.put("memory.reflective", onOff(memory.path("reflective"), NODES.objectNode().put("count", 2),
                NODES.objectNode().put("count", 0)));
        for (JsonNode a : Designer.agents(design)) {
            if (a.path("role").asText().equals("distiller")) {
                JsonNode on = memory.path("concept").isObject() ? memory.path("concept")
                        : NODES.objectNode().put("distiller", a.path("name").asText());
                space.put("memory.concept", List.of(on, NODES.nullNode()));
                break;
            }
        }
    }

    /** The current setting when it is on, else {@code on}; and {@code off}. */
    private static List<JsonNode> onOff(JsonNode current, ObjectNode on, ObjectNode off) {
        return List.of(current.isObject() && !current.equals(off) ? current : on, off);
    }

    private List<JsonNode> values(SettingsSpec.Key key, JsonNode current, ObjectNode design) {
        List<JsonNode> out = new ArrayList<>();
        switch (key.kind()) {
            case INTEGER -> {
                if (!current.isIntegralNumber()) {
                    return out;
                }
                int cur = current.asInt();
                int min = key.min() == null ? Integer.MIN_VALUE : key.min().intValue();
                int max = key.max() == null ? Integer.MAX_VALUE : key.max().intValue();
                new java.util.TreeSet<>(List.of(cur - 2, cur - 1, cur, cur + 1, cur + 2, cur * 2)).stream()
                        .filter(v -> v >= min && v <= max).forEach(v -> out.add(NODES.numberNode(v)));
            }
            case BOOLEAN -> {
                out.add(NODES.booleanNode(true));
                out.add(NODES.booleanNode(false));
            }
            case CHOICE -> key.choices().forEach(c -> out.add(NODES.textNode(c)));
            case AGENT_GRAPH -> {
                if (current.isTextual()) {
                    key.choices().forEach(c -> out.add(NODES.textNode(c)));
                }
            }
            case AGENTS -> {
                if (!current.isArray() || current.isEmpty()) {
                    return out;
                }
                out.add(current);
                int fewest = key.min() == null ? 1 : Math.max(1, key.min().intValue());
                if (current.size() > fewest) {
                    ArrayNode fewer = ((ArrayNode) current).deepCopy();
                    fewer.remove(fewer.size() - 1);
                    out.add(fewer);
                }
                String role = roleOf(design, current.get(0).asText());
                for (JsonNode a : Designer.agents(design)) {
                    String name = a.path("name").asText();
                    boolean listed = false;
                    for (JsonNode c : current) {
                        listed |= c.asText().equals(name);
                    }
                    if (!listed && a.path("role").asText().equals(role)) {
                        out.add(((ArrayNode) current).deepCopy().add(name));
                    }
                }
            }
            case AGENT -> { // an agent whose role is the key's name (judge: a judge), or none
                if (!current.isMissingNode() && !current.isNull()) {
                    out.add(current);
                }
                for (JsonNode a : Designer.agents(design)) {
                    if (a.path("role").asText().equals(key.name()) && !a.path("name").equals(current)) {
                        out.add(a.path("name"));
                    }
                }
            }
            default -> {
            }
        }
        return out;
    }

    private static String roleOf(ObjectNode design, String agent) {
        for (JsonNode a : design.path("agents")) {
            if (a.path("name").asText().equals(agent)) {
                return a.path("role").asText();
            }
        }
        return "";
    }

    @Override
    public String request(ObjectNode best, String score, History history) {
        StringBuilder out = new StringBuilder("Choose the components of a multi-agent system (module level): which "
                + "agents take part, rounds, topology, aggregation, critics, search width and memory switches.\n"
                + "A design is scored by its accuracy on development tasks; fewer tokens break ties.\n\n"
                + "Current best design (").append(score).append("):\n```yaml\n");
        ObjectNode shown = DesignTree.YAML.createObjectNode();
        shown.set("agents", Designer.agents(best));
        shown.set("protocols", best.path("protocols"));
        shown.set("memory", best.path("memory"));
        out.append(DesignTree.write(shown)).append("```\n\nLegal edits (from the protocol registry's descriptors):\n");
        space(best).forEach((path, values) -> values.forEach(v -> {
            JsonNode now = at(best, path);
            if (!v.equals(now) && !(v.isNull() && now == null)) {
                out.append("SET ").append(path).append('=').append(inline(v)).append('\n');
            }
        }));
        out.append("To use another protocol type instead (").append(String.join(", ", extensions.protocolTypes()))
                .append("), replace the whole entry: SET protocols.<name>={name: <name>, type: <type>, <its settings>}\n");
        out.append(history.text());
        out.append("\nAnswer with one or more lines, exactly: SET <path>=<value> (a list as [a, b]).\n");
        return out.toString();
    }

    @Override
    public ObjectNode apply(ObjectNode base, String response) {
        return Designer.applyEdits(base, response, SET, "no SET line found: answer with lines SET <path>=<value>",
                (design, m, errors) -> {
                    String path = m.group(1);
                    String why = !path.startsWith("protocols.") && !path.startsWith("memory.")
                            ? "'" + path + "': only protocols.* and memory.* change at module level"
                            : DesignTree.set(design, path, DesignTree.value(m.group(2)));
                    if (why != null) {
                        errors.add(why);
                    }
                });
    }

    /** Random search: every path of the space gets a value drawn uniformly from its legal ones. */
    String random(ObjectNode start, Random random) {
        StringBuilder out = new StringBuilder();
        space(start).forEach((path, values) -> out.append("SET ").append(path).append('=')
                .append(inline(values.get(random.nextInt(values.size())))).append('\n'));
        return out.toString();
    }

    private static JsonNode at(ObjectNode design, String path) {
        JsonNode node = design;
        for (String seg : path.split("\\.")) {
            node = node instanceof ArrayNode a ? (DesignTree.indexOf(a, seg) < 0 ? null : a.get(DesignTree.indexOf(a, seg)))
                    : node.get(seg);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    static String inline(JsonNode v) {
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(i -> items.add(inline(i)));
            return "[" + String.join(", ", items) + "]";
        }
        if (v.isObject()) {
            List<String> fields = new ArrayList<>();
            v.fields().forEachRemaining(f -> fields.add(f.getKey() + ": " + inline(f.getValue())));
            return "{" + String.join(", ", fields) + "}";
        }
        return v.isNull() ? "null" : v.asText();
    }
}
