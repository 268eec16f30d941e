package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.runtime.backend.OpenAiBackend;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that passed its pre-flight check and then went down: every episode fails with the same
 * cause, which names the URL and says "connection refused", is printed once, and every planned
 * episode is still accounted for (recorded as failed, counted wrong over the planned ones).
 */
class ModelDownMidRunTest {

    @TempDir
    Path tmp;

    /** A real HTTP backend at a closed port whose pre-flight check passed (the server went down after). */
    static final class WentDown implements ModelBackend {
        final OpenAiBackend http;

        WentDown(String url) {
            http = new OpenAiBackend(url, "qwen", null, Duration.ofSeconds(5), 2);
        }

        @Override
        public String name() {
            return http.name();
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            return http.generate(request);
        }

        @Override
        public boolean isRetryable(Throwable error) {
            return http.isRetryable(error);
        }
    }

    @Test
    void should_print_the_cause_once_with_the_url_when_every_episode_fails_alike() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v1";
        Path file = Files.writeString(tmp.resolve("down.yaml"), """
                name: down
                environment: {type: arithmetic, count: 6, seed: 1}
                models:
                  m: {model: qwen, base-url: "%s", retries: 1}
                agents:
                  - {name: solver, role: solver, model: m}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 2}
                run: {concurrency: 2}
                """.formatted(url));
        Scenario scenario = ScenarioLoader.load(file, List.of("run.output=" + tmp.resolve("runs")));
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        StringWriter console = new StringWriter();
        WentDown backend = new WentDown(url);
        try {
            Runner.Result result = Runner.run(scenario, folder,
                    new Runner.Options(false, new PrintWriter(console, true), name -> null).withBackend("m", backend));

            assertThat(result.failed()).isEqualTo(6);
            assertThat(result.allFailedAlike()).isTrue();
            String cause = result.causes().keySet().iterator().next();
            assertThat(cause).isEqualTo("agent 'solver': model 'qwen' failed after 2 tries: connection refused: " + url
                    + " (is the server running?)");
            assertThat(console.toString().lines().filter(l -> l.contains("connection refused"))).hasSize(1);
            List<JsonNode> records = folder.episodeRecords();
            assertThat(records).hasSize(6).allSatisfy(r -> {
                assertThat(r.path("status").asText()).isEqualTo("failed");
                assertThat(r.path("error").asText()).isEqualTo(cause);
            });
            Summary.ProtocolStats stats = result.summary().protocols().get(0);
            assertThat(stats.planned()).isEqualTo(6);
            assertThat(stats.episodes()).isZero();
            assertThat(stats.failed()).isEqualTo(6);
            assertThat(stats.accuracyOverPlanned()).isZero();
            assertThat(result.summary().failures()).containsExactly(java.util.Map.entry(cause, 6));
            assertThat(result.summary().table()).contains("6 x " + cause).contains("0/6");
        } finally {
            backend.http.close();
        }
    }
}
