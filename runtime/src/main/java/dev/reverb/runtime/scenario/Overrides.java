package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Applies {@code --set PATH=VALUE} overrides to a scenario's tree before it is checked. PATH is
 * dot-separated: mapping keys, and list items by position or by their {@code name} (or a nameless
 * protocol's {@code type}). VALUE is a YAML scalar. A value an override puts in the tree is blamed
 * on the override when it is wrong.
 */
final class Overrides {

    private static final YAMLMapper YAML = new YAMLMapper();

    private Overrides() {
    }

    /** Applies one override; a malformed one or a path that cannot be followed is a problem of the override. */
    static void apply(String text, YamlTree tree, ProblemLog log) {
        String where = "--set " + text;
        int eq = text.indexOf('=');
        if (eq <= 0) {
            log.atOverride(where, "", "expected PATH=VALUE, e.g. run.concurrency=2");
            return;
        }
        String[] path = text.substring(0, eq).strip().split("\\.", -1);
        for (String seg : path) {
            if (seg.isBlank()) {
                log.atOverride(where, "", "PATH is dot-separated names with none empty, e.g. run.concurrency");
                return;
            }
        }
        if (!(tree.root instanceof ObjectNode)) {
            log.atOverride(where, "", "the scenario is not a mapping, so nothing in it can be set");
            return;
        }
        JsonNode value = scalar(text.substring(eq + 1));
        JsonNode node = tree.root;
        String pointer = "";
        String created = null;
        for (int i = 0; i < path.length; i++) {
            boolean last = i == path.length - 1;
            String seg = path[i].strip();
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
                    log.atOverride(where, pointer, "no item '" + seg + "' in this list (use a position or an item's name)");
                    return;
                }
                pointer += "/" + index;
                if (last) {
                    array.set(index, value);
                }
                node = array.get(index);
            } else {
                log.atOverride(where, pointer, "is a single value, so it has no '" + seg + "'");
                return;
            }
        }
        tree.overridden(created == null ? pointer : created, where);
    }

    /** A list item by position (never wrapping a huge one) or by name; -1 when there is none. */
    private static int indexOf(ArrayNode array, String seg) {
        if (seg.chars().allMatch(Character::isDigit)) {
            return seg.length() <= 9 && Integer.parseInt(seg) < array.size() ? Integer.parseInt(seg) : -1;
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
        } catch (JsonProcessingException | RuntimeException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }
}
