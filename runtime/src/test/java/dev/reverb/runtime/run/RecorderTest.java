package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.protocol.Debate;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.environments.Task;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderTest {

    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Path ROOT = Path.of(System.getProperty("reverb.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void should_write_only_whole_lines_and_tell_of_each_episode_once_its_line_is_on_disk_when_many_messages_wait()
            throws Exception {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        List<Task> tasks = MathEnvironment.arithmetic(3, 40, 2, 3).tasks();
        Debate debate = new Debate("debate", List.of("a", "b"), 1, Debate.TieBreak.FIRST, null);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        RunListener listener = new RunListener() {
            @Override
            public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                try { // its line and the trace before it are on disk by now
                    if (!Files.readString(folder.episodes()).contains("\"episode\":\"" + plan.id() + "\"")
                            || !Files.readString(folder.trace()).contains("\"episode_id\":\"" + plan.id() + "\"")) {
                        problems.add(plan.id() + " heard before its lines were written");
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                heard.add(plan.id());
            }

            @Override
            public void allDone() {
                done.complete(null);
            }
        };
        ActorRef<Recorder.Command> recorder = KIT.spawn(Recorder.create(folder, true, listener));
        String longText = "x".repeat(Recorder.BATCH / 7) + "\n\"quoted\" é"; // some batches outgrow the limit
        for (Task task : tasks) {
            EpisodePlan plan = EpisodePlan.of(task, debate, 0, 1);
            for (int i = 0; i < 50; i++) {
                recorder.tell(new Recorder.Trace(new TraceEvent.ProtocolEvent(Instant.now(), plan.id(), "debate", i,
                        "vote", i % 10 == 0 ? longText : "[1, 2] -> 1")));
            }
            recorder.tell(new Recorder.Ended(plan, new EpisodeOutcome.Failed(plan.id(), "boom")));
        }
        recorder.tell(Recorder.AllDone.INSTANCE);
        done.get(30, TimeUnit.SECONDS);

        assertThat(problems).isEmpty();
        assertThat(heard).hasSize(tasks.size());
        List<JsonNode> trace = lines(folder.trace());
        assertThat(trace).hasSize(tasks.size() * 51); // 50 events and one episode_failed each
        assertThat(trace).filteredOn(line -> line.path("detail").asText().equals(longText)).hasSize(tasks.size() * 5);
        assertThat(lines(folder.episodes())).extracting(line -> line.path("episode").asText())
                .containsExactlyElementsOf(heard);
        assertThat(Files.readString(folder.trace())).endsWith("\n");
    }

    @Test
    void should_write_every_event_of_the_sink_in_each_emitters_order_when_many_threads_emit_at_once() throws Exception {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        CompletableFuture<Void> done = new CompletableFuture<>();
        RunListener listener = new RunListener() {
            @Override
            public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
            }

            @Override
            public void allDone() {
                done.complete(null);
            }
        };
        ActorRef<Recorder.Command> recorder = KIT.spawn(Recorder.create(folder, true, listener));
        dev.reverb.agents.trace.TraceSink sink = Recorder.sink(recorder);
        Task task = MathEnvironment.arithmetic(3, 1, 2, 3).tasks().get(0);
        EpisodePlan plan = EpisodePlan.of(task, new Debate("debate", List.of("a", "b"), 1, Debate.TieBreak.FIRST, null),
                0, 1);
        int threads = 8;
        int each = 2_000;
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String emitter = "t" + t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    sink.emit(new TraceEvent.ProtocolEvent(Instant.now(), plan.id(), emitter, i, "e", "x"));
                }
            });
            thread.start();
            emitters.add(thread);
        }
        for (Thread t : emitters) {
            t.join();
        }
        recorder.tell(new Recorder.Ended(plan, new EpisodeOutcome.Failed(plan.id(), "boom"))); // after every emit
        recorder.tell(Recorder.AllDone.INSTANCE);
        done.get(30, TimeUnit.SECONDS);

        List<JsonNode> trace = lines(folder.trace());
        assertThat(trace).hasSize(threads * each + 1);
        assertThat(trace.get(trace.size() - 1).path("type").asText()).isEqualTo("episode_failed");
        for (int t = 0; t < threads; t++) {
            String emitter = "t" + t;
            assertThat(trace).filteredOn(line -> line.path("protocol").asText().equals(emitter))
                    .extracting(line -> line.path("round").asInt())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, each).boxed().toList());
        }
    }

    /** Every line of a JSONL file, each parsed whole (a torn or merged line fails here). */
    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            parsed.add(Json.MAPPER.readTree(line));
        }
        return parsed;
    }

    @Test
    void should_write_no_trace_and_the_same_episodes_when_the_trace_is_off() throws Exception {
        Path on = run(tmp.resolve("on"), "true");
        Path off = run(tmp.resolve("off"), "false");

        assertThat(Files.exists(off.resolve(RunFolder.TRACE))).isFalse();
        assertThat(lines(on.resolve(RunFolder.TRACE))).isNotEmpty();
        assertThat(Files.readString(off.resolve(RunFolder.SCENARIO))).contains("trace: false");
        assertThat(Files.readString(on.resolve(RunFolder.SCENARIO))).doesNotContain("trace:");
        List<JsonNode> withTrace = withoutTimes(lines(on.resolve(RunFolder.EPISODES)));
        List<JsonNode> without = withoutTimes(lines(off.resolve(RunFolder.EPISODES)));
        assertThat(without).hasSize(8).containsExactlyInAnyOrderElementsOf(withTrace);
    }

    private static Path run(Path output, String trace) throws Exception {
        Scenario scenario = ScenarioLoader.load(ROOT.resolve("scenarios/quickstart.yaml"), List.of(
                "run.output=" + output, "run.trace=" + trace, "environment.count=4"));
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.run(scenario, folder, new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null));
        return folder.dir();
    }

    private static List<JsonNode> withoutTimes(List<JsonNode> lines) {
        lines.forEach(line -> ((ObjectNode) line).remove("latency_ms"));
        return lines;
    }
}
