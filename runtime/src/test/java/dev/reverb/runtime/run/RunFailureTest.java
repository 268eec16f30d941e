package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing part ends the run (or only its episode) within seconds; a resumed run finishes the rest. */
class RunFailureTest {

    @TempDir
    Path tmp;

    static final String SCENARIO = """
            name: failures
            environment: {type: arithmetic, count: 6, seed: 1}
            models:
              m: {model: stand-in, retries: 1, simulated: {accuracy: 1.0}}
            agents:
              - {name: solver, role: solver, model: m}
            protocols:
              - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 1}
            run: {concurrency: 1}
            """;

    /** Always answers 42; while {@code crashes} is positive a call fails in a way that makes the gateway throw. */
    static final class Backend implements ModelBackend {
        final AtomicInteger crashes = new AtomicInteger();

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            if (crashes.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(new RuntimeException("connection reset"));
            }
            return CompletableFuture.completedFuture(new Generation(Collections.nCopies(request.n(), "The answer is 42."),
                    10, 5, "scripted", false));
        }

        @Override
        public boolean isRetryable(Throwable error) {
            throw new IllegalStateException("retry policy bug");
        }
    }

    Scenario scenario() throws Exception {
        Path file = Files.writeString(tmp.resolve("failures.yaml"), SCENARIO);
        return ScenarioLoader.load(file, List.of("run.output=" + tmp.resolve("runs")));
    }

    static Runner.Options options(Backend backend) {
        return new Runner.Options(false, new PrintWriter(new StringWriter()), name -> null).withBackend("m", backend);
    }

    static List<String> ids(RunFolder folder) {
        return folder.episodeRecords().stream().map(r -> r.path("episode").asText()).toList();
    }

    @Test
    void should_end_the_run_at_once_with_the_recorder_failure_and_resume_the_rest_when_the_recorder_throws()
            throws Exception {
        Scenario scenario = scenario();
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        AtomicInteger heard = new AtomicInteger();
        RunListener failing = new RunListener() {
            @Override
            public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                if (heard.incrementAndGet() == 3) {
                    throw new IllegalStateException("disk quota exceeded");
                }
            }

            @Override
            public void allDone() {
            }
        };
        long started = System.nanoTime();
        assertThatThrownBy(() -> Runner.run(scenario, folder, options(new Backend()).withListener(failing)))
                .isInstanceOf(Runner.RunFailed.class)
                .hasMessage("recorder failed: disk quota exceeded");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        List<String> before = ids(folder);
        assertThat(before).hasSize(3); // each line is on disk before the listener hears of it

        Runner.Result resumed = Runner.run(scenario, RunFolder.open(folder.dir()), options(new Backend()));

        assertThat(resumed.failed()).isZero();
        List<String> after = ids(folder);
        assertThat(after).hasSize(6).doesNotHaveDuplicates().startsWith(before.toArray(String[]::new));
    }

    @Test
    void should_fail_only_the_episode_in_flight_and_resume_it_when_a_gateway_crashes() throws Exception {
        Scenario scenario = scenario();
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Backend backend = new Backend();
        backend.crashes.set(1);
        long started = System.nanoTime();

        Runner.Result first = Runner.run(scenario, folder, options(backend));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(first.failed()).isEqualTo(1);
        assertThat(ids(folder)).hasSize(6); // 5 finished, 1 recorded as failed
        assertThat(folder.finishedEpisodes()).hasSize(5);
        List<String> failures = Files.readAllLines(folder.trace()).stream()
                .filter(l -> l.contains("\"episode_failed\"")).toList();
        assertThat(failures).singleElement().asString()
                .contains("model 'scripted' gateway failed (retry policy bug); the call was not completed");

        Runner.Result resumed = Runner.run(scenario, RunFolder.open(folder.dir()), options(backend));

        assertThat(resumed.failed()).isZero();
        assertThat(ids(folder)).hasSize(7); // the failed line stays, superseded by the finished one
        assertThat(folder.latestRecords()).hasSize(6).extracting(r -> r.path("answer").asText()).containsOnly("42");
        assertThat(resumed.summary().protocols().get(0).episodes()).isEqualTo(6);
        assertThat(resumed.summary().protocols().get(0).failed()).isZero();
    }
}
