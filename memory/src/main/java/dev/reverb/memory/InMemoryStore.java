package dev.reverb.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A store held in memory with exact search: cosine similarity over every vector, and word
 * overlap for text (each query word found counts, rarer words more). Nothing persists; it is the
 * exact reference that approximate stores are measured against, and a store for tests.
 */
public final class InMemoryStore implements MemoryStore {

    private record Entry(MemoryItem item, float[] unit) {
    }

    private final int dimension;
    private final Map<String, Entry> items = new LinkedHashMap<>();

    public InMemoryStore(int dimension) {
        this.dimension = dimension;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public synchronized void put(MemoryItem item, float[] vector) {
        items.put(item.id(), new Entry(item, Vectors.unit(vector, dimension)));
    }

    @Override
    public synchronized Optional<MemoryItem> get(String id) {
        return Optional.ofNullable(items.get(id)).map(Entry::item);
    }

    @Override
    public synchronized Optional<float[]> vector(String id) {
        return Optional.ofNullable(items.get(id)).map(e -> e.unit().clone());
    }

    @Override
    public synchronized boolean delete(String id) {
        return items.remove(id) != null;
    }

    @Override
    public synchronized List<Hit> search(MemoryQuery query) {
        List<Entry> admitted = items.values().stream().filter(e -> query.filter().admits(e.item())).toList();
        List<Hit> byVector = null;
        if (query.vector() != null) {
            float[] target = Vectors.unit(query.vector(), dimension);
            byVector = rank(admitted, e -> (double) Vectors.dot(e.unit(), target), query.k(), false);
        }
        List<Hit> byText = query.text().isBlank() ? null
                : rank(admitted, textScorer(admitted, query.text()), query.k(), true);
        return Fusion.fuse(byVector, byText, query.k());
    }

    private static java.util.function.Function<Entry, Double> textScorer(List<Entry> entries, String text) {
        Set<String> words = Fusion.words(text);
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (Entry e : entries) {
            for (String w : Fusion.words(e.item().text())) {
                documentFrequency.merge(w, 1, Integer::sum);
            }
        }
        return e -> {
            Set<String> have = Fusion.words(e.item().text());
            double score = 0;
            for (String w : words) {
                if (have.contains(w)) {
                    score += Math.log(1 + (double) entries.size() / documentFrequency.get(w));
                }
            }
            return score;
        };
    }

    /** The k best entries; with {@code matchesOnly}, entries scoring 0 (no word in common) are left out. */
    private static List<Hit> rank(List<Entry> entries, java.util.function.Function<Entry, Double> score, int k,
                                  boolean matchesOnly) {
        List<Hit> hits = new ArrayList<>();
        for (Entry e : entries) {
            double s = score.apply(e);
            if (!matchesOnly || s > 0) {
                hits.add(new Hit(e.item(), s));
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(h -> h.item().id()));
        return hits.subList(0, Math.min(k, hits.size()));
    }

    @Override
    public synchronized List<MemoryItem> list(MemoryQuery.Filter filter) {
        return items.values().stream().map(Entry::item).filter(filter::admits).collect(Collectors.toList());
    }

    @Override
    public void commit() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "InMemoryStore(%d items, dimension %d)", items.size(), dimension);
    }
}
