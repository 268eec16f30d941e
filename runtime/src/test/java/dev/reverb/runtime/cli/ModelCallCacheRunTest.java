package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cache: read-write} against a real OpenAI-compatible server on loopback: a rerun of a
 * finished scenario makes no model call and writes the same episodes (timing fields aside).
 */
class ModelCallCacheRunTest {

    @TempDir
    Path tmp;

    /** Answers from the request: the same question gets the same answer, different ones differ. */
    static FakeOpenAiServer server() {
        return FakeOpenAiServer.start(request -> {
            String prompt = request.path("messages").toString();
            int guess = Math.floorMod(prompt.hashCode(), 7);
            return FakeOpenAiServer.Reply.text("Step 1: I add the numbers.\nThe answer is " + guess + ".");
        });
    }

    Path scenario(FakeOpenAiServer server, String cache) throws IOException {
        Path file = tmp.resolve("cached.yaml");
        Files.writeString(file, """
                name: cached
                environment: {type: arithmetic, count: 8, seed: 5}
                models:
                  policy: {model: scripted, base-url: "%s", timeout: 10s, retries: 1, cache: %s, cache-dir: "%s"}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
                run: {concurrency: 3, seed: 2, output: "%s"}
                """.formatted(server.baseUrl(), cache, tmp.resolve("cache"), tmp.resolve("runs")));
        return file;
    }

    List<Path> runs() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("runs/cached"))) {
            return s.sorted().toList();
        }
    }

    @Test
    void should_make_no_model_call_and_write_the_same_episodes_when_a_finished_scenario_is_rerun_with_the_cache()
            throws Exception {
        try (FakeOpenAiServer server = server()) {
            Path scenario = scenario(server, "read-write");
            QuickstartTest.Cli first = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");
            assertThat(first.code()).as(first.err()).isZero();
            int calls = server.calls();
            assertThat(calls).isGreaterThan(8);

            QuickstartTest.Cli second = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");

            assertThat(second.code()).as(second.err()).isZero();
            assertThat(server.calls()).as("model calls in the rerun").isEqualTo(calls);
            List<Path> runs = runs();
            assertThat(runs).hasSize(2);
            Map<String, JsonNode> before = ReplayCommand.episodes(runs.get(0).resolve("episodes.jsonl"));
            Map<String, JsonNode> after = ReplayCommand.episodes(runs.get(1).resolve("episodes.jsonl"));
            assertThat(before).hasSize(8);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            before.forEach((id, line) -> assertThat(ReplayCommand.difference(line, after.get(id), "")).as(id).isEmpty());
            // the resolved scenario keeps the cache settings, so a resumed run uses the cache too
            assertThat(Files.readString(runs.get(1).resolve("scenario.resolved.yaml")))
                    .contains("cache: read-write").contains("cache-dir: " + tmp.resolve("cache"));
        }
    }

    @Test
    void should_call_the_model_and_store_nothing_when_the_cache_is_read_only_and_empty() throws Exception {
        try (FakeOpenAiServer server = server()) {
            Path scenario = scenario(server, "read");
            QuickstartTest.Cli first = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");
            assertThat(first.code()).as(first.err()).isZero();
            int calls = server.calls();
            QuickstartTest.Cli second = QuickstartTest.reverb("run", scenario.toString(), "--no-progress");
            assertThat(second.code()).as(second.err()).isZero();

            assertThat(server.calls()).isEqualTo(2 * calls);
            assertThat(tmp.resolve("cache")).doesNotExist();
        }
    }
}
