package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's summary comes from the rows kept as its lines are written (and those read once on resume),
 * not from reading {@code episodes.jsonl} back: it must say exactly what the lines on disk say.
 */
class SummaryRowsTest {

    @TempDir
    Path tmp;

    static final String SCENARIO = """
            name: rows
            environment: {type: arithmetic, count: 5, seed: 3}
            models:
              m: {model: stand-in, retries: 1, simulated: {accuracy: 1.0}}
            agents:
              - {name: solver, role: solver, model: m}
            protocols:
              - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 2}
              - {name: single, type: reflexion, solver: solver, reflector: solver, max-trials: 1}
            run: {concurrency: 1, repeats: 2}
            """;

    /** The summary of the lines on disk, with what {@code result}'s summary took from the run itself. */
    private static Summary fromDisk(RunFolder folder, Runner.Result result) {
        Summary s = result.summary();
        Map<String, Integer> planned = new java.util.LinkedHashMap<>();
        s.protocols().forEach(p -> planned.put(p.protocol(), p.planned()));
        return Summary.of(s.scenario(), s.runId(), folder.rows(), folder.sessionWallTimes(), result.failed(),
                List.copyOf(planned.keySet()), planned, s.models());
    }

    @Test
    void should_equal_the_summary_of_the_lines_on_disk_when_episodes_fail_and_the_run_resumes() throws Exception {
        Scenario scenario = ScenarioLoader.load(Files.writeString(tmp.resolve("rows.yaml"), SCENARIO),
                List.of("run.output=" + tmp.resolve("runs")));
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        RunFailureTest.Backend backend = new RunFailureTest.Backend();
        // a first session dies after 5 lines (the recorder fails), 2 of them failed episodes
        AtomicInteger heard = new AtomicInteger();
        RunListener dying = new RunListener() {
            @Override
            public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                if (heard.incrementAndGet() == 5) {
                    throw new IllegalStateException("killed");
                }
            }

            @Override
            public void allDone() {
            }
        };
        backend.crashes.set(2);
        assertThatThrownBy(() -> Runner.run(scenario, folder, RunFailureTest.options(backend).withListener(dying)))
                .isInstanceOf(Runner.RunFailed.class);
        assertThat(folder.rows()).hasSize(5);

        // the next one resumes (its earlier rows read from disk) and has 2 episodes fail
        backend.crashes.set(2);
        Runner.Result second = Runner.run(scenario, RunFolder.open(folder.dir()), RunFailureTest.options(backend));

        assertThat(second.failed()).isEqualTo(2);
        assertThat(second.summary().toJson()).isEqualTo(fromDisk(folder, second).toJson());
        assertThat(second.summary().table()).isEqualTo(fromDisk(folder, second).table());
        assertThat(second.summary().failures().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(second.summary().protocols().stream().mapToInt(Summary.ProtocolStats::failed).sum());

        Runner.Result last = Runner.run(scenario, RunFolder.open(folder.dir()), RunFailureTest.options(backend));

        assertThat(last.failed()).isZero();
        assertThat(last.summary().toJson()).isEqualTo(fromDisk(folder, last).toJson());
        assertThat(last.summary().table()).isEqualTo(fromDisk(folder, last).table());
        assertThat(last.summary().protocols()).allSatisfy(p -> {
            assertThat(p.planned()).isEqualTo(10);
            assertThat(p.episodes()).isEqualTo(10); // each planned episode counted once
            assertThat(p.failed()).isZero();
            assertThat(p.passAtK()).isNotEmpty(); // every task ran twice
        });
        assertThat(RunFolder.finished(folder.rows())).hasSize(20);
        var written = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(folder.summary().toFile());
        assertThat(written.remove("warnings")).isEmpty(); // the environment's warnings: none here
        assertThat(written.toString()).isEqualTo(last.summary().toJson().toString());
    }

    @Test
    void should_run_and_count_each_episode_once_when_more_start_at_once_than_one_admission_batch() throws Exception {
        int episodes = Experiment.ADMIT_BATCH * 2 + 100;
        Scenario scenario = ScenarioLoader.load(Files.writeString(tmp.resolve("many.yaml"), """
                name: many
                environment: {type: arithmetic, count: %d, seed: 3}
                models:
                  m: {model: stand-in, concurrency: 64, simulated: {accuracy: 0.5, latency: 1ms}}
                agents:
                  - {name: solver, role: solver, model: m}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 1}
                run: {concurrency: %d, trace: false}
                """.formatted(episodes, episodes)), List.of("run.output=" + tmp.resolve("runs")));
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());

        Runner.Result result = Runner.run(scenario, folder,
                new Runner.Options(false, new java.io.PrintWriter(new java.io.StringWriter()), name -> null));

        assertThat(folder.rows()).hasSize(episodes).extracting(r -> r.id()).doesNotHaveDuplicates();
        assertThat(result.summary().protocols().get(0).episodes()).isEqualTo(episodes);
        assertThat(result.summary().toJson()).isEqualTo(fromDisk(folder, result).toJson());
    }
}
