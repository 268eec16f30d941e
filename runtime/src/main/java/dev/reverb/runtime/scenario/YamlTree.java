package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;
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

    /** Deepest nesting of mappings and lists a scenario may have. */
    static final int MAX_DEPTH = 64;

    private static final YAMLFactory YAML = YAMLFactory.builder().loaderOptions(loaderOptions()).build();

    JsonNode root;
    private String[] lines = new String[0];
    final Map<String, Location> values = new HashMap<>();
    final Map<String, Location> keys = new HashMap<>();

    private YamlTree() {
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(SourceText.MAX_BYTES);
        options.setMaxAliasesForCollections(10);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setAllowRecursiveKeys(false);
        return options;
    }

    /**
     * Parses the text: one YAML document. A syntax error, an alias, a second document or nesting
     * deeper than {@link #MAX_DEPTH} is a problem at its position; null when nothing could be read.
     */
    static YamlTree parse(String text, String file, List<Problem> problems) {
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                problems.add(new Problem(file, 1, 1, "", "the file is empty: a scenario is a YAML mapping of sections"));
                return null;
            }
            YamlTree tree = new YamlTree();
            tree.lines = text.split("\n", -1);
            tree.root = tree.read(parser, "", 0, file, problems);
            if (parser.nextToken() != null) {
                JsonLocation l = parser.currentTokenLocation();
                problems.add(new Problem(file, l.getLineNr(), l.getColumnNr(), "",
                        "a second YAML document: a scenario file holds one (remove the '---' and what follows, "
                                + "or split it into two files)"));
            }
            return tree;
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String message = String.join("; ", String.valueOf(e.getOriginalMessage()).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("in 'reader'") && !line.matches("\\^+")
                            && !line.startsWith("at [Source"))
                    .toList());
            problems.add(new Problem(file, l == null || l.getLineNr() < 1 ? 1 : l.getLineNr(),
                    l == null || l.getColumnNr() < 1 ? 1 : l.getColumnNr(), "", "invalid YAML: " + message));
            return null;
        } catch (IOException | RuntimeException e) {
            // SnakeYAML's own limits (code points, nesting) surface as unchecked exceptions.
            problems.add(new Problem(file, 1, 1, "", "invalid YAML: " + e.getMessage()));
            return null;
        }
    }

    private JsonNode read(JsonParser p, String pointer, int depth, String file, List<Problem> problems)
            throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Location here = Location.of(p.currentTokenLocation());
        values.put(pointer, here);
        if (depth > MAX_DEPTH) {
            throw new JsonParseException(p, "nested deeper than " + MAX_DEPTH + " levels", p.currentTokenLocation());
        }
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            problems.add(new Problem(file, here.line(), here.column(), ProblemLog.dotted(pointer),
                    "YAML aliases (*" + p.getText() + ") are not supported: write the value out"));
            return f.nullNode();
        }
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = f.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    String child = pointer + "/" + escape(name);
                    Location at = Location.of(p.currentTokenLocation());
                    p.nextToken();
                    if (object.has(name)) {
                        problems.add(new Problem(file, at.line(), at.column(), ProblemLog.dotted(child),
                                "duplicate key '" + name + "'"));
                    }
                    keys.put(child, at);
                    object.set(name, read(p, child, depth + 1, file, problems));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = f.arrayNode();
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(p, pointer + "/" + i++, depth + 1, file, problems));
                }
                return array;
            }
            case VALUE_STRING -> {
                // 'key:' with nothing after it is null in YAML; only a quoted "" is empty text.
                return p.getText().isEmpty() && !quotedAt(here) ? f.nullNode() : f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                // Never wrap: a whole number too big for a long stays exact, and range checks refuse it.
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? f.numberNode(p.getBigIntegerValue())
                        : f.numberNode(p.getLongValue());
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

    private boolean quotedAt(Location at) {
        if (at.line() < 1 || at.line() > lines.length) {
            return false;
        }
        String line = lines[at.line() - 1];
        int i = at.column() - 1;
        return i >= 0 && i < line.length() && (line.charAt(i) == '"' || line.charAt(i) == '\'');
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
