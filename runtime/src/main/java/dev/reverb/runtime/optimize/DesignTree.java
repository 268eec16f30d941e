package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * A scenario as a YAML tree, for building candidates: read, change one value by a dotted path
 * (list items by position or by name, as {@code --set} does), write back.
 */
final class DesignTree {

    static final YAMLMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .disable(YAMLGenerator.Feature.SPLIT_LINES).build();

    private DesignTree() {
    }

    /** The text as a mapping; throws {@link IllegalArgumentException} with the parser's message otherwise. */
    static ObjectNode read(String text) {
        try {
            JsonNode node = YAML.readTree(text);
            if (!(node instanceof ObjectNode o)) {
                throw new IllegalArgumentException("not a YAML mapping");
            }
            return o;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage());
        }
    }

    static String write(JsonNode tree) {
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The text written again in this class's style (long lines kept, multi-line text as blocks), for readable diffs. */
    static String normal(String yaml) {
        return write(read(yaml));
    }

    /** A YAML value: a scalar, a [list] or a {mapping}. */
    static JsonNode value(String text) {
        try {
            JsonNode node = YAML.readTree(text.isBlank() ? "\"\"" : text);
            return node == null || node.isMissingNode() ? YAML.getNodeFactory().textNode(text) : node;
        } catch (JsonProcessingException e) {
            return YAML.getNodeFactory().textNode(text.strip());
        }
    }

    /**
     * Sets the value at {@code path} ({@code protocols.debate.rounds}); returns null, or why it cannot.
     * Only an existing mapping gets a new key; a list item must exist. {@code null} in a mapping
     * removes the key (a memory kind switched off).
     */
    static String set(ObjectNode root, String path, JsonNode value) {
        String[] segs = path.strip().split("\\.", -1);
        JsonNode node = root;
        for (int i = 0; i < segs.length; i++) {
            String seg = segs[i].strip();
            boolean last = i == segs.length - 1;
            if (seg.isEmpty()) {
                return "'" + path + "' has an empty part";
            }
            if (node instanceof ObjectNode o) {
                if (last) {
                    if (value.isNull()) {
                        o.remove(seg);
                    } else {
                        o.set(seg, value);
                    }
                    return null;
                }
                if (!o.has(seg)) {
                    return "'" + path + "': there is no '" + seg + "'";
                }
                node = o.get(seg);
            } else if (node instanceof ArrayNode a) {
                int index = indexOf(a, seg);
                if (index < 0) {
                    return "'" + path + "': no item '" + seg + "' in this list";
                }
                if (last) {
                    a.set(index, value);
                    return null;
                }
                node = a.get(index);
            } else {
                return "'" + path + "': '" + segs[Math.max(0, i - 1)] + "' is a single value";
            }
        }
        return null;
    }

    /** The item of a list with this name (or a nameless item's type), or at this position; -1 when none. */
    static int indexOf(ArrayNode array, String seg) {
        if (seg.chars().allMatch(Character::isDigit) && seg.length() <= 9) {
            int i = Integer.parseInt(seg);
            return i < array.size() ? i : -1;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            if (seg.equals(item.path("name").asText(null))
                    || !item.has("name") && seg.equals(item.path("type").asText(null))) {
                return i;
            }
        }
        return -1;
    }
}
