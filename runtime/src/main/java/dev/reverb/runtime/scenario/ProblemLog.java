package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The problems found in one scenario, each placed at the line and column of the value or key it
 * is about (or blamed on the {@code --set} that put it there), without repeats.
 */
final class ProblemLog {

    private final YamlTree tree;
    private final String file;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();

    ProblemLog(YamlTree tree, Path file) {
        this.tree = tree;
        this.file = file.toString();
    }

    YamlTree tree() {
        return tree;
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    int size() {
        return problems.size();
    }

    /** A problem at a location, about the field at {@code pointer}. */
    void at(YamlTree.Location where, String pointer, String message) {
        if (!seen.add(pointer + "\u0000" + message)) {
            return;
        }
        if (where.override() != null) {
            problems.add(new Problem(where.override(), 0, 0, dotted(pointer), message));
        } else {
            problems.add(new Problem(file, where.line(), where.column(), dotted(pointer), message));
        }
    }

    /** A problem with the value at {@code pointer} (or its nearest ancestor that is in the file). */
    void atValue(String pointer, String message) {
        at(tree.valueAt(pointer), pointer, message);
    }

    /** A problem with the key at {@code pointer} (an unknown or misplaced key). */
    void atKey(String pointer, String message) {
        at(tree.keyAt(pointer), pointer, message);
    }

    /** A problem of an override itself. */
    void atOverride(String override, String pointer, String message) {
        problems.add(new Problem(override, 0, 0, dotted(pointer), message));
    }

    /** Problems in the file in file order, then those of overrides in the order given. */
    List<Problem> sorted(List<String> overrides) {
        List<String> order = overrides.stream().map(o -> "--set " + o).toList();
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparingInt((Problem p) -> p.line() == 0 ? order.indexOf(p.file()) : -1)
                .thenComparingInt(Problem::line).thenComparingInt(Problem::column));
        return out;
    }

    /** {@code /agents/1/model} as {@code agents[1].model}. */
    static String dotted(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replace("~1", "/").replace("~0", "~");
            if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(name).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(name);
            }
        }
        return sb.toString();
    }

    /** A value in words, for "expected X, got Y". */
    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "nothing";
        }
        if (node.isTextual()) {
            String text = node.asText();
            return "text '" + (text.length() > 60 ? text.substring(0, 57) + "..." : text) + "'";
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
}
