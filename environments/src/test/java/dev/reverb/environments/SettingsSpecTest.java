package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsSpecTest {

    @Test
    void should_declare_keys_in_order_with_their_kinds_ranges_and_defaults() {
        SettingsSpec spec = SettingsSpec.builder()
                .agent("solver", "Who solves.").required()
                .integer("max-trials", 1, 100, 3, "Attempts.")
                .integer("limit", 1, 10, null, "Cap.").derived(s -> 5L)
                .choice("mode", List.of("a", "b"), "a", "Mode.")
                .build();

        assertThat(spec.keys()).containsOnlyKeys("solver", "max-trials", "limit", "mode");
        assertThat(spec.keys().get("solver").required()).isTrue();
        assertThat(spec.keys().get("solver").namesAgents()).isTrue();
        assertThat(spec.keys().get("max-trials").max()).isEqualTo(100L);
        assertThat(spec.keys().get("max-trials").defaultValue()).isEqualTo(3L);
        assertThat(spec.keys().get("limit").derived().apply(Settings.EMPTY)).isEqualTo(5L);
    }

    @Test
    void should_refuse_a_key_twice_a_default_outside_its_choices_and_a_non_kebab_name() {
        assertThatThrownBy(() -> SettingsSpec.builder().text("a", null, "").text("a", null, "").build())
                .hasMessageContaining("declared twice");
        assertThatThrownBy(() -> SettingsSpec.builder().choice("m", List.of("x"), "y", "").build())
                .hasMessageContaining("not one of its choices");
        assertThatThrownBy(() -> SettingsSpec.builder().text("maxTrials", null, "").build())
                .hasMessageContaining("kebab-case");
        assertThatThrownBy(() -> SettingsSpec.builder().required()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void should_read_checked_values_by_kind() {
        Settings s = new Settings(Map.of("n", 7L, "x", 0.5, "on", true, "p", Path.of("/d"), "names", List.of("a", "b"),
                "graph", Map.of("a", List.of("b"))));
        assertThat(s.integer("n")).isEqualTo(7);
        assertThat(s.whole("n")).isEqualTo(7L);
        assertThat(s.integerOrNull("missing")).isNull();
        assertThat(s.number("x")).isEqualTo(0.5);
        assertThat(s.bool("on")).isTrue();
        assertThat(s.path("p")).isEqualTo(Path.of("/d"));
        assertThat(s.texts("names")).containsExactly("a", "b");
        assertThat(s.graph("graph")).containsEntry("a", List.of("b"));
        assertThatThrownBy(() -> s.integer("missing")).hasMessageContaining("no setting 'missing'");
        assertThatThrownBy(() -> new Settings(Map.of("big", 1L << 40)).integer("big")).isInstanceOf(ArithmeticException.class);
    }
}
