package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a scenario's tree against {@code scenarios/scenario.schema.json} and turns the
 * validator's errors into plain-worded problems at their place in the file. The schema's per-type
 * part (each environment's and protocol's settings, generated from the registry by
 * {@link SchemaGenerator}) is left to {@link TypeSettingsCheck}, which reports the same things for
 * types registered from Java.
 */
final class SchemaCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The committed schema, as editors read it. */
    static final JsonNode SCHEMA_JSON = readSchema();
    private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
            .getSchema(withoutTypeParts(SCHEMA_JSON).toString());

    private SchemaCheck() {
    }

    static void check(YamlTree tree, ProblemLog log) {
        for (Error e : SCHEMA.validate(tree.root)) {
            String pointer = pointer(e.getInstanceLocation());
            JsonNode value = tree.root.at(pointer);
            String keyword = e.getEvaluationPath().toString().contains("anyOf") ? "anyOf" : e.getKeyword();
            switch (keyword) {
                case "required" -> {
                    String at = pointer + "/" + YamlTree.escape(e.getProperty());
                    log.at(tree.valueAt(pointer), at, "missing required field '" + e.getProperty() + "'");
                }
                case "additionalProperties" -> {
                    String at = pointer + "/" + YamlTree.escape(e.getProperty());
                    log.atKey(at, "unknown key '" + e.getProperty() + "'"
                            + Suggestions.suggest(e.getProperty(), allowed(e)));
                }
                case "type" -> log.atValue(pointer, "expected " + expectedType(e.getSchemaNode()) + ", got "
                        + ProblemLog.describe(value));
                case "enum" -> log.atValue(pointer, "must be one of " + enumValues(e.getSchemaNode()) + ", got "
                        + ProblemLog.describe(value));
                case "anyOf" -> log.atValue(pointer, anyOfMessage(e) + ", got " + ProblemLog.describe(value));
                case "pattern" -> log.atValue(pointer, patternMessage(pointer) + ", got " + ProblemLog.describe(value));
                case "minimum" -> log.atValue(pointer, "must be at least " + e.getSchemaNode().asText() + ", got "
                        + ProblemLog.describe(value));
                case "maximum" -> log.atValue(pointer, "must be at most " + e.getSchemaNode().asText() + ", got "
                        + ProblemLog.describe(value));
                default -> log.atValue(pointer, stripPath(e.getMessage()));
            }
        }
    }

    /** The schema without the per-type {@code allOf} of environments and protocols. */
    static JsonNode withoutTypeParts(JsonNode schema) {
        ObjectNode copy = schema.deepCopy();
        for (String def : List.of("environment", "protocol")) {
            JsonNode node = copy.path("$defs").path(def);
            if (node instanceof ObjectNode object) {
                object.remove("allOf");
            }
        }
        return copy;
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

    private static JsonNode readSchema() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream("scenario.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("scenario.schema.json is missing from the classpath");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
