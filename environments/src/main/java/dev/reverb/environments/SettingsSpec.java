package dev.reverb.environments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings a type of environment or protocol takes, declared once: each key's kind, range,
 * default and meaning, and the checks that span several keys. A spec only declares; the scenario
 * loader (in {@code runtime}) reads files, checks a type's settings against its spec, reports every
 * problem with its place in the file, and hands the type's factory the checked {@link Settings}.
 * The JSON schema's per-type part is generated from specs.
 *
 * <pre>{@code
 * SettingsSpec spec = SettingsSpec.builder()
 *         .agent("solver", "the agent that attempts the task").required()
 *         .integer("max-trials", 1, 100, 3, "attempts at most")
 *         .build();
 * }</pre>
 */
public final class SettingsSpec {

    /** What a key's value is. */
    public enum Kind {
        /** A whole number in {@code [min, max]}. */
        INTEGER,
        /** A number in {@code [min, max]}. */
        NUMBER,
        BOOLEAN,
        /** Free text. */
        TEXT,
        /** One of the key's {@code choices}. */
        CHOICE,
        /** The name of one of the scenario's agents. */
        AGENT,
        /** The name of an agent whose model scores steps (a process reward model). */
        SCORER,
        /** A list of distinct agent names, at least {@code min} of them. */
        AGENTS,
        /** The name of one of the scenario's models. */
        MODEL,
        /** A file or folder, relative to the scenario file; it must exist. */
        PATH,
        /** A list of texts, at least {@code min} of them. */
        TEXTS,
        /** A mapping of names to texts. */
        TEXT_MAP,
        /** One of the key's {@code choices}, or a mapping of agent names to lists of agent names. */
        AGENT_GRAPH
    }

    /**
     * One key.
     *
     * @param defaultValue the value when the file leaves the key out (null: none; a derived default
     *                     comes from {@code derived})
     * @param min          INTEGER and NUMBER: the smallest value; AGENTS: the fewest names
     * @param max          INTEGER and NUMBER: the largest value
     * @param choices      CHOICE and AGENT_GRAPH: the allowed words
     * @param inFolder     PATH: when the path is a folder, the file in it to use (given the other settings); null: none
     * @param derived      the default computed from the other settings when the file leaves the key out; null: none
     */
    public record Key(String name, Kind kind, boolean required, Object defaultValue, Number min, Number max,
                      List<String> choices, String description, Function<Settings, String> inFolder,
                      Function<Settings, Object> derived) {
        public Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            choices = List.copyOf(choices);
            description = description == null ? "" : description;
            if (!name.matches("[a-z0-9][a-z0-9-]*")) {
                throw new IllegalArgumentException("a settings key is kebab-case, got '" + name + "'");
            }
        }

