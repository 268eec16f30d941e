package dev.reverb.runtime.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.environments.Settings;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.data.Datasets;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks one environment's or protocol's settings against its type's {@link SettingsSpec}: unknown
 * and missing keys, each value's kind and range, agent and model references, files that must
 * exist, then the type's own checks. Built-in types and types registered from Java get exactly the
 * same checks and messages.
 */
final class TypeSettingsCheck {

    /**
     * What references are checked against.
     *
     * @param agents       the scenario's agent names
     * @param models       the scenario's model names
     * @param scorerProblem for an agent that must score steps: null when it can, else what is wrong
     * @param resolve      a path in the file to an absolute one (relative to the scenario's folder)
     */
    record References(Set<String> agents, Set<String> models, Function<String, String> scorerProblem,
                      Function<String, Path> resolve) {
    }

    private final ProblemLog log;
    private final References refs;

    TypeSettingsCheck(ProblemLog log, References refs) {
        this.log = log;
        this.refs = refs;
    }

    /**
     * Checks the mapping at {@code pointer}; {@code what} names the type in messages
     * ({@code reflexion}, {@code the gsm8k environment}). Returns the checked settings, or null when
     * a key is wrong (the type's own checks then do not run).
     */
    Settings check(JsonNode node, String pointer, String what, SettingsSpec spec, Set<String> reserved) {
        int before = log.size();
        Map<String, SettingsSpec.Key> keys = spec.keys();
        node.fieldNames().forEachRemaining(name -> {
            if (!reserved.contains(name) && !keys.containsKey(name)) {
                log.atKey(pointer + "/" + YamlTree.escape(name), "'" + name + "' is not a setting of " + what
                        + Suggestions.suggest(name, keys.keySet()) + " (its settings: "
                        + (keys.isEmpty() ? "none" : String.join(", ", keys.keySet())) + ")");
            }
        });
        Map<String, Object> values = new LinkedHashMap<>();
        for (SettingsSpec.Key key : keys.values()) {
            String at = pointer + "/" + YamlTree.escape(key.name());
            JsonNode value = node.get(key.name());
            if (value == null || value.isNull()) {
                if (key.required()) {
                    log.at(log.tree().valueAt(value == null ? pointer : at), at,
                            "missing required field '" + key.name() + "'");
                } else if (key.defaultValue() != null) {
                    values.put(key.name(), key.defaultValue());
                }
                continue;
            }
            Object converted = convert(key, value, at);
            if (converted != null) {
                values.put(key.name(), converted);
            }
        }
        if (log.size() > before) {
            return null;
        }
        for (SettingsSpec.Key key : keys.values()) {
            if (!values.containsKey(key.name()) && key.derived() != null) {
                values.put(key.name(), key.derived().apply(new Settings(values)));
            }
        }
        for (SettingsSpec.Key key : keys.values()) {
            if (key.kind() == SettingsSpec.Kind.PATH && values.get(key.name()) instanceof String text) {
                Path path = refs.resolve().apply(text);
                String inFolder = key.inFolder() == null ? null : key.inFolder().apply(new Settings(values));
                Path file = inFolder != null && Files.isDirectory(path) ? path.resolve(inFolder) : path;
                if (!Files.isRegularFile(file)) {
                    log.atValue(pointer + "/" + YamlTree.escape(key.name()), key.name() + " file not found: " + file
                            + (Files.isDirectory(file) ? " (a folder)" : Datasets.hint(file)));
                    return null;
                }
                values.put(key.name(), file);
            }
        }
        Settings settings = new Settings(values);
        for (SettingsSpec.Check c : spec.checks()) {
            c.check(settings, new SettingsSpec.Problems() {
                @Override
                public void at(String path, String message) {
                    log.atValue(pointer + relative(path), message);
                }

                @Override
                public void atKey(String path, String message) {
                    log.atKey(pointer + relative(path), message);
                }
            });
        }
        return log.size() > before ? null : settings;
    }

