package dev.reverb.memory;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What to retrieve: the items nearest a text and/or an embedding, among those the filter admits.
 * With both, the two rankings are fused (reciprocal rank fusion); with one, it alone ranks.
 *
 * @param text   words to match (BM25), or empty
 * @param vector the query's embedding, or null
 * @param k      how many items to return
 * @param filter which items may be returned
 */
public record MemoryQuery(String text, float[] vector, int k, Filter filter) {

    /**
     * Restricts retrieval; an empty set or map admits everything.
     *
     * @param kinds  admitted kinds
     * @param scopes admitted scopes
     * @param tags   tags an item must carry with exactly these values
     */
    public record Filter(Set<MemoryKind> kinds, Set<String> scopes, Map<String, String> tags) {
        public static final Filter ANY = new Filter(Set.of(), Set.of(), Map.of());

        public Filter {
            kinds = Set.copyOf(kinds);
            scopes = Set.copyOf(scopes);
            tags = Map.copyOf(tags);
        }

        public boolean admits(MemoryItem item) {
            return (kinds.isEmpty() || kinds.contains(item.kind()))
                    && (scopes.isEmpty() || scopes.contains(item.scope()))
                    && tags.entrySet().stream().allMatch(t -> t.getValue().equals(item.tags().get(t.getKey())));
        }
    }

    public MemoryQuery {
        text = text == null ? "" : text;
        Objects.requireNonNull(filter, "filter");
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, was " + k);
        }
        if (text.isBlank() && vector == null) {
            throw new IllegalArgumentException("a memory query needs a text or a vector");
        }
    }
}
