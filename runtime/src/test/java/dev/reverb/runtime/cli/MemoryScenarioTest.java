package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.ROOT;
import static dev.reverb.runtime.cli.QuickstartTest.lines;
import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped memory scenario run twice on one memory folder: the second run learns from the first. */
class MemoryScenarioTest {

    static final Path SCENARIO = ROOT.resolve("scenarios/reflexion-memory.yaml");

    @TempDir
    Path tmp;

    Path run(String... extra) throws IOException {
        List<Path> before = runs();
        String[] args = Stream.concat(Stream.of("run", SCENARIO.toString(), "--no-progress",
                "--set", "run.output=" + tmp.resolve("runs"), "--set", "memory.folder=" + tmp.resolve("memory"),
                "--set", "environment.count=8"), Stream.of(extra)).toArray(String[]::new);
        QuickstartTest.Cli cli = reverb(args);
        assertThat(cli.code()).as(cli.err()).isZero();
        List<Path> after = runs();
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    List<Path> runs() throws IOException {
        Path folder = tmp.resolve("runs/reflexion-memory");
        if (!Files.isDirectory(folder)) {
            return new ArrayList<>();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.collect(Collectors.toList());
        }
    }

    @Test
    void should_give_the_second_run_the_trajectories_reflections_and_insights_of_the_first() throws IOException {
        Path first = run();
        List<MemoryItem> stored;
        try (LuceneStore store = LuceneStore.openExisting(tmp.resolve("memory"))) {
            assertThat(store.embedding()).isEqualTo("all-minilm-l6-v2");
            stored = store.list(MemoryQuery.Filter.ANY);
        }
        Map<MemoryKind, Long> kinds = stored.stream().collect(Collectors.groupingBy(MemoryItem::kind, Collectors.counting()));
        assertThat(kinds.get(MemoryKind.EXPERIENTIAL)).isEqualTo(8); // one trajectory per episode, team scope
        assertThat(kinds.get(MemoryKind.REFLECTIVE)).isPositive();
        assertThat(kinds.get(MemoryKind.CONCEPT)).isPositive(); // distilled every 4 episodes
        assertThat(stored).allMatch(i -> i.scope().equals("team:reflexion-memory"));
        assertThat(lines(first.resolve("trace.jsonl"))).anySatisfy(e -> {
            assertThat(e.path("episode_id").asText()).startsWith("memory/distill-");
            assertThat(e.path("event").asText()).isEqualTo("insights");
        });

        Path second = run();
        String firstId = first.getFileName().toString();
        List<JsonNode> episodes = lines(second.resolve("episodes.jsonl"));
        assertThat(episodes).hasSize(8).allSatisfy(e -> {
            List<String> used = ids(e.path("memory_used"));
            assertThat(used).anyMatch(id -> id.startsWith("exp:" + firstId + "/"));
            assertThat(used).anyMatch(id -> id.startsWith("insight:"));
        });
        // The items are in the prompts themselves, not only in the record.
        String anInsight = stored.stream().filter(i -> i.kind() == MemoryKind.CONCEPT).findFirst().orElseThrow().text();
        List<String> solverPrompts = lines(second.resolve("trace.jsonl")).stream()
                .filter(e -> e.path("type").asText().equals("model_call") && e.path("agent").asText().equals("solver"))
                .map(e -> e.path("prompt").get(e.path("prompt").size() - 1).path("content").asText()).toList();
        assertThat(solverPrompts).isNotEmpty().allSatisfy(p -> assertThat(p)
                .contains("Insights from earlier tasks:").contains(anInsight).contains("Similar tasks solved before:"));
    }

    @Test
    void should_rewrite_the_same_items_when_a_resumed_run_repeats_episodes_that_memory_already_kept() throws IOException {
        Path first = run();
        Set<String> before = experiential();
        assertThat(before).hasSize(8);
        // As if the run had died after memory kept the last three episodes but before they were recorded.
        Path episodes = first.resolve("episodes.jsonl");
        List<String> recorded = Files.readAllLines(episodes);
        Files.write(episodes, recorded.subList(0, recorded.size() - 3));

        QuickstartTest.Cli cli = reverb("run", "--no-progress", "--resume", first.toString());
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(Files.readAllLines(episodes)).hasSize(8);
        assertThat(experiential()).isEqualTo(before);
    }

    Set<String> experiential() throws IOException {
        try (LuceneStore store = LuceneStore.openExisting(tmp.resolve("memory"))) {
            return store.list(new MemoryQuery.Filter(Set.of(MemoryKind.EXPERIENTIAL), Set.of(), Map.of())).stream()
                    .map(MemoryItem::id).collect(Collectors.toSet());
        }
    }

    static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
