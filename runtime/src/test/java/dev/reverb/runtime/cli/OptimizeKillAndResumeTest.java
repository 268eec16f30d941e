package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.run.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code reverb optimize} subprocess is killed hard after a few candidates; {@code --resume}
 * then finishes the search. The lines written before the kill are kept as they were, no candidate
 * is there twice, and only the candidates not yet in {@code search.jsonl} (and the final test) run.
 */
class OptimizeKillAndResumeTest {

    @TempDir
    Path tmp;

    @Test
    void should_not_evaluate_finished_candidates_again_when_a_killed_search_is_resumed() throws Exception {
        Path out = tmp.resolve("out");
        List<String> args = List.of("optimize", OptimizeCommandTest.EXAMPLE.toString(), "--candidates", "6",
                "--batch", "1", "--dev", "6", "--test", "6", "--out", out.toString());
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), ReverbCli.class.getName()));
        command.addAll(args);
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        Path log = out.resolve("search.jsonl");
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (candidates(log) < 3) {
            assertThat(child.isAlive()).as("ended before it could be killed: %s", tmp.resolve("child.log")).isTrue();
            assertThat(System.nanoTime()).as("no candidates after 120 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> beforeKill = complete(Files.readString(log));
        Set<String> runsBefore = runs(out);
        assertThat(beforeKill.stream().filter(l -> l.contains("\"type\":\"test\""))).as("killed before the end").isEmpty();

        List<String> resumeArgs = new ArrayList<>(args);
        resumeArgs.add("--resume");
        QuickstartTest.Cli resumed = QuickstartTest.reverb(resumeArgs.toArray(String[]::new));

        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Resuming");
        List<String> after = Files.readAllLines(log);
        assertThat(after).startsWith(beforeKill.toArray(String[]::new));
        List<Integer> ids = new ArrayList<>();
        int evaluatedAfter = 0;
        for (String line : after.subList(beforeKill.size(), after.size())) {
            JsonNode node = Json.MAPPER.readTree(line);
            evaluatedAfter += node.has("run") ? 1 : 0;
        }
        for (String line : after) {
            JsonNode node = Json.MAPPER.readTree(line);
            if (node.path("type").asText().equals("candidate")) {
                ids.add(node.path("id").asInt());
            }
        }
        assertThat(ids).doesNotHaveDuplicates().containsExactly(0, 1, 2, 3, 4, 5, 6);
        Set<String> newRuns = runs(out);
        newRuns.removeAll(runsBefore);
        // one run folder per candidate evaluated after the resume and per test evaluation: none for a finished one
        assertThat(newRuns).hasSize(evaluatedAfter);
    }

    private static int candidates(Path log) throws Exception {
        if (!Files.exists(log)) {
            return 0;
        }
        return (int) complete(Files.readString(log)).stream().filter(l -> l.contains("\"type\":\"candidate\"")).count();
    }

    private static List<String> complete(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.remove(lines.size() - 1); // the part after the last newline is torn or empty
        return lines;
    }

    private static Set<String> runs(Path out) throws Exception {
        Path runs = out.resolve("runs/optimize-debate");
        if (!Files.isDirectory(runs)) {
            return new HashSet<>();
        }
        try (Stream<Path> dirs = Files.list(runs)) {
            return new HashSet<>(dirs.map(Path::toString).toList());
        }
    }
}
