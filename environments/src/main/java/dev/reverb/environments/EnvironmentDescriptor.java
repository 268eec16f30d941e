package dev.reverb.environments;

import java.io.IOException;
import java.util.Objects;

/**
 * One environment type as a scenario file selects it: its type name, its settings and its factory.
 * Built-in types declare theirs next to their code ({@code MathEnvironment.ARITHMETIC}); a user
 * registers one from Java the same way, and gets the same checks.
 *
 * @param type        the name in {@code environment.type}
 * @param description one line for the JSON schema and error messages
 * @param settings    every key but {@code type}
 * @param factory     builds the environment from checked settings
 */
public record EnvironmentDescriptor(String type, String description, SettingsSpec settings, Factory factory) {

    /** Builds an environment from its checked settings. */
    @FunctionalInterface
    public interface Factory {
        Environment create(Settings settings) throws IOException;
    }

    public EnvironmentDescriptor {
        Objects.requireNonNull(type, "type");
        description = description == null ? "" : description;
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(factory, "factory");
        if (!type.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("an environment type is lower-case letters, digits, '_' or '-', got '"
                    + type + "'");
        }
        if (settings.keys().containsKey("type")) {
            throw new IllegalArgumentException("'type' is not a setting: it names the environment type");
        }
    }
}
