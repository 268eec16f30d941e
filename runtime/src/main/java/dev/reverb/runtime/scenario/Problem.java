package dev.reverb.runtime.scenario;

import java.util.Objects;

/**
 * One thing wrong with a scenario, where it is, and what is wrong.
 *
 * @param file    the scenario file, or {@code --set PATH=VALUE} when an override caused it
 * @param line    1-based line (0 for an override)
 * @param column  1-based column (0 for an override)
 * @param path    the field, e.g. {@code models.policy.temperature} or {@code agents[1].model}
 * @param message what is wrong, in plain words
 */
public record Problem(String file, int line, int column, String path, String message) {

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line + ":" + column : file;
        return where + ": " + (path.isEmpty() ? "(top level)" : path) + ": " + message;
    }
}
