package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory's logic over the real Lucene store; a word-hashing embedder stands in for the model. */
class MemoryTest {

    /** Bag of words hashed into 64 dimensions: similar wording, similar vectors. */
    static final Embedder WORDS = new Embedder() {
        @Override
        public int dimension() {
            return 64;
        }

        @Override
        public float[] embed(String text) {
            float[] v = new float[64];
            v[0] = 0.01f;
            for (String w : text.toLowerCase(Locale.ROOT).split("\\W+")) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(w.hashCode(), 64)] += 1;
                }
            }
            return v;
        }
    };

    static final String TEAM = Scopes.team("quick");

    @TempDir
    Path folder;
    Memory memory;

    @BeforeEach
    void open() throws IOException {
        memory = open(Memory.Settings.DEFAULT);
    }

    Memory open(Memory.Settings settings) throws IOException {
        return new Memory(LuceneStore.open(folder, 64, "words"), WORDS, settings,
                Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void close() throws IOException {
        memory.close();
    }

    static Trajectory episode(String id, String taskId, String task, boolean correct, String env) {
        return new Trajectory("run1/" + id, env, taskId, task, "reflexion", List.of(
                new Trajectory.Turn("solver", "ANSWER", 0, "Step 1: 3 + 4 = 8\nThe answer is 8.", ""),
                new Trajectory.Turn("reflector", "REFLECT", 0, "I added wrongly in step 1.", "expected 7, got 8"),
                new Trajectory.Turn("solver", "REVISE", 1, "The answer is " + (correct ? "7" : "9") + ".", "")),
                correct ? "7" : "9", correct, correct ? "" : "expected 7, got 9");
    }

    @Test
    void should_write_the_trajectory_and_each_reflection_once_per_scope_and_rewrite_them_on_a_second_remember()
            throws IOException {
        Trajectory t = episode("e1", "t1", "Tom has 3 apples and buys 4 more apples", true, "math");
        List<MemoryItem> written = memory.remember(t, Set.of(TEAM), true);
        assertThat(written).extracting(MemoryItem::id).containsExactlyInAnyOrder(
                "exp:run1/e1@team:quick", "exp:run1/e1@agent:solver", "exp:run1/e1@agent:reflector",
                "refl:run1/e1#1@team:quick", "refl:run1/e1#1@agent:reflector");
        MemoryItem trajectory = memory.store().get("exp:run1/e1@team:quick").orElseThrow();
        assertThat(trajectory.kind()).isEqualTo(MemoryKind.EXPERIENTIAL);
        assertThat(trajectory.text()).startsWith("Task: Tom has 3 apples and buys 4 more apples\nOutcome: solved\n")
                .contains("[reflector, reflect, round 1] I added wrongly in step 1.");
        assertThat(trajectory.tags()).containsEntry("verdict", "correct").containsEntry("environment", "math")
                .containsEntry("task", "t1");
        assertThat(memory.store().get("refl:run1/e1#1@team:quick").orElseThrow().text())
                .contains("Feedback on the attempt: expected 7, got 8").endsWith("Reflection: I added wrongly in step 1.");

        memory.remember(t, Set.of(TEAM), true);
        assertThat(memory.store().list(MemoryQuery.Filter.ANY)).hasSize(5);
    }

    @Test
    void should_recall_similar_successes_failures_and_reflections_of_the_same_environment_only() throws IOException {
        memory.remember(episode("e1", "t1", "Tom has 3 apples and buys 4 more apples", true, "math"), Set.of(TEAM), false);
        memory.remember(episode("e2", "t2", "Ann has 3 pears and buys 4 more pears", false, "math"), Set.of(TEAM), false);
        memory.remember(episode("e3", "t3", "A train travels 60 miles in one hour", true, "math"), Set.of(TEAM), false);
        memory.remember(episode("e4", "t4", "Tom has 3 apples and buys 4 more apples", true, "code"), Set.of(TEAM), false);

        Recall recall = memory.recall("math", "t9", "Tom has 5 apples and buys 2 more apples", Set.of(TEAM));
        assertThat(recall.successes()).extracting(MemoryItem::id).first().isEqualTo("exp:run1/e1@team:quick");
        assertThat(recall.successes()).extracting(MemoryItem::id).doesNotContain("exp:run1/e4@team:quick");
        assertThat(recall.failures()).extracting(MemoryItem::id).containsExactly("exp:run1/e2@team:quick");
        assertThat(recall.reflections()).hasSize(2).allMatch(i -> i.kind() == MemoryKind.REFLECTIVE);
        assertThat(memory.recall("math", "t9", "anything", Set.of("team:other")).isEmpty()).isTrue();
    }

    @Test
    void should_leave_out_the_tasks_own_episodes_when_same_task_recall_is_off() throws IOException {
        memory.close();
        memory = open(new Memory.Settings(Memory.Limits.DEFAULT, false));
        memory.remember(episode("e1", "t1", "Tom has 3 apples and buys 4 more apples", true, "math"), Set.of(TEAM), false);
        memory.remember(episode("e2", "t2", "Tom has 3 plums and buys 4 more plums", true, "math"), Set.of(TEAM), false);
        Recall recall = memory.recall("math", "t1", "Tom has 3 apples and buys 4 more apples", Set.of(TEAM));
        assertThat(recall.successes()).extracting(i -> i.tags().get("task")).containsOnly("t2");
        assertThat(recall.reflections()).extracting(i -> i.tags().get("task")).containsOnly("t2");
    }

    @Test
    void should_show_an_agent_its_own_items_and_shared_ones_but_not_another_agents() throws IOException {
        memory.remember(episode("e1", "t1", "Tom has 3 apples and buys 4 more apples", false, "math"), Set.of(), true);
        Recall recall = memory.recall("math", "t2", "Tom has 3 apples", Set.of(Scopes.agent("solver"),
                Scopes.agent("reflector")));
        Recall solver = recall.visibleTo("solver");
        assertThat(solver.failures()).extracting(MemoryItem::scope).containsExactly("agent:solver");
        assertThat(solver.reflections()).isEmpty();
        assertThat(recall.visibleTo("reflector").reflections()).extracting(MemoryItem::scope)
                .containsExactly("agent:reflector");
    }

    @Test
    void should_store_revised_insights_and_offer_them_to_every_task_of_the_environment() throws IOException {
        List<MemoryItem> none = memory.insights("math", TEAM);
        Insights.Change first = memory.revise("math", TEAM, none,
                InsightOps.parse("ADD: Recompute each step.\nADD: Check the units.").ops());
        assertThat(first.list()).hasSize(2);
        List<MemoryItem> shown = memory.insights("math", TEAM);
        memory.revise("math", TEAM, shown, InsightOps.parse("UPVOTE 2\nDOWNVOTE 1\nDOWNVOTE 1").ops());
        assertThat(memory.insights("math", TEAM)).extracting(MemoryItem::text).containsExactly("Check the units.");
        assertThat(memory.recall("math", "t1", "an unrelated question", Set.of(TEAM)).insights())
                .extracting(MemoryItem::text).containsExactly("Check the units.");
        assertThat(memory.recall("code", "t1", "an unrelated question", Set.of(TEAM)).insights()).isEmpty();
    }
}
