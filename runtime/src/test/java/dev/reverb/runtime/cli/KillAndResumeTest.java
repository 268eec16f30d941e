package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code reverb run} subprocess talking to a real (slow) OpenAI-compatible server on
 * loopback is killed hard part-way; {@code reverb run --resume} then finishes the run. Every
 * episode must be in {@code episodes.jsonl} exactly once, and the lines written before the kill
 * must be kept as they were.
 */
class KillAndResumeTest {

    private static final int TASKS = 30;

    @TempDir
    Path tmp;

    @Test
    void should_record_every_episode_exactly_once_when_a_killed_run_is_resumed() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                request -> FakeOpenAiServer.Reply.stall(40, "Step 1: 2 + 3 = 5.\nThe answer is 5."))) {
            Path scenario = tmp.resolve("slow.yaml");
            Files.writeString(scenario, """
                    name: slow
                    environment: {type: arithmetic, count: %d, seed: 3}
                    models:
                      policy: {model: scripted, base-url: "%s", concurrency: 2, timeout: 10s, retries: 1}
                    agents:
                      - {name: solver, role: solver, model: policy}
                      - {name: reflector, role: reflector, model: policy}
                    protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 2}
                    run: {concurrency: 2, seed: 1, output: "%s"}
                    """.formatted(TASKS, server.baseUrl(), tmp.resolve("runs")));

            Process child = new ProcessBuilder(javaCommand(), "-cp", System.getProperty("java.class.path"),
                    ReverbCli.class.getName(), "run", scenario.toString(), "--no-progress")
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
            Path episodes = waitForEpisodes(child, 4);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> beforeKill = complete(Files.readString(episodes));
            assertThat(beforeKill).as("killed part-way").hasSizeBetween(4, TASKS - 1);

            QuickstartTest.Cli resumed = QuickstartTest.reverb("run", "--resume", episodes.getParent().toString(),
                    "--no-progress");

            assertThat(resumed.code()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("Resuming");
            List<String> after = Files.readAllLines(episodes);
            assertThat(after).startsWith(beforeKill.toArray(String[]::new));
            List<String> ids = new ArrayList<>();
            for (String line : after) {
                JsonNode e = dev.reverb.runtime.run.Json.MAPPER.readTree(line);
                ids.add(e.path("episode").asText());
            }
            assertThat(ids).hasSize(TASKS).doesNotHaveDuplicates();
            assertThat(episodes.resolveSibling("summary.json")).isNotEmptyFile();
        }
    }

    private static List<String> complete(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        lines.remove(lines.size() - 1); // the part after the last newline is torn or empty
        return lines;
    }

    private Path waitForEpisodes(Process child, int atLeast) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Path runs = tmp.resolve("runs/slow");
            if (Files.isDirectory(runs)) {
                try (Stream<Path> dirs = Files.list(runs)) {
                    for (Path dir : dirs.toList()) {
                        Path episodes = dir.resolve("episodes.jsonl");
                        if (Files.exists(episodes) && Files.readAllLines(episodes).size() >= atLeast) {
                            return episodes;
                        }
                    }
                }
            }
            if (!child.isAlive()) {
                throw new AssertionError("the run ended before it could be killed:\n"
                        + Files.readString(tmp.resolve("child.log")));
            }
            Thread.sleep(20);
        }
        child.destroyForcibly();
        throw new AssertionError("no episodes after 60 s:\n" + Files.readString(tmp.resolve("child.log")));
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
