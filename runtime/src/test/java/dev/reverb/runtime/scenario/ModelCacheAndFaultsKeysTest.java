package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cache:}, {@code cache-dir:} and {@code faults:} keys of a model. */
class ModelCacheAndFaultsKeysTest {

    @TempDir
    Path tmp;

    private static String scenario(String modelExtra) {
        return """
                name: keys
                environment: {type: arithmetic, count: 2}
                models:
                  m: {model: stand-in%s}
                agents:
                  - {name: solver, role: solver, model: m}
                protocol: {type: reflexion, solver: solver, reflector: solver, max-trials: 1}
                run: {output: runs-here}
                """.formatted(modelExtra);
    }

    private Scenario.ModelConfig model(String extra, String... overrides) throws Exception {
        return ScenarioLoader.parse(scenario(extra), tmp.resolve("s.yaml"), List.of(overrides)).models().get("m");
    }

    private List<String> problems(String extra) {
        try {
            ScenarioLoader.parse(scenario(extra), tmp.resolve("s.yaml"), List.of());
        } catch (ScenarioException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected problems");
    }

    @Test
    void should_leave_the_cache_off_and_inject_no_fault_when_the_keys_are_absent() throws Exception {
        Scenario.ModelConfig m = model("");
        assertThat(m.cache()).isEqualTo(Scenario.CacheConfig.OFF);
        assertThat(m.faults()).isNull();
    }

    @Test
    void should_put_the_cache_in_the_run_output_folder_when_no_cache_dir_is_given() throws Exception {
        Scenario.ModelConfig m = model(", cache: read-write");
        assertThat(m.cache().mode()).isEqualTo(Scenario.CacheConfig.Mode.READ_WRITE);
        assertThat(m.cache().folder()).isEqualTo(Path.of("runs-here/.reverb-cache").toAbsolutePath().normalize());
        assertThat(model(", cache: read, cache-dir: elsewhere").cache().folder())
                .isEqualTo(Path.of("elsewhere").toAbsolutePath().normalize());
        assertThat(model("", "models.m.cache=read").cache().mode()).isEqualTo(Scenario.CacheConfig.Mode.READ);
    }

    @Test
    void should_read_the_fault_rates_and_keep_them_in_the_resolved_scenario_when_faults_are_set() throws Exception {
        String extra = ", cache: read-write, faults: {error-rate: 0.2, timeout-rate: 0.05, malformed-rate: 0.05, seed: 7}";
        Scenario s = ScenarioLoader.parse(scenario(extra), tmp.resolve("s.yaml"), List.of());
        assertThat(s.models().get("m").faults()).isEqualTo(new Scenario.FaultConfig(0.2, 0.05, 0.05, 7));

        Path resolved = tmp.resolve("resolved.yaml");
        Files.writeString(resolved, s.resolvedYaml());
        Scenario again = ScenarioLoader.load(resolved, List.of());
        assertThat(again.models().get("m").faults()).isEqualTo(s.models().get("m").faults());
        assertThat(again.models().get("m").cache()).isEqualTo(s.models().get("m").cache());
    }

    @Test
    void should_report_each_bad_key_at_its_place_when_the_values_are_wrong() {
        assertThat(problems(", cache: sometimes")).anyMatch(p -> p.contains("/models/m/cache") || p.contains("cache"));
        assertThat(problems(", faults: {error-rate: 1.5}")).anyMatch(p -> p.contains("error-rate"));
        assertThat(problems(", faults: {error-rate: 0.6, timeout-rate: 0.6}"))
                .anyMatch(p -> p.contains("add up to more than 1"));
        assertThat(problems(", faults: {eror-rate: 0.1}")).anyMatch(p -> p.contains("eror-rate"));
        assertThat(problems(", cache-dir: somewhere")).anyMatch(p -> p.contains("'cache-dir' needs a cache"));
        assertThatThrownBy(() -> new Scenario.FaultConfig(0.5, 0.5, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
