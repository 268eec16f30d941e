package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a JSON tree, with the line and column of every value and every key, keyed
 * by JSON pointer ({@code /models/policy/temperature}).
 */
final class YamlTree {

    /** Where something is: a position in the file, or the override that put it there. */
    record Location(int line, int column, String override) {
        static Location of(JsonLocation l) {
            return new Location(l.getLineNr(), l.getColumnNr(), null);
        }
    }

    private static final YAMLFactory YAML = new YAMLFactory();

    JsonNode root;
    final Map<String, Location> values = new HashMap<>();
    final Map<String, Location> keys = new HashMap<>();

    private YamlTree() {
    }

    /** Parses the text; a syntax error is a problem with the parser's position. */
    static YamlTree parse(String text, String file, List<Problem> problems) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(new Problem(file, 1, 1, "", "the file is empty"));
                return null;
            }
            YamlTree tree = new YamlTree();
            tree.root = tree.read(parser, "", file, problems);
            return tree;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String message = String.join("; ", e.getOriginalMessage().lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("in 'reader'") && !line.matches("\\^+")
                            && !line.startsWith("at [Source"))
                    .toList());
            problems.add(new Problem(file, l == null ? 1 : l.getLineNr(), l == null ? 1 : l.getColumnNr(), "",
                    "invalid YAML: " + message));
            return null;
        } catch (IOException e) {
            problems.add(new Problem(file, 1, 1, "", "cannot read: " + e.getMessage()));
            return null;
        }
    }

    private JsonNode read(JsonParser p, String pointer, String file, List<Problem> problems) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        values.put(pointer, Location.of(p.currentTokenLocation()));
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = pointer + "/" + escape(name);
                    Location at = Location.of(p.currentTokenLocation());
                    p.nextToken();
                    if (object.has(name)) {
                        problems.add(new Problem(file, at.line(), at.column(), ScenarioLoader.dotted(child),
                                "duplicate key '" + name + "'"));
                    }
                    keys.put(child, at);
                    object.set(name, read(p, child, file, problems));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(p, pointer + "/" + i++, file, problems));
                }
                return array;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return f.numberNode(p.getLongValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return f.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return f.booleanNode(p.getBooleanValue());
            }
            default -> {
                return f.nullNode();
            }
        }
    }

    /** The location of the value at a pointer, or of its nearest ancestor that has one. */
    Location valueAt(String pointer) {
        for (String p = pointer; ; p = parent(p)) {
            Location l = values.get(p);
            if (l != null || p.isEmpty()) {
                return l == null ? new Location(1, 1, null) : l;
            }
        }
    }

    /** The location of a key (for unknown keys), else of its value. */
    Location keyAt(String pointer) {
        Location l = keys.get(pointer);
        return l != null ? l : valueAt(pointer);
    }

    /** Marks a subtree as coming from an override. */
    void overridden(String pointer, String override) {
        Location l = new Location(0, 0, override);
        values.keySet().removeIf(p -> p.equals(pointer) || p.startsWith(pointer + "/"));
        keys.keySet().removeIf(p -> p.equals(pointer) || p.startsWith(pointer + "/"));
        values.put(pointer, l);
        keys.put(pointer, l);
    }

    static String parent(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
