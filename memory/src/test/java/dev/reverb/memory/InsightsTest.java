package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InsightsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final MemoryItem TEMPLATE = new MemoryItem("t", MemoryKind.CONCEPT, "team:x", "", T0, Map.of("environment", "math"));

    static MemoryItem insight(String id, String text, int importance, int minute) {
        return new MemoryItem(id, MemoryKind.CONCEPT, "team:x", text, T0.plusSeconds(60L * minute),
                Map.of("environment", "math", Insights.IMPORTANCE, Integer.toString(importance)));
    }

    final AtomicInteger next = new AtomicInteger();

    Insights.Change apply(List<MemoryItem> shown, String ops) {
        InsightOps.Parsed parsed = InsightOps.parse(ops);
        assertThat(parsed.problems()).isEmpty();
        return Insights.apply(shown, parsed.ops(), TEMPLATE, () -> "new-" + next.incrementAndGet(), T0.plusSeconds(3600));
    }

    static List<String> texts(Insights.Change c) {
        return c.list().stream().map(i -> i.text() + "=" + Insights.importance(i)).toList();
    }

    @Test
    void should_number_insights_by_importance_then_age() {
        List<MemoryItem> ordered = Insights.ordered(List.of(insight("a", "A", 2, 1), insight("b", "B", 3, 2),
                insight("c", "C", 2, 0)));
        assertThat(Insights.numbered(ordered)).isEqualTo("1. B\n2. C\n3. A");
    }

    @Test
    void should_evolve_the_list_as_each_operation_says() {
        List<MemoryItem> shown = Insights.ordered(List.of(insight("a", "Units first", 3, 0),
                insight("b", "Check sums", 2, 1), insight("c", "Guess", 1, 2), insight("d", "Be brief", 2, 3)));
        // numbered: 1 Units first(3), 2 Check sums(2), 3 Be brief(2), 4 Guess(1); an edit counts as new, so it sorts after
        // an older insight of the same importance
        Insights.Change change = apply(shown, """
                ADD: Recompute each step exactly.
                EDIT 2: Check every sum twice.
                UPVOTE 3
                DOWNVOTE 4
                REMOVE 1
                """);
        assertThat(change.problems()).isEmpty();
        assertThat(texts(change)).containsExactly("Be brief=3", "Check every sum twice.=3", "Recompute each step exactly.=2");
        assertThat(change.removed()).containsExactlyInAnyOrder("a", "c");
        assertThat(change.upserted()).extracting(MemoryItem::id).containsExactlyInAnyOrder("new-1", "b", "d");
        MemoryItem added = change.list().get(2);
        assertThat(added.scope()).isEqualTo("team:x");
        assertThat(added.tags()).containsEntry("environment", "math");
    }

    @Test
    void should_prune_an_insight_when_downvotes_bring_its_importance_to_zero() {
        List<MemoryItem> shown = List.of(insight("a", "Weak rule", 2, 0));
        Insights.Change change = apply(shown, "DOWNVOTE 1\nDOWNVOTE 1\n");
        assertThat(change.list()).isEmpty();
        assertThat(change.removed()).containsExactly("a");
        assertThat(change.upserted()).isEmpty();
    }

    @Test
    void should_count_adding_an_existing_insight_as_agreeing_with_it() {
        Insights.Change change = apply(List.of(insight("a", "Check units.", 2, 0)), "ADD: check units");
        assertThat(texts(change)).containsExactly("Check units.=3");
    }

    @Test
    void should_report_operations_on_missing_or_removed_insights_and_apply_the_rest() {
        List<MemoryItem> shown = List.of(insight("a", "One", 2, 0));
        InsightOps.Parsed parsed = InsightOps.parse("REMOVE 1\nUPVOTE 1\nEDIT 7: seven\nADD: Two");
        Insights.Change change = Insights.apply(shown, parsed.ops(), TEMPLATE, () -> "n", T0);
        assertThat(change.problems()).containsExactly(
                "line 2: UPVOTE 1: that insight was already removed",
                "line 3: EDIT 7: there are only 1 insights");
        assertThat(texts(change)).containsExactly("Two=2");
        assertThat(new ArrayList<>(change.removed())).containsExactly("a");
    }
}
