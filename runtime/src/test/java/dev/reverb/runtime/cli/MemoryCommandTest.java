package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.runtime.memory.LangChain4jEmbedder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reverb memory stats|search|show|export|import|prune} on a real store with real embeddings. */
class MemoryCommandTest {

    @TempDir
    static Path tmp;
    static Path store;

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeAll
    static void fill() throws IOException {
        store = tmp.resolve("store");
        LangChain4jEmbedder embedder = LangChain4jEmbedder.miniLm();
        List<MemoryItem> items = List.of(
                new MemoryItem("exp:1", MemoryKind.EXPERIENTIAL, "team:demo",
                        "Task: A baker packs 120 muffins into boxes of 8.\nOutcome: solved", NOW,
                        Map.of("environment", "arithmetic", "verdict", "correct")),
                new MemoryItem("exp:2", MemoryKind.EXPERIENTIAL, "team:demo",
                        "Task: A train goes 60 miles an hour for 3 hours.\nOutcome: not solved", NOW.minus(40, ChronoUnit.DAYS),
                        Map.of("environment", "arithmetic", "verdict", "incorrect")),
                new MemoryItem("refl:2", MemoryKind.REFLECTIVE, "agent:reflector",
                        "Reflection: I multiplied speed by the wrong time.", NOW, Map.of("environment", "arithmetic")),
                new MemoryItem("insight:a", MemoryKind.CONCEPT, "team:demo", "Check units before multiplying.", NOW,
                        Map.of("environment", "arithmetic", "importance", "4")),
                new MemoryItem("insight:b", MemoryKind.CONCEPT, "team:demo", "Answer quickly.", NOW,
                        Map.of("environment", "arithmetic", "importance", "1")));
        try (LuceneStore s = LuceneStore.open(store, embedder.dimension(), "all-minilm-l6-v2")) {
            for (MemoryItem item : items) {
                s.put(item, embedder.embed(item.text()));
            }
        }
    }

    @Test
    void should_count_items_per_kind_and_scope_and_list_insights_by_importance() {
        QuickstartTest.Cli cli = reverb("memory", "stats", store.toString());
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("5 items; schema " + LuceneStore.SCHEMA_VERSION + ", 384-dimensional vectors from all-minilm-l6-v2")
                .containsPattern("concept\\s+team:demo\\s+2")
                .containsPattern("experiential\\s+team:demo\\s+2")
                .containsPattern("reflective\\s+agent:reflector\\s+1")
                .containsPattern("4  Check units before multiplying.\\s+1  Answer quickly.");
    }

    @Test
    void should_rank_the_related_item_first_and_apply_filters_when_searching() {
        QuickstartTest.Cli cli = reverb("memory", "search", store.toString(), "muffins in boxes", "-k", "3");
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out().lines().findFirst().orElseThrow()).contains("exp:1");
        QuickstartTest.Cli filtered = reverb("memory", "search", store.toString(), "train speed", "--kind", "reflective");
        assertThat(filtered.out()).contains("refl:2").doesNotContain("exp:");
    }

    @Test
    void should_print_one_item_in_full_and_fail_clearly_for_an_unknown_id() {
        QuickstartTest.Cli cli = reverb("memory", "show", store.toString(), "exp:2");
        assertThat(cli.code()).isZero();
        assertThat(cli.out()).contains("\"verdict\" : \"incorrect\"").contains("Outcome: not solved");
        QuickstartTest.Cli missing = reverb("memory", "show", store.toString(), "nope");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no item 'nope'");
    }

    @Test
    void should_round_trip_exactly_through_export_and_import() throws IOException {
        Path first = tmp.resolve("first.jsonl");
        Path second = tmp.resolve("second.jsonl");
        Path copy = tmp.resolve("copy");
        assertThat(reverb("memory", "export", store.toString(), "-o", first.toString()).code()).isZero();
        QuickstartTest.Cli imported = reverb("memory", "import", copy.toString(), first.toString());
        assertThat(imported.out()).contains("imported 5 items");
        assertThat(reverb("memory", "export", copy.toString(), "-o", second.toString()).code()).isZero();
        assertThat(Files.readString(second)).isEqualTo(Files.readString(first));
        try (LuceneStore a = LuceneStore.openExisting(store); LuceneStore b = LuceneStore.openExisting(copy)) {
            assertThat(b.embedding()).isEqualTo("all-minilm-l6-v2");
            for (MemoryItem item : a.list(MemoryQuery.Filter.ANY)) {
                assertThat(b.get(item.id())).contains(item);
                assertThat(b.vector(item.id()).orElseThrow()).containsExactly(a.vector(item.id()).orElseThrow());
            }
        }
    }

    @Test
    void should_report_and_count_bad_lines_and_import_the_rest() throws IOException {
        Path export = tmp.resolve("bad.jsonl");
        reverb("memory", "export", store.toString(), "-o", export.toString(), "--kind", "concept");
        List<String> lines = new ArrayList<>(Files.readAllLines(export));
        lines.add(2, "{not json");
        lines.add("{\"id\": \"x\", \"kind\": \"concept\"}");
        Files.write(export, lines);
        QuickstartTest.Cli cli = reverb("memory", "import", tmp.resolve("partial").toString(), export.toString());
        assertThat(cli.code()).isEqualTo(1);
        assertThat(cli.out()).contains("imported 2 items").contains("skipped 2 bad line(s)");
        assertThat(cli.err()).contains(export + ":3: skipped: not JSON").contains(export + ":5: skipped: missing field 'scope'");
    }

    @Test
    void should_prune_by_age_and_by_importance_and_only_count_on_a_dry_run() throws IOException {
        Path copy = tmp.resolve("prunable");
        Path export = tmp.resolve("all.jsonl");
        reverb("memory", "export", store.toString(), "-o", export.toString());
        reverb("memory", "import", copy.toString(), export.toString());

        assertThat(reverb("memory", "prune", copy.toString(), "--older-than", "30d", "--dry-run").out())
                .contains("would delete 1 items");
        assertThat(reverb("memory", "prune", copy.toString(), "--older-than", "30d").out()).contains("deleted 1 items");
        assertThat(reverb("memory", "prune", copy.toString(), "--max-importance", "1").out()).contains("deleted 1 items");
        try (LuceneStore s = LuceneStore.openExisting(copy)) {
            assertThat(s.list(MemoryQuery.Filter.ANY)).extracting(MemoryItem::id)
                    .containsExactlyInAnyOrder("exp:1", "refl:2", "insight:a");
        }
    }
}
