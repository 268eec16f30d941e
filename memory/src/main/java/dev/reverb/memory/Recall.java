package dev.reverb.memory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What memory offers one task: similar past successes and failures (experiential), reflections
 * on similar tasks (reflective) and the insights of the task's environment (concept), best first.
 * It may hold more than a prompt shows; {@link #visibleTo} cuts it to one agent's view.
 */
public record Recall(Memory.Limits limits, List<MemoryItem> successes, List<MemoryItem> failures, List<MemoryItem> reflections,
                     List<MemoryItem> insights) {

    public static final Recall EMPTY = new Recall(Memory.Limits.DEFAULT, List.of(), List.of(), List.of(), List.of());

    public Recall {
        java.util.Objects.requireNonNull(limits, "limits");
        successes = List.copyOf(successes);
        failures = List.copyOf(failures);
        reflections = List.copyOf(reflections);
        insights = List.copyOf(insights);
    }

    /** The items {@code agent} may read, at most {@link #limits}' counts of each kind. */
    public Recall visibleTo(String agent) {
        return new Recall(limits, cut(successes, agent, limits.successes()), cut(failures, agent, limits.failures()),
                cut(reflections, agent, limits.reflections()), cut(insights, agent, limits.insights()));
    }

    public boolean isEmpty() {
        return successes.isEmpty() && failures.isEmpty() && reflections.isEmpty() && insights.isEmpty();
    }

    /** Every item's id, once, in order. */
    public List<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        Stream.of(successes, failures, reflections, insights).flatMap(List::stream).forEach(i -> ids.add(i.id()));
        return List.copyOf(ids);
    }

    private static List<MemoryItem> cut(List<MemoryItem> items, String agent, int limit) {
        return items.stream().filter(i -> Scopes.visibleTo(i.scope(), agent)).limit(limit).toList();
    }
}
