package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run's plan: every (repeat, task, protocol) episode in that order, a large one (made on every core) too. */
class RunPlanTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {3, 2_500})
    void should_plan_every_repeat_task_and_protocol_in_order_with_the_ids_and_seeds_of_one_episode_at_a_time(int count)
            throws Exception {
        Scenario scenario = ScenarioLoader.parse("""
                name: plan
                environment: {type: arithmetic, count: %d, seed: 3}
                models: {policy: {model: sim}}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: critic, role: critic, model: policy}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 1}
                  - {name: revise, type: critique-revise, proposer: solver, critics: [critic], max-rounds: 1}
                run: {output: %s, repeats: 2, seed: 11}
                """.formatted(count, tmp), tmp.resolve("s.yaml"), List.of());
        Environment environment = Wiring.environment(scenario.environment(), Extensions.NONE);
        List<Protocol> protocols = Runner.protocols(scenario, Extensions.NONE);
        List<EpisodePlan> expected = new ArrayList<>();
        for (int repeat = 0; repeat < 2; repeat++) {
            for (Task task : environment.tasks()) {
                for (Protocol protocol : protocols) {
                    expected.add(EpisodePlan.of(task, protocol, repeat, 11));
                }
            }
        }

        List<EpisodePlan> plans = Runner.plans(scenario, environment, Extensions.NONE);

        assertThat(plans).hasSize(count * 4);
        assertThat(plans).extracting(EpisodePlan::id).containsExactlyElementsOf(expected.stream().map(EpisodePlan::id)
                .toList());
        assertThat(plans).extracting(EpisodePlan::seed).containsExactlyElementsOf(expected.stream()
                .map(EpisodePlan::seed).toList());
        assertThat(plans.get(1).id()).isEqualTo("revise/arith-0001/r0");
        assertThat(plans.get(count * 2).id()).isEqualTo("reflexion/arith-0001/r1");
    }
}