        /** Whether the key names agents (AGENT, SCORER, AGENTS, AGENT_GRAPH). */
        public boolean namesAgents() {
            return kind == Kind.AGENT || kind == Kind.SCORER || kind == Kind.AGENTS || kind == Kind.AGENT_GRAPH;
        }
    }

    /** Where a check reports: {@code path} is a key, or a key and a place inside it ({@code topology/alice/0}). */
    public interface Problems {
        /** A problem with the value at {@code path}. */
        void at(String path, String message);

        /** A problem with the key at {@code path} (an unknown name inside a mapping). */
        default void atKey(String path, String message) {
            at(path, message);
        }
    }

    /** A check across keys; it runs only when every key has a value of its kind. */
    @FunctionalInterface
    public interface Check {
        void check(Settings settings, Problems problems);
    }

    public static final SettingsSpec NONE = builder().build();

    private final Map<String, Key> keys;
    private final List<Check> checks;

    private SettingsSpec(Map<String, Key> keys, List<Check> checks) {
        this.keys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        this.checks = List.copyOf(checks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The keys in declaration order. */
    public Map<String, Key> keys() {
        return keys;
    }

    public List<Check> checks() {
        return checks;
    }

    /** Builds a spec key by key; {@link #required()} and {@link #derived} apply to the key declared last. */
    public static final class Builder {
        private final Map<String, Key> keys = new LinkedHashMap<>();
        private final List<Check> checks = new ArrayList<>();
        private Key last;

        private Builder add(Key key) {
            if (keys.containsKey(key.name())) {
                throw new IllegalArgumentException("the key '" + key.name() + "' is declared twice");
            }
            keys.put(key.name(), key);
            last = key;
            return this;
        }

        private Key last() {
            if (last == null) {
                throw new IllegalStateException("declare a key first");
            }
            return last;
        }

        private Builder replaceLast(Key key) {
            keys.put(key.name(), key);
            last = key;
            return this;
        }

        /** A whole number in {@code [min, max]}; {@code defaultValue} may be null. */
        public Builder integer(String name, long min, long max, Long defaultValue, String description) {
            return add(new Key(name, Kind.INTEGER, false, defaultValue, min, max, List.of(), description, null, null));
        }

        public Builder integer(String name, long min, long max, long defaultValue, String description) {
            return integer(name, min, max, Long.valueOf(defaultValue), description);
        }

        /** A number in {@code [min, max]}. */
        public Builder number(String name, double min, double max, Double defaultValue, String description) {
            return add(new Key(name, Kind.NUMBER, false, defaultValue, min, max, List.of(), description, null, null));
        }

        public Builder bool(String name, Boolean defaultValue, String description) {
            return add(new Key(name, Kind.BOOLEAN, false, defaultValue, null, null, List.of(), description, null, null));
        }

        public Builder text(String name, String defaultValue, String description) {
            return add(new Key(name, Kind.TEXT, false, defaultValue, null, null, List.of(), description, null, null));
        }

        public Builder choice(String name, List<String> choices, String defaultValue, String description) {
            if (defaultValue != null && !choices.contains(defaultValue)) {
                throw new IllegalArgumentException("the default of '" + name + "' is not one of its choices");
            }
            return add(new Key(name, Kind.CHOICE, false, defaultValue, null, null, choices, description, null, null));
        }

        public Builder agent(String name, String description) {
            return add(new Key(name, Kind.AGENT, false, null, null, null, List.of(), description, null, null));
        }

        public Builder scorer(String name, String description) {
            return add(new Key(name, Kind.SCORER, false, null, null, null, List.of(), description, null, null));
        }

        public Builder agents(String name, int fewest, String description) {
            return add(new Key(name, Kind.AGENTS, false, null, fewest, null, List.of(), description, null, null));
        }

        public Builder texts(String name, int fewest, String description) {
            return add(new Key(name, Kind.TEXTS, false, null, fewest, null, List.of(), description, null, null));
        }

        public Builder model(String name, String description) {
            return add(new Key(name, Kind.MODEL, false, null, null, null, List.of(), description, null, null));
        }

        /** A file, or a folder holding the file {@code inFolder} names (null: the path itself must be a file). */
        public Builder path(String name, Function<Settings, String> inFolder, String description) {
            return add(new Key(name, Kind.PATH, false, null, null, null, List.of(), description, inFolder, null));
        }

        public Builder textMap(String name, String description) {
            return add(new Key(name, Kind.TEXT_MAP, false, Map.of(), null, null, List.of(), description, null, null));
        }

        public Builder agentGraph(String name, List<String> choices, String defaultValue, String description) {
            return add(new Key(name, Kind.AGENT_GRAPH, false, defaultValue, null, null, choices, description, null, null));
        }

        /** The key declared last must be given. */
        public Builder required() {
            Key last = last();
            return replaceLast(new Key(last.name(), last.kind(), true, null, last.min(), last.max(), last.choices(),
                    last.description(), last.inFolder(), null));
        }

        /** The key declared last defaults to a value computed from the other settings. */
        public Builder derived(Function<Settings, Object> derived) {
            Key last = last();
            return replaceLast(new Key(last.name(), last.kind(), false, null, last.min(), last.max(), last.choices(),
                    last.description(), last.inFolder(), derived));
        }

        /** A check across keys. */
        public Builder check(Check check) {
            checks.add(Objects.requireNonNull(check, "check"));
            return this;
        }

        public SettingsSpec build() {
            return new SettingsSpec(keys, checks);
        }
    }
}
