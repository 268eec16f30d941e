package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.Extensions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes the per-type part of {@code scenarios/scenario.schema.json} from a registry: for each
 * environment and protocol type a {@code $defs} entry with its keys (kinds, ranges, defaults,
 * descriptions) and an {@code if type = X then} rule selecting it. The rest of the schema is
 * hand-written and kept as it is. {@code ScenarioSchemaTest} fails when the committed file is stale
 * and rewrites it with {@code -Dreverb.schema.write=true}.
 */
public final class SchemaGenerator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENV_PREFIX = "environment-";
    private static final String PROTOCOL_PREFIX = "protocol-";

    private SchemaGenerator() {
    }

    /** The committed schema as the classpath has it. */
    public static JsonNode committed() {
        return SchemaCheck.SCHEMA_JSON;
    }

    /** {@code base} with its per-type part regenerated from {@code registry}. */
    public static ObjectNode generate(JsonNode base, Extensions registry) {
        ObjectNode schema = base.deepCopy();
        ObjectNode defs = (ObjectNode) schema.get("$defs");
        List<String> stale = new ArrayList<>();
        defs.fieldNames().forEachRemaining(n -> {
            if (n.startsWith(ENV_PREFIX) || n.startsWith(PROTOCOL_PREFIX)) {
                stale.add(n);
            }
        });
        stale.forEach(defs::remove);
        ArrayNode envRules = ((ObjectNode) defs.get("environment")).putArray("allOf");
        for (EnvironmentDescriptor e : registry.environments()) {
            envRules.add(rule(ENV_PREFIX + e.type(), e.type()));
            defs.set(ENV_PREFIX + e.type(), typeSchema(e.type(), e.description(), e.settings(), List.of("type")));
        }
        ArrayNode protocolRules = ((ObjectNode) defs.get("protocol")).putArray("allOf");
        for (ProtocolDescriptor p : registry.protocols()) {
            protocolRules.add(rule(PROTOCOL_PREFIX + p.type(), p.type()));
            defs.set(PROTOCOL_PREFIX + p.type(), typeSchema(p.type(), p.description(), p.settings(),
                    List.of("name", "type")));
        }
        return schema;
    }

    private static ObjectNode rule(String def, String type) {
        ObjectNode rule = JSON.createObjectNode();
        rule.putObject("if").putObject("properties").putObject("type").put("const", type);
        rule.putObject("then").put("$ref", "#/$defs/" + def);
        return rule;
    }

    private static ObjectNode typeSchema(String type, String description, SettingsSpec spec, List<String> common) {
        ObjectNode o = JSON.createObjectNode();
        o.put("description", description);
        o.put("type", "object");
        o.put("additionalProperties", false);
        ArrayNode required = JSON.createArrayNode();
        ObjectNode properties = JSON.createObjectNode();
        for (String c : common) {
            properties.putObject(c);
        }
        for (SettingsSpec.Key key : spec.keys().values()) {
            if (key.required()) {
                required.add(key.name());
            }
            properties.set(key.name(), keySchema(key));
        }
        if (!required.isEmpty()) {
            o.set("required", required);
        }
        o.set("properties", properties);
        return o;
    }

    private static ObjectNode keySchema(SettingsSpec.Key key) {
        ObjectNode o = JSON.createObjectNode();
        switch (key.kind()) {
            case INTEGER -> {
                o.put("type", "integer");
                o.put("minimum", key.min().longValue());
                o.put("maximum", key.max().longValue());
            }
            case NUMBER -> {
                o.put("type", "number");
                o.put("minimum", key.min().doubleValue());
                o.put("maximum", key.max().doubleValue());
            }
            case BOOLEAN -> o.put("type", "boolean");
            case TEXT, PATH -> o.put("type", "string");
            case AGENT, SCORER, MODEL -> o.put("type", "string").put("minLength", 1);
            case CHOICE -> key.choices().forEach(o.putArray("enum")::add);
            case AGENTS, TEXTS -> {
                o.put("type", "array");
                o.putObject("items").put("type", "string");
                o.put("minItems", key.min() == null ? 0 : key.min().intValue());
                if (key.kind() == SettingsSpec.Kind.AGENTS) {
                    o.put("uniqueItems", true);
                }
            }
            case TEXT_MAP -> o.put("type", "object").putObject("additionalProperties").put("type", "string");
            case AGENT_GRAPH -> {
                ArrayNode oneOf = o.putArray("oneOf");
                key.choices().forEach(oneOf.addObject().putArray("enum")::add);
                ObjectNode graph = oneOf.addObject().put("type", "object");
                graph.putObject("additionalProperties").put("type", "array").put("uniqueItems", true)
                        .putObject("items").put("type", "string");
            }
            default -> throw new IllegalStateException("unknown kind " + key.kind());
        }
        if (key.defaultValue() != null && !(key.defaultValue() instanceof Map<?, ?> m && m.isEmpty())) {
            o.set("default", JSON.valueToTree(key.defaultValue()));
        }
        if (!key.description().isEmpty()) {
            o.put("description", key.description());
        }
        return o;
    }

    /** JSON with two-space indents, each object or array on one line when that line stays short. */
    public static String print(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        print(node, 0, 0, sb);
        return sb.append('\n').toString();
    }

    private static void print(JsonNode node, int indent, int used, StringBuilder sb) {
        String flat = flat(node);
        if (!node.isContainerNode() || indent + used + flat.length() <= 120 || node.isEmpty()) {
            sb.append(flat);
            return;
        }
        boolean object = node.isObject();
        sb.append(object ? "{\n" : "[\n");
        String pad = "  ".repeat(indent + 1);
        if (object) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = text(JSON.getNodeFactory().textNode(e.getKey())) + ": ";
                sb.append(pad).append(key);
                print(e.getValue(), indent + 1, key.length(), sb);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
        } else {
            for (int i = 0; i < node.size(); i++) {
                sb.append(pad);
                print(node.get(i), indent + 1, 0, sb);
                sb.append(i < node.size() - 1 ? ",\n" : "\n");
            }
        }
        sb.append("  ".repeat(indent)).append(object ? "}" : "]");
    }

    private static String flat(JsonNode node) {
        if (!node.isContainerNode()) {
            return text(node);
        }
        StringBuilder sb = new StringBuilder(node.isObject() ? "{" : "[");
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                sb.append(text(JSON.getNodeFactory().textNode(e.getKey()))).append(": ").append(flat(e.getValue()));
                sb.append(it.hasNext() ? ", " : "");
            }
        } else {
            for (int i = 0; i < node.size(); i++) {
                sb.append(flat(node.get(i))).append(i < node.size() - 1 ? ", " : "");
            }
        }
        return sb.append(node.isObject() ? "}" : "]").toString();
    }

    private static String text(JsonNode scalar) {
        try {
            return JSON.writeValueAsString(scalar);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
