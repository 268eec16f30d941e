package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The behaviour every {@link MemoryStore} must have; each implementation's test extends this. */
abstract class MemoryStoreContract {

    static final int DIM = 4;

    @TempDir
    Path folder;

    /** Opens (or reopens) the store under test in {@code folder}. */
    abstract MemoryStore open(Path folder, int dimension) throws IOException;

    /** Whether committed items survive a reopen. */
    abstract boolean persistent();

    static MemoryItem item(String id, MemoryKind kind, String scope, String text, Map<String, String> tags) {
        return new MemoryItem(id, kind, scope, text, Instant.ofEpochMilli(1_700_000_000_000L + id.hashCode()), tags);
    }

    static final MemoryItem APPLES = item("a", MemoryKind.EXPERIENTIAL, "team", "Tom sells apples at the market",
            Map.of("env", "gsm8k", "verdict", "correct"));
    static final MemoryItem TRAINS = item("b", MemoryKind.REFLECTIVE, "solver", "Two trains leave the station",
            Map.of("env", "gsm8k", "verdict", "incorrect"));
    static final MemoryItem RULE = item("c", MemoryKind.CONCEPT, "global", "Check units before adding quantities",
            Map.of("env", "arithmetic"));

    static MemoryStore filled(MemoryStore store) throws IOException {
        store.put(APPLES, new float[] {1, 0, 0, 0});
        store.put(TRAINS, new float[] {0, 1, 0, 0});
        store.put(RULE, new float[] {0, 0, 1, 0.2f});
        store.commit();
        return store;
    }

    static List<String> ids(List<MemoryStore.Hit> hits) {
        return hits.stream().map(h -> h.item().id()).toList();
    }

    @Test
    void should_keep_each_items_unit_length_embedding_bit_for_bit() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            float[] rule = store.vector("c").orElseThrow();
            double norm = Math.sqrt(1 + 0.04);
            assertThat(rule).containsExactly(new float[] {0, 0, (float) (1 / norm), (float) (0.2 / norm)},
                    org.assertj.core.data.Offset.offset(1e-6f));
            store.put(item("d", MemoryKind.CONCEPT, "global", "copy", Map.of()), rule);
            assertThat(store.vector("d").orElseThrow()).containsExactly(rule);
            assertThat(store.vector("missing")).isEmpty();
        }
    }

    @Test
    void should_return_the_item_as_put_when_getting_it_by_id() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            assertThat(store.get("a")).contains(APPLES);
            assertThat(store.get("missing")).isEmpty();
        }
    }

    @Test
    void should_replace_the_item_when_putting_the_same_id_again() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            MemoryItem edited = item("a", MemoryKind.EXPERIENTIAL, "team", "Tom sells pears", Map.of());
            store.put(edited, new float[] {0, 0, 0, 1});
            assertThat(store.get("a")).contains(edited);
            assertThat(store.list(MemoryQuery.Filter.ANY)).hasSize(3);
        }
    }

    @Test
    void should_forget_the_item_when_deleting_it() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            assertThat(store.delete("b")).isTrue();
            assertThat(store.delete("b")).isFalse();
            assertThat(store.get("b")).isEmpty();
            assertThat(ids(store.search(new MemoryQuery("", new float[] {0, 1, 0, 0}, 3, MemoryQuery.Filter.ANY))))
                    .doesNotContain("b");
        }
    }

    @Test
    void should_rank_the_nearest_vector_first_when_searching_by_vector() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            List<MemoryStore.Hit> hits = store.search(new MemoryQuery("", new float[] {0.1f, 0.9f, 0, 0}, 2,
                    MemoryQuery.Filter.ANY));
            assertThat(ids(hits)).containsExactly("b", "a");
            assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        }
    }

    @Test
    void should_rank_items_holding_the_words_first_when_searching_by_text() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            assertThat(ids(store.search(new MemoryQuery("trains leaving", null, 3, MemoryQuery.Filter.ANY))))
                    .startsWith("b");
            assertThat(store.search(new MemoryQuery("zebra", null, 3, MemoryQuery.Filter.ANY))).isEmpty();
        }
    }

    @Test
    void should_put_an_item_that_matches_both_first_when_searching_hybrid() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            // the vector alone prefers "a", the words alone prefer "c"; "c" is second by vector
            List<MemoryStore.Hit> hits = store.search(new MemoryQuery("units quantities", new float[] {0.9f, 0, 0.8f, 0}, 3,
                    MemoryQuery.Filter.ANY));
            assertThat(ids(hits).get(0)).isEqualTo("c");
        }
    }

    @Test
    void should_return_only_admitted_items_when_filtering() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            float[] any = {1, 1, 1, 1};
            assertThat(ids(store.search(new MemoryQuery("", any, 5,
                    new MemoryQuery.Filter(Set.of(MemoryKind.CONCEPT), Set.of(), Map.of()))))).containsExactly("c");
            assertThat(ids(store.search(new MemoryQuery("", any, 5,
                    new MemoryQuery.Filter(Set.of(), Set.of("team", "solver"), Map.of()))))).containsExactlyInAnyOrder("a", "b");
            assertThat(ids(store.search(new MemoryQuery("Tom trains units", any, 5,
                    new MemoryQuery.Filter(Set.of(), Set.of(), Map.of("env", "gsm8k", "verdict", "incorrect"))))))
                    .containsExactly("b");
            assertThat(store.list(new MemoryQuery.Filter(Set.of(), Set.of(), Map.of("env", "gsm8k"))))
                    .containsExactlyInAnyOrder(APPLES, TRAINS);
        }
    }

    @Test
    void should_refuse_a_vector_of_the_wrong_dimension() throws IOException {
        try (MemoryStore store = open(folder, DIM)) {
            assertThatThrownBy(() -> store.put(APPLES, new float[] {1, 0})).hasMessageContaining("dimension 4");
            assertThatThrownBy(() -> store.put(APPLES, new float[] {0, 0, 0, 0})).hasMessageContaining("zero");
        }
    }

    @Test
    void should_keep_committed_items_when_reopened() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(persistent(), "not a persistent store");
        try (MemoryStore store = filled(open(folder, DIM))) {
            store.delete("c");
            store.commit();
        }
        try (MemoryStore again = open(folder, DIM)) {
            assertThat(again.list(MemoryQuery.Filter.ANY)).containsExactlyInAnyOrder(APPLES, TRAINS);
            assertThat(ids(again.search(new MemoryQuery("apples", new float[] {1, 0, 0, 0}, 1, MemoryQuery.Filter.ANY))))
                    .containsExactly("a");
        }
    }
}
