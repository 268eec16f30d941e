package dev.reverb.environments;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A type's settings after checking against its {@link SettingsSpec}: defaults filled in, whole
 * numbers in range, paths absolute. Values are {@code Long} (INTEGER), {@code Double} (NUMBER),
 * {@code Boolean}, {@code String} (TEXT, CHOICE, AGENT, SCORER, MODEL), {@code Path} (PATH),
 * {@code List<String>} (AGENTS, TEXTS), {@code Map<String, String>} (TEXT_MAP), and a {@code String} or a
 * {@code Map<String, List<String>>} (AGENT_GRAPH). A key the file leaves out without a default is absent.
 */
public final class Settings {

    public static final Settings EMPTY = new Settings(Map.of());

    private final Map<String, Object> values;

    public Settings(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every value, in the spec's order. */
    public Map<String, Object> values() {
        return values;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value, or null when absent. */
    public Object get(String key) {
        return values.get(key);
    }

    /** A whole number that fits an int (its spec's range makes sure). */
    public int integer(String key) {
        return Math.toIntExact(((Number) require(key)).longValue());
    }

    /** A whole number, or null when absent. */
    public Integer integerOrNull(String key) {
        return has(key) ? integer(key) : null;
    }

    public long whole(String key) {
        return ((Number) require(key)).longValue();
    }

    public Long wholeOrNull(String key) {
        return has(key) ? whole(key) : null;
    }

    public double number(String key) {
        return ((Number) require(key)).doubleValue();
    }

    public boolean bool(String key) {
        return (Boolean) require(key);
    }

    /** Text, a choice or a name; null when absent. */
    public String text(String key) {
        Object v = values.get(key);
        return v == null ? null : v.toString();
    }

    public Path path(String key) {
        return (Path) require(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> texts(String key) {
        Object v = values.get(key);
        return v == null ? List.of() : List.copyOf((List<String>) v);
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> textMap(String key) {
        Object v = values.get(key);
        return v == null ? Map.of() : Map.copyOf((Map<String, String>) v);
    }

    /** An AGENT_GRAPH given as a mapping, or null when it is one of the key's words (see {@link #text}). */
    @SuppressWarnings("unchecked")
    public Map<String, List<String>> graph(String key) {
        Object v = values.get(key);
        return v instanceof Map<?, ?> map ? (Map<String, List<String>>) map : null;
    }

    private Object require(String key) {
        return Objects.requireNonNull(values.get(key), () -> "no setting '" + key + "'");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