    private static String relative(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split("/")) {
            sb.append('/').append(YamlTree.escape(part));
        }
        return sb.toString();
    }

    /** The value as its kind's Java type, or null after a problem. */
    private Object convert(SettingsSpec.Key key, JsonNode value, String at) {
        switch (key.kind()) {
            case INTEGER -> {
                if (!value.isIntegralNumber()) {
                    return wrong(at, "a whole number", value);
                }
                BigInteger n = value.bigIntegerValue();
                long min = key.min().longValue();
                long max = key.max().longValue();
                if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
                    log.atValue(at, "must be a whole number from " + min + " to " + max + ", got " + n);
                    return null;
                }
                return n.longValue();
            }
            case NUMBER -> {
                if (!value.isNumber()) {
                    return wrong(at, "a number", value);
                }
                double d = value.doubleValue();
                double min = key.min().doubleValue();
                double max = key.max().doubleValue();
                if (!(d >= min && d <= max)) {
                    log.atValue(at, "must be a number from " + min + " to " + max + ", got " + value.asText());
                    return null;
                }
                return d;
            }
            case BOOLEAN -> {
                return value.isBoolean() ? value.booleanValue() : wrong(at, "true or false", value);
            }
            case TEXT, PATH -> {
                return value.isTextual() ? value.asText() : wrong(at, "text", value);
            }
            case CHOICE -> {
                if (!value.isTextual() || !key.choices().contains(value.asText())) {
                    log.atValue(at, "must be one of " + String.join(", ", key.choices()) + ", got "
                            + ProblemLog.describe(value) + (value.isTextual()
                            ? Suggestions.suggest(value.asText(), key.choices()) : ""));
                    return null;
                }
                return value.asText();
            }
            case AGENT, SCORER -> {
                if (!value.isTextual()) {
                    return wrong(at, "an agent name", value);
                }
                return agent(value.asText(), at, key.kind() == SettingsSpec.Kind.SCORER) ? value.asText() : null;
            }
            case MODEL -> {
                if (!value.isTextual()) {
                    return wrong(at, "a model name", value);
                }
                if (!refs.models().contains(value.asText())) {
                    log.atValue(at, "unknown model '" + value.asText() + "'"
                            + Suggestions.suggest(value.asText(), refs.models()) + "; known: "
                            + String.join(", ", new TreeSet<>(refs.models())));
                    return null;
                }
                return value.asText();
            }
            case AGENTS, TEXTS -> {
                return list(key, value, at, key.kind() == SettingsSpec.Kind.AGENTS);
            }
            case TEXT_MAP -> {
                if (!value.isObject()) {
                    return wrong(at, "a mapping of names to texts", value);
                }
                Map<String, String> map = new LinkedHashMap<>();
                boolean ok = true;
                for (var it = value.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isTextual()) {
                        wrong(at + "/" + YamlTree.escape(e.getKey()), "text", e.getValue());
                        ok = false;
                    } else {
                        map.put(e.getKey(), e.getValue().asText());
                    }
                }
                return ok ? map : null;
            }
            case AGENT_GRAPH -> {
                return graph(key, value, at);
            }
            default -> throw new IllegalStateException("unknown kind " + key.kind());
        }
    }

    private boolean agent(String name, String at, boolean scorer) {
        if (!refs.agents().contains(name)) {
            log.atValue(at, "unknown agent '" + name + "'" + Suggestions.suggest(name, refs.agents()) + "; known: "
                    + String.join(", ", new TreeSet<>(refs.agents())));
            return false;
        }
        String problem = scorer ? refs.scorerProblem().apply(name) : null;
        if (problem != null) {
            log.atValue(at, problem);
            return false;
        }
        return true;
    }

    private Object list(SettingsSpec.Key key, JsonNode value, String at, boolean agents) {
        String item = agents ? "agent name" : "text";
        if (!value.isArray()) {
            return wrong(at, "a list of " + item + "s", value);
        }
        int fewest = key.min() == null ? 0 : key.min().intValue();
        if (value.size() < fewest) {
            log.atValue(at, "needs at least " + fewest + " " + item + (fewest == 1 ? "" : "s") + ", got " + value.size());
            return null;
        }
        List<String> names = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < value.size(); i++) {
            JsonNode node = value.get(i);
            String itemAt = at + "/" + i;
            if (!node.isTextual()) {
                wrong(itemAt, agents ? "an agent name" : "text", node);
                ok = false;
            } else if (agents && names.contains(node.asText())) {
                log.atValue(itemAt, "'" + node.asText() + "' is listed twice");
                ok = false;
            } else {
                ok &= !agents || agent(node.asText(), itemAt, false);
                names.add(node.asText());
            }
        }
        return ok ? names : null;
    }

    private Object graph(SettingsSpec.Key key, JsonNode value, String at) {
        if (value.isTextual() && key.choices().contains(value.asText())) {
            return value.asText();
        }
        if (!value.isObject()) {
            log.atValue(at, "must be one of " + String.join(", ", key.choices())
                    + ", or a mapping of agents to the agents each reads; got " + ProblemLog.describe(value));
            return null;
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        boolean ok = true;
        for (var it = value.fields(); it.hasNext(); ) {
            var e = it.next();
            String entryAt = at + "/" + YamlTree.escape(e.getKey());
            if (!e.getValue().isArray()) {
                wrong(entryAt, "a list of agent names", e.getValue());
                ok = false;
                continue;
            }
            List<String> heard = new ArrayList<>();
            for (int i = 0; i < e.getValue().size(); i++) {
                JsonNode item = e.getValue().get(i);
                if (!item.isTextual()) {
                    wrong(entryAt + "/" + i, "an agent name", item);
                    ok = false;
                } else if (heard.contains(item.asText())) {
                    log.atValue(entryAt + "/" + i, "'" + item.asText() + "' is listed twice");
                    ok = false;
                } else {
                    heard.add(item.asText());
                }
            }
            map.put(e.getKey(), List.copyOf(heard));
        }
        return ok ? map : null;
    }

    private Object wrong(String at, String expected, JsonNode value) {
        log.atValue(at, "expected " + expected + ", got " + ProblemLog.describe(value));
        return null;
    }
}
