package dev.reverb.memory;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One remembered thing: a trajectory, a reflection or an insight.
 *
 * @param id        stable identifier (recorded in the run files when an episode uses the item)
 * @param kind      experiential, reflective or concept
 * @param scope     who may read it: an agent name, a team (scenario) name, or {@code global}
 * @param text      the text injected into prompts
 * @param createdAt when it was written
 * @param tags      filterable attributes (environment, task id, verdict, ...)
 */
public record MemoryItem(String id, MemoryKind kind, String scope, String text, Instant createdAt,
                         Map<String, String> tags) {

    public MemoryItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(createdAt, "createdAt");
        tags = Map.copyOf(tags == null ? Map.of() : tags);
    }
}
