package dev.reverb.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An episode whose trace is larger than Artery's frame size (4 MiB) still travels from a worker to the
 * seed: two cluster nodes in this JVM (separate actor systems, real Artery TCP on 127.0.0.1); the worker's
 * model writes half a million random characters per call, so one Reflexion episode's prompts and outputs come
 * to several MiB even after Akka's gzip of large messages, while its result (the agents' messages) stays under
 * the frame. (Sent in one message, as before trace parts, the result is dropped by Artery and the run never ends.)
 */
class ClusterBigTraceTest {

    private static final int FRAME = 4 * 1024 * 1024;

    private static final String SCENARIO = """
            name: big-trace
            environment: {type: arithmetic, count: 4, seed: 3}
            models:
              policy: {model: stand-in, timeout: 60s}
            agents:
              - {name: solver, role: solver, model: policy}
              - {name: reflector, role: reflector, model: policy}
            protocols:
              - {name: reflexion, type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
            memory: {reflections: true}
            run: {concurrency: 1, seed: 5}
            """;

    @TempDir
    Path dir;

    /**
     * Answers {@code chars} characters of working and then a (mostly wrong) answer, after {@code delayMs}. The
     * working is random (base64), so that Akka's gzip of large messages cannot shrink it below the frame size.
     */
    private record Verbose(String working, long delayMs) implements ModelBackend {
        Verbose(int chars, long delayMs) {
            this(working(chars), delayMs);
        }

        private static String working(int chars) {
            byte[] bytes = new byte[chars * 3 / 4];
            new Random(chars).nextBytes(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }

        @Override
        public String name() {
            return "verbose";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            int chars = working.length();
            String text = working + " The answer is 1.";
            return CompletableFuture.supplyAsync(() -> new Generation(Collections.nCopies(request.n(), text), 10,
                    chars / 4, "verbose", false), CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void should_record_an_episode_whose_trace_exceeds_the_frame_size_when_a_worker_ran_it() throws Exception {
        int[] ports = new int[2];
        for (int i = 0; i < 2; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                ports[i] = s.getLocalPort();
            }
        }
        Path file = Files.writeString(dir.resolve("big-trace.yaml"), SCENARIO);
        Scenario scenario = ScenarioLoader.load(file, List.of("run.output=" + dir.resolve("runs")));
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.Options quiet = new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null);
        String seedAt = "127.0.0.1:" + ports[0];
        // the worker first (it keeps trying to join), its model fast and verbose; the seed's slow and brief
        CompletableFuture<String> worker = CompletableFuture.supplyAsync(() -> {
            try {
                return ClusterNode.run(seedAt, "127.0.0.1", ports[1], List.of(),
                        quiet.withBackend("policy", new Verbose(500_000, 10)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Runner.Result result = CompletableFuture.supplyAsync(() -> {
            try {
                return Runner.run(scenario, folder, quiet.withBackend("policy", new Verbose(10, 1500)),
                        new ClusterSeed("127.0.0.1", ports[0], new Coordinator.Run(Files.readString(folder.scenario()),
                                folder.scenario().toString(), folder.dir().getFileName().toString())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(180, TimeUnit.SECONDS);
        assertThat(worker.get(60, TimeUnit.SECONDS)).isNull();
        assertThat(result.failed()).isZero();

        Map<String, String> nodeOf = new HashMap<>();
        for (JsonNode line : folder.episodeRecords()) {
            assertThat(nodeOf.put(line.get("episode").asText(), line.path("node").asText())).isNull();
        }
        assertThat(nodeOf).hasSize(4);
        String workerNode = "127.0.0.1:" + ports[1];
        assertThat(nodeOf).containsValue(workerNode);
        Map<String, Long> traceBytes = new HashMap<>();
        try (BufferedReader lines = Files.newBufferedReader(folder.trace(), StandardCharsets.UTF_8)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String episode = Json.MAPPER.readTree(line).path("episode_id").asText();
                traceBytes.merge(episode, (long) line.length() + 1, Long::sum);
            }
        }
        nodeOf.forEach((episode, node) -> {
            if (node.equals(workerNode)) {
                assertThat(traceBytes.get(episode)).as("the trace of %s, run on the worker", episode)
                        .isGreaterThan(FRAME);
            }
        });
    }
}
