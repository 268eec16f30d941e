package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run.tasks} restricts a run to a list of task ids. */
class RunTasksTest {

    @TempDir
    Path tmp;

    private Scenario scenario(String tasks) throws Exception {
        return ScenarioLoader.parse("""
                name: some-tasks
                environment: {type: arithmetic, count: 10, seed: 1}
                models: {policy: {model: sim}}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: reflector, max-trials: 1}
                run: {output: %s, tasks: %s}
                """.formatted(tmp, tasks), tmp.resolve("s.yaml"), List.of());
    }

    @Test
    void should_run_only_the_named_tasks_when_run_tasks_is_set() throws Exception {
        Scenario s = scenario("[arith-0003, arith-0007]");
        RunFolder folder = RunFolder.create(s.run().output(), s.name(), s.resolvedYaml());

        Runner.run(s, folder, new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null));

        assertThat(folder.episodeRecords()).extracting(e -> e.path("task").asText())
                .containsExactlyInAnyOrder("arith-0003", "arith-0007");
        assertThat(ScenarioLoader.parse(s.resolvedYaml(), tmp.resolve("s.yaml"), List.of()).run().tasks())
                .containsExactly("arith-0003", "arith-0007");
    }

    @Test
    void should_stop_before_running_when_run_tasks_names_a_task_the_environment_lacks() throws Exception {
        Scenario s = scenario("[arith-0003, nope]");
        RunFolder folder = RunFolder.create(s.run().output(), s.name(), s.resolvedYaml());

        assertThatThrownBy(() -> Runner.run(s, folder, new Runner.Options(false, new PrintWriter(new StringWriter()),
                k -> null))).hasMessageContaining("run.tasks").hasMessageContaining("nope");
        assertThat(folder.episodeRecords()).isEmpty();
    }

    @Test
    void should_stop_the_actor_system_it_began_starting_when_the_run_cannot_start() throws Exception {
        Scenario s = scenario("[nope]");
        RunFolder folder = RunFolder.create(s.run().output(), s.name(), s.resolvedYaml());
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();

        assertThatThrownBy(() -> Runner.run(s, folder, new Runner.Options(false, new PrintWriter(new StringWriter()),
                k -> null))).hasMessageContaining("nope");

        // the run's system (named "reverb") started alongside the planning that failed; none of its threads is left
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                    .map(Thread::getName).filter(n -> n.startsWith("reverb-")).toList();
        } while (!left.isEmpty() && System.nanoTime() < deadline && sleep());
        assertThat(left).isEmpty();
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(50);
        return true;
    }
}
