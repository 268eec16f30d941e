package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.agents.protocol.Reflexion;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.run.Wiring;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A type registered from Java gets exactly the checks of a built-in one, and builds through its descriptor. */
class TypeRegistryTest {

    @TempDir
    Path tmp;

    static final ProtocolDescriptor VOTE = new ProtocolDescriptor("vote", "A plain vote.",
            SettingsSpec.builder()
                    .agents("voters", 2, "Who votes.").required()
                    .integer("rounds", 1, 9, 1, "Rounds.")
                    .choice("rule", List.of("majority", "unanimous"), "majority", "How the vote is decided.")
                    .model("referee", "A model for tie-breaks.")
                    .check((s, problems) -> {
                        if (s.text("rule").equals("unanimous") && s.integer("rounds") < 2) {
                            problems.at("rounds", "a unanimous vote needs at least 2 rounds");
                        }
                    })
                    .build(),
            (name, s, context) -> new Reflexion(name, s.texts("voters").get(0), s.texts("voters").get(1),
                    s.integer("rounds"), context.carryReflections()));

    static final String SCENARIO = """
            name: registry
            environment: {type: arithmetic, count: 2}
            models:
              m: {model: stand-in}
            agents:
              - {name: a, role: solver, model: m}
              - {name: b, role: reflector, model: m}
            protocols:
              - type: vote
                voters: [a, bee, a]
                rounds: 1000000000000
                rule: unanimus
                referee: n
                color: blue
              - {name: v2, type: vote}
              - {name: v3, type: vote, voters: [a, b], rule: unanimous}
            """;

    @Test
    void should_check_a_registered_protocol_like_a_built_in_one() throws IOException {
        Path file = Files.writeString(tmp.resolve("registry.yaml"), SCENARIO);
        Extensions registry = Extensions.NONE.withProtocol(VOTE);

        assertThat(ScenarioBadInputTest.problems(file, registry)).containsExactly(
                file + ":10:17: protocols[0].voters[1]: unknown agent 'bee', did you mean 'b'?; known: a, b",
                file + ":10:22: protocols[0].voters[2]: 'a' is listed twice",
                file + ":11:13: protocols[0].rounds: must be a whole number from 1 to 9, got 1000000000000",
                file + ":12:11: protocols[0].rule: must be one of majority, unanimous, got text 'unanimus', did you "
                        + "mean 'unanimous'?",
                file + ":13:14: protocols[0].referee: unknown model 'n', did you mean 'm'?; known: m",
                file + ":14:5: protocols[0].color: 'color' is not a setting of vote (its settings: voters, rounds, rule, "
                        + "referee)",
                file + ":15:5: protocols[1].voters: missing required field 'voters'",
                file + ":16:5: protocols[2].rounds: a unanimous vote needs at least 2 rounds");
    }

    @Test
    void should_build_a_registered_type_through_its_factory_with_defaults_filled_in() throws Exception {
        Path file = Files.writeString(tmp.resolve("ok.yaml"), SCENARIO.substring(0, SCENARIO.indexOf("protocols:"))
                + "protocols:\n  - {type: vote, voters: [a, b], rounds: 3}\n");
        Extensions registry = Extensions.NONE.withProtocol(VOTE);
        Scenario s = ScenarioLoader.load(file, List.of(), registry);

        assertThat(s.protocols().get(0).settings().values()).containsEntry("rule", "majority").containsEntry("rounds", 3L)
                .doesNotContainKey("referee");
        assertThat(Wiring.protocol(s.protocols().get(0), s.memory(), registry)).isEqualTo(
                new Reflexion("vote", "a", "b", 3, true));
        assertThat(s.resolvedYaml()).contains("rule: majority");
        assertThatThrownBy(() -> ScenarioLoader.load(file, List.of()))
                .hasMessageContaining("unknown protocol type 'vote'; built in: critique-revise, debate");
    }

    @Test
    void should_compute_a_derived_default_once_and_show_it() throws Exception {
        Path file = Files.writeString(tmp.resolve("steps.yaml"), SCENARIO.substring(0, SCENARIO.indexOf("protocols:"))
                .replace("{type: arithmetic, count: 2}", "{type: arithmetic, count: 2, min-steps: 6}")
                + "protocol: {type: reflexion, solver: a, reflector: b}\n");
        Scenario s = ScenarioLoader.load(file, List.of());
        assertThat(s.environment().settings().integer("max-steps")).isEqualTo(6);
        assertThat(s.resolvedYaml()).contains("max-steps: 6");
        assertThat(Wiring.environment(s.environment(), Extensions.NONE).tasks()).hasSize(2);
    }

    @Test
    void should_refuse_a_type_name_twice_and_list_built_ins_once() {
        assertThatThrownBy(() -> Extensions.NONE.withEnvironment(MathEnvironment.GSM8K))
                .hasMessageContaining("the environment type 'gsm8k' is already taken");
        assertThat(Extensions.NONE.environmentTypes()).containsExactly("arithmetic", "gsm8k", "math", "humaneval",
                "game24", "textworld");
        assertThat(ScenarioLoader.PROTOCOL_TYPES).containsExactlyInAnyOrder("reflexion", "debate", "critique-revise",
                "prm-search", "mcts", "role-play", "react");
        assertThatThrownBy(() -> new EnvironmentDescriptor("Bad Name", "", SettingsSpec.NONE, s -> null))
                .hasMessageContaining("lower-case");
    }
}
