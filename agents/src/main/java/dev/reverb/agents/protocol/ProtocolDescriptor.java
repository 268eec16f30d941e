package dev.reverb.agents.protocol;

import dev.reverb.environments.Settings;
import dev.reverb.environments.SettingsSpec;
import java.util.Objects;

/**
 * One protocol type as a scenario file selects it: its type name, its settings (which of them
 * name agents), its checks and its factory. Built-in protocols declare theirs in their own file
 * ({@code Reflexion.DESCRIPTOR}); a user registers one from Java the same way and gets the same checks.
 *
 * @param type        the name in {@code protocols[].type}
 * @param description one line for the JSON schema
 * @param settings    every key but {@code name} and {@code type}
 * @param factory     builds the protocol from its name, its checked settings and the run's context
 */
public record ProtocolDescriptor(String type, String description, SettingsSpec settings, Factory factory) {

    /** What a protocol may need from the rest of the scenario. */
    public record Context(boolean carryReflections) {
        public static final Context DEFAULT = new Context(true);
    }

    /** Builds a protocol. */
    @FunctionalInterface
    public interface Factory {
        Protocol create(String name, Settings settings, Context context);
    }

    public ProtocolDescriptor {
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(factory, "factory");
        if (!type.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("a protocol type is lower-case letters, digits, '_' or '-', got '"
                    + type + "'");
        }
        if (settings.keys().containsKey("type") || settings.keys().containsKey("name")) {
            throw new IllegalArgumentException("'name' and 'type' are not settings: every protocol has them");
        }
    }
}
