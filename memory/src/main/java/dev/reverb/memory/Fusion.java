package dev.reverb.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reciprocal rank fusion of a vector ranking and a text ranking (Cormack et al., 2009; k = 60). */
final class Fusion {

    static final int RRF_K = 60;

    private Fusion() {
    }

    /** Fuses two rankings (either may be null: then the other is returned as it is). */
    static List<MemoryStore.Hit> fuse(List<MemoryStore.Hit> byVector, List<MemoryStore.Hit> byText, int k) {
        if (byVector == null) {
            return byText;
        }
        if (byText == null) {
            return byVector;
        }
        Map<String, MemoryItem> items = new LinkedHashMap<>();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (List<MemoryStore.Hit> ranking : List.of(byVector, byText)) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                MemoryItem item = ranking.get(rank).item();
                items.put(item.id(), item);
                scores.merge(item.id(), 1.0 / (RRF_K + rank + 1), Double::sum);
            }
        }
        List<MemoryStore.Hit> fused = new ArrayList<>();
        scores.forEach((id, score) -> fused.add(new MemoryStore.Hit(items.get(id), score)));
        fused.sort(Comparator.comparingDouble(MemoryStore.Hit::score).reversed().thenComparing(h -> h.item().id()));
        return fused.subList(0, Math.min(k, fused.size()));
    }

    /** Lower-case words of letters and digits. */
    static Set<String> words(String text) {
        Set<String> words = new LinkedHashSet<>();
        Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty())
                .forEach(words::add);
        return words;
    }
}
