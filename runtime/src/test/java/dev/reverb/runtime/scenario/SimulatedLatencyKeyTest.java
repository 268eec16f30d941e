package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated stand-in's {@code latency:} key, and a run concurrency of 100,000 episodes. */
class SimulatedLatencyKeyTest {

    @TempDir
    Path tmp;

    private Scenario parse(String simulated, String concurrency) throws Exception {
        return ScenarioLoader.parse("""
                name: keys
                environment: {type: arithmetic, count: 2}
                models:
                  m: {model: stand-in, simulated: {accuracy: 0.5%s}}
                agents:
                  - {name: solver, role: solver, model: m}
                protocol: {type: reflexion, solver: solver, reflector: solver, max-trials: 1}
                run: {concurrency: %s}
                """.formatted(simulated, concurrency), tmp.resolve("s.yaml"), List.of());
    }

    @Test
    void should_answer_at_once_and_write_no_latency_back_when_the_key_is_absent() throws Exception {
        Scenario s = parse("", "4");
        assertThat(s.models().get("m").simulated().latency()).isZero();
        assertThat(s.resolvedYaml()).doesNotContain("latency:");
    }

    @Test
    void should_read_the_latency_and_write_it_back_when_it_is_given() throws Exception {
        Scenario s = parse(", latency: 200ms", "100000");
        assertThat(s.models().get("m").simulated().latency()).isEqualTo(Duration.ofMillis(200));
        assertThat(s.run().concurrency()).isEqualTo(100_000);
        Scenario again = ScenarioLoader.parse(s.resolvedYaml(), tmp.resolve("r.yaml"), List.of());
        assertThat(again.models().get("m").simulated().latency()).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void should_reject_a_latency_that_is_not_a_duration_when_loading() {
        assertThatThrownBy(() -> parse(", latency: soon", "4")).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("latency");
    }
}
