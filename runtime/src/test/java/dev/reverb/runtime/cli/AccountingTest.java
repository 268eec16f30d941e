package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.environments.Task;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.ScenarioLoader;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Honest accounting and pre-flight through the real CLI against a real OpenAI-compatible server on
 * loopback: a server that is down or does not serve the model stops the run at once (exit 4);
 * failed episodes are recorded with their partial trajectory, counted in the denominators, and
 * finished by {@code --resume}.
 */
class AccountingTest {

    @TempDir
    Path tmp;

    private Path scenario(String baseUrl, String model, int tasks) throws Exception {
        return Files.writeString(tmp.resolve("acct.yaml"), """
                name: acct
                environment: {type: arithmetic, count: %d, seed: 3}
                models:
                  policy: {model: %s, base-url: "%s", concurrency: 1, timeout: 10s, retries: 0}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 2}
                run: {concurrency: 1, seed: 1, output: "%s"}
                """.formatted(tasks, model, baseUrl, tmp.resolve("runs")));
    }

    @Test
    void should_exit_4_within_seconds_naming_the_url_when_the_server_is_down() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v1";
        long started = System.nanoTime();

        QuickstartTest.Cli cli = QuickstartTest.reverb("run", scenario(url, "qwen", 60).toString(), "--no-progress");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(cli.code()).as(cli.err()).isEqualTo(ReverbCli.COULD_NOT_START);
        assertThat(cli.err()).contains("model 'policy'").contains(url).contains("connection refused");
        assertThat(cli.err().lines().filter(l -> l.contains("connection refused"))).hasSize(1);
        assertThat(episodes()).isEmpty();
        // a run that could not start leaves no run folder behind
        assertThat(tmp.resolve("runs/acct")).satisfiesAnyOf(d -> assertThat(d).doesNotExist(), d -> assertThat(d).isEmptyDirectory());
    }

    @Test
    void should_exit_4_listing_what_the_server_serves_when_the_model_is_not_listed() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("The answer is 5.").listing("llama-3", "qwen-7b")) {
            QuickstartTest.Cli cli = QuickstartTest.reverb("run", scenario(server.baseUrl(), "qwen", 4).toString(),
                    "--no-progress");

            assertThat(cli.code()).as(cli.err()).isEqualTo(ReverbCli.COULD_NOT_START);
            assertThat(cli.err()).contains("model 'qwen' not served at " + server.baseUrl()
                    + "; the server lists: llama-3, qwen-7b");
            assertThat(server.calls()).isZero();
        }
    }

    @Test
    void should_record_failed_episodes_with_their_partial_trajectory_and_finish_them_on_resume() throws Exception {
        Path file = scenario("http://127.0.0.1:1/v1", "qwen", 6);
        List<Task> tasks = Wiring.environment(ScenarioLoader.load(file, List.of()).environment(), Extensions.NONE)
                .tasks();
        List<Task> failing = tasks.subList(3, 6); // wrong at first, and the retry of the answer fails
        AtomicBoolean down = new AtomicBoolean(true);
        Map<String, AtomicInteger> callsPerTask = new ConcurrentHashMap<>();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(request -> {
            Task task = tasks.stream().filter(t -> request.toString().contains(t.question().substring(0, 40)))
                    .findFirst().orElseThrow();
            int call = callsPerTask.computeIfAbsent(task.id(), id -> new AtomicInteger()).incrementAndGet();
            if (!failing.contains(task)) {
                return FakeOpenAiServer.Reply.text("The answer is " + task.referenceAnswer() + ".");
            }
            return down.get() && call == 3 ? FakeOpenAiServer.Reply.status(500)
                    : FakeOpenAiServer.Reply.text("The answer is -1.");
        }).listing("qwen").servedAs("Qwen2.5-7B-Instruct")) {
            file = scenario(server.baseUrl(), "qwen", 6);

            QuickstartTest.Cli first = QuickstartTest.reverb("run", file.toString(), "--no-progress");

            assertThat(first.code()).as(first.out() + first.err()).isEqualTo(ReverbCli.EPISODES_FAILED);
            Path run = onlyRun();
            List<JsonNode> lines = episodes();
            assertThat(lines).hasSize(6);
            List<JsonNode> failed = lines.stream().filter(l -> l.path("status").asText().equals("failed")).toList();
            assertThat(failed).extracting(l -> l.path("task").asText())
                    .containsExactlyInAnyOrderElementsOf(failing.stream().map(Task::id).toList());
            assertThat(failed).allSatisfy(l -> {
                assertThat(l.path("error").asText()).contains("failed after 1 try").contains("500");
                assertThat(l.path("per_round")).hasSize(1);
                assertThat(l.path("per_round").get(0).path("answer").asText()).isEqualTo("-1");
                assertThat(l.path("messages")).hasSize(2); // the first answer and its reflection
                assertThat(l.path("model_calls").asInt()).isEqualTo(2);
            });
            JsonNode summary = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
            JsonNode p = summary.path("protocols").path("reflexion");
            assertThat(p.path("planned").asInt()).isEqualTo(6);
            assertThat(p.path("episodes").asInt()).isEqualTo(3);
            assertThat(p.path("failed").asInt()).isEqualTo(3);
            assertThat(p.path("accuracy").asDouble()).isEqualTo(1.0);
            assertThat(p.path("accuracy_denominator").asInt()).isEqualTo(3);
            assertThat(p.path("accuracy_over_planned").asDouble()).isEqualTo(0.5);
            assertThat(p.path("accuracy_over_planned_denominator").asInt()).isEqualTo(6);
            assertThat(p.path("ci95_over_planned").get(1).asDouble()).isLessThan(p.path("ci95").get(1).asDouble());
            assertThat(first.out()).contains("3/6").contains("1.000 [").contains("0.500 [");
            assertThat(summary.path("models").path("policy").path("identity").asText())
                    .isEqualTo("Qwen2.5-7B-Instruct");
            List<JsonNode> failedCalls = trace(run).stream()
                    .filter(t -> t.path("type").asText().equals("model_call") && !t.path("error").isNull()).toList();
            assertThat(failedCalls).hasSize(3).allSatisfy(c -> {
                assertThat(c.path("tries")).hasSize(c.path("attempts").asInt());
                assertThat(c.path("tries").get(0).path("error").asText()).contains("500");
            });

            down.set(false);
            QuickstartTest.Cli resumed = QuickstartTest.reverb("run", "--resume", run.toString(), "--no-progress");

            assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
            List<JsonNode> latest = dev.reverb.runtime.run.RunFolder.latest(episodes());
            assertThat(latest).hasSize(6).allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("finished"));
            JsonNode after = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
            JsonNode q = after.path("protocols").path("reflexion");
            assertThat(q.path("planned").asInt()).isEqualTo(6);
            assertThat(q.path("episodes").asInt()).isEqualTo(6);
            assertThat(q.path("failed").asInt()).isZero();
            assertThat(q.path("correct").asInt()).isEqualTo(3);
            assertThat(q.path("accuracy_over_planned").asDouble()).isEqualTo(0.5);
            List<Double> sessions = new ArrayList<>();
            after.path("session_wall_times_s").forEach(t -> sessions.add(t.asDouble()));
            assertThat(sessions).hasSize(2).allSatisfy(t -> assertThat(t).isPositive());
            assertThat(after.path("wall_time_s").asDouble())
                    .isCloseTo(sessions.get(0) + sessions.get(1), org.assertj.core.data.Offset.offset(0.01));
            assertThat(trace(run)).filteredOn(t -> t.path("type").asText().equals("model_call"))
                    .allSatisfy(t -> assertThat(t.path("identity").asText()).isEqualTo("Qwen2.5-7B-Instruct"));
        }
    }

    private Path onlyRun() throws Exception {
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/acct"))) {
            return runs.toList().get(0);
        }
    }

    private List<JsonNode> episodes() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        if (!Files.isDirectory(tmp.resolve("runs/acct"))) {
            return lines;
        }
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/acct"))) {
            if (runs.findAny().isEmpty()) {
                return lines;
            }
        }
        Path file = onlyRun().resolve("episodes.jsonl");
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                lines.add(Json.MAPPER.readTree(line));
            }
        }
        return lines;
    }

    private static List<JsonNode> trace(Path run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("trace.jsonl"))) {
            lines.add(Json.MAPPER.readTree(line));
        }
        return lines;
    }
}
