package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.agents.Role;
import dev.reverb.runtime.cli.ReverbCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import dev.reverb.runtime.testing.ShippedData;

class ScenarioLoaderTest {

    static final Path ROOT = Path.of(System.getProperty("reverb.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path write(String name, String yaml) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private List<String> problems(Path file, String... overrides) {
        try {
            ScenarioLoader.load(file, List.of(overrides));
        } catch (ScenarioException e) {
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected problems in " + file);
    }

    private static final String VALID = """
            name: tiny
            environment: {type: arithmetic, count: 3}
            models:
              policy: {model: m}
            agents:
              - {name: solver, role: solver, model: policy}
              - {name: reflector, role: reflector, model: policy}
            protocol: {type: reflexion, solver: solver, reflector: reflector}
            """;

    @Test
    void should_load_the_quickstart_when_it_is_shipped() throws Exception {
        Scenario s = ScenarioLoader.load(ROOT.resolve("scenarios/quickstart.yaml"), List.of());

        assertThat(s.name()).isEqualTo("quickstart");
        assertThat(s.protocols()).extracting(Scenario.ProtocolConfig::name).containsExactly("reflexion", "debate");
        assertThat(s.models().get("policy").backend()).isEqualTo(Scenario.Backend.SIMULATED);
        assertThat(s.models().get("policy").timeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.agents()).extracting(a -> a.role()).contains(Role.SOLVER, Role.REFLECTOR, Role.DEBATER);
        assertThat(s.protocols().get(1).settings().values()).containsEntry("rounds", 2L).containsEntry("tie-break", "first")
                .containsEntry("debaters", List.of("alice", "bob", "carol"));
    }

    @Test
    void should_load_the_gsm8k_scenario_when_the_dataset_is_present() throws Exception {
        Path scenario = ROOT.resolve("scenarios/gsm8k-reflexion.yaml");
        Assumptions.assumeTrue(ShippedData.available("gsm8k-reflexion"), "no GSM8K in data/ or ../shared/data");
        Scenario s = ScenarioLoader.load(scenario, ShippedData.overrides("gsm8k-reflexion"));
        assertThat(s.environment().settings().path("dataset")).isAbsolute().endsWith(Path.of("gsm8k/test.jsonl"));
        assertThat(s.models().get("policy").backend()).isEqualTo(Scenario.Backend.OPENAI);
    }

    @Test
    void should_report_every_problem_at_its_line_and_column_when_the_file_is_broken() throws IOException {
        Path file = write("broken.yaml", """
                name: Broken Scenario
                environment:
                  type: gsm8k
                  dataset: nowhere/test.jsonl
                models:
                  policy:
                    model: m
                    temprature: 0.5
                    max-tokens: lots
                    timeout: soon
                agents:
                  - name: solver
                    role: solver
                    model: polcy
                  - name: reflector
                    role: reflecter
                    model: policy
                    prompt: missing.txt
                  - role: judge
                    model: policy
                protocols:
                  - type: reflexion
                    solver: solver
                    reflector: reflectr
                    rounds: 3
                run:
                  concurency: 2
                """);
        String f = file.toString();

        assertThat(problems(file)).containsExactly(
                f + ":1:7: name: must be lower-case letters, digits, '.', '_' or '-', starting with a letter or digit, got text 'Broken Scenario'",
                f + ":4:12: environment.dataset: dataset file not found: " + tmp.resolve("nowhere/test.jsonl"),
                f + ":8:5: models.policy.temprature: unknown key 'temprature', did you mean 'temperature'?",
                f + ":9:17: models.policy.max-tokens: expected a whole number, got text 'lots'",
                f + ":10:14: models.policy.timeout: expected a duration such as 500ms, 60s, 2m or a number of seconds, got text 'soon'",
                f + ":14:12: agents[0].model: unknown model 'polcy', did you mean 'policy'?; known: policy",
                f + ":16:11: agents[1].role: must be one of solver, debater, critic, reflector, judge, distiller, instructor, optimizer, got text 'reflecter'",
                f + ":18:13: agents[1].prompt: prompt file not found: " + tmp.resolve("missing.txt"),
                f + ":19:5: agents[2].name: missing required field 'name'",
                f + ":24:16: protocols[0].reflector: unknown agent 'reflectr', did you mean 'reflector'?; known: reflector, solver",
                f + ":25:5: protocols[0].rounds: 'rounds' is not a setting of reflexion (its settings: solver, reflector, max-trials, repairs)",
                f + ":27:3: run.concurency: unknown key 'concurency', did you mean 'concurrency'?");
    }

    @Test
    void should_point_at_the_parser_position_when_the_yaml_is_malformed() throws IOException {
        Path file = write("syntax.yaml", "name: x\nmodels: [\n");
        assertThat(problems(file)).containsExactly(file + ":2:10: (top level): invalid YAML: while parsing a flow node; "
                + "expected the node content, but found '<stream end>'");
    }

    @Test
    void should_name_the_slot_when_a_prompt_uses_an_unknown_one() throws IOException {
        Path file = write("slots.yaml", VALID.replace("{name: solver, role: solver, model: policy}",
                "{name: solver, role: solver, model: policy, prompt: {user: 'Solve {{taks}}'}}"));
        assertThat(problems(file)).singleElement().asString()
                .isEqualTo(file + ":6:57: agents[0].prompt: unknown slot '{{taks}}' in prompt; known slots: "
                        + String.join(", ", new java.util.TreeSet<>(dev.reverb.agents.PromptTemplate.SLOTS)));
    }

    @Test
    void should_ask_for_protocols_when_none_is_given_and_refuse_both_forms() throws IOException {
        Path none = write("none.yaml", VALID.replace("protocol: {type: reflexion, solver: solver, reflector: reflector}\n", ""));
        assertThat(problems(none)).containsExactly(none + ":1:1: (top level): missing required field 'protocols' (or a single 'protocol')");
        Path both = write("both.yaml", VALID + "protocols:\n  - {type: reflexion, solver: solver, reflector: reflector}\n");
        assertThat(problems(both)).containsExactly(both + ":9:1: protocols: give either 'protocol' or 'protocols', not both");
    }

    @Test
    void should_switch_to_the_openai_backend_when_a_base_url_is_set_on_the_command_line() throws Exception {
        Path file = write("tiny.yaml", VALID);
        Scenario s = ScenarioLoader.load(file, List.of("models.policy.base-url=http://localhost:8000/v1",
                "run.concurrency=7", "models.policy.temperature=0", "protocol.max-trials=5"));

        assertThat(s.models().get("policy").backend()).isEqualTo(Scenario.Backend.OPENAI);
        assertThat(s.models().get("policy").baseUrl()).isEqualTo("http://localhost:8000/v1");
        assertThat(s.run().concurrency()).isEqualTo(7);
        assertThat(s.agents().get(0).sampling().temperature()).isZero();
        assertThat(s.protocols().get(0).settings().values()).containsEntry("max-trials", 5L);
    }

    @Test
    void should_blame_the_override_when_an_override_is_wrong() throws IOException {
        Path file = write("tiny.yaml", VALID);
        assertThat(problems(file, "run.concurrency=zero", "agents.dave.model=x", "novalue")).containsExactly(
                "--set run.concurrency=zero: run.concurrency: expected a whole number, got text 'zero'",
                "--set agents.dave.model=x: agents: no item 'dave' in this list (use a position or an item's name)",
                "--set novalue: (top level): expected PATH=VALUE, e.g. run.concurrency=2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"quickstart.yaml", "reflexion-memory.yaml"})
    void should_load_the_same_scenario_when_reading_back_its_resolved_yaml(String shipped) throws Exception {
        Scenario original = ScenarioLoader.load(ROOT.resolve("scenarios").resolve(shipped),
                List.of("run.output=" + tmp.resolve("runs")));
        Path elsewhere = Files.createDirectories(tmp.resolve("copy")).resolve("scenario.resolved.yaml");

        Scenario again = ScenarioLoader.parse(original.resolvedYaml(), elsewhere, List.of());

        assertThat(again).usingRecursiveComparison().ignoringFields("source").isEqualTo(original);
        assertThat(again.agents().get(0).prompt().user()).contains("{{task}}");
    }

    @Test
    void should_point_at_strangers_in_a_debate_graph_and_a_critic_rubric() throws IOException {
        Path file = write("protocols.yaml", """
                name: tiny
                environment: {type: arithmetic, count: 3}
                models:
                  policy: {model: m}
                agents:
                  - {name: a, role: debater, model: policy}
                  - {name: b, role: debater, model: policy}
                  - {name: c, role: critic, model: policy}
                protocols:
                  - type: debate
                    debaters: [a, b]
                    topology: {a: [b, c], z: [a]}
                  - type: critique-revise
                    proposer: a
                    critics: [c, a]
                    rubrics: {b: be strict}
                """);
        assertThat(problems(file)).containsExactly(
                file + ":12:23: protocols[0].topology.a[1]: 'a' can listen only to another of this debate's debaters, not 'c'",
                file + ":12:27: protocols[0].topology.z: 'z' is not one of this debate's debaters",
                file + ":14:15: protocols[1].proposer: the proposer cannot also be one of its critics",
                file + ":16:15: protocols[1].rubrics.b: 'b' is not one of this protocol's critics");
    }

    @Test
    void should_read_memory_settings_and_fill_in_their_defaults() throws Exception {
        Scenario s = ScenarioLoader.load(write("memory.yaml", VALID + """
                memory: {folder: mem, experiential: {successes: 3}}
                """), List.of());
        Scenario.MemoryConfig m = s.memory();
        assertThat(m.enabled()).isTrue();
        assertThat(m.folder()).isEqualTo(Path.of("mem").toAbsolutePath().normalize());
        assertThat(m.embedding()).isEqualTo(Scenario.EmbeddingConfig.DEFAULT);
        assertThat(m.read()).containsExactly("agent", "team", "global");
        assertThat(m.write()).containsExactly("team");
        assertThat(m.limits()).isEqualTo(new dev.reverb.memory.Memory.Limits(3, 1, 2, 0, 1200));
        assertThat(m.concept()).isNull();
        assertThat(ScenarioLoader.load(write("off.yaml", VALID), List.of()).memory().enabled()).isFalse();
    }

    @Test
    void should_refuse_memory_settings_without_a_folder_and_a_distiller_that_is_not_one() throws IOException {
        Path file = write("memory.yaml", VALID + """
                memory:
                  read: [team, galaxy]
                  concept: {distiller: solver}
                """);
        assertThat(problems(file)).containsExactly(
                file + ":10:3: memory.read: 'read' needs a memory folder: add 'folder' to memory",
                file + ":10:16: memory.read[1]: must be one of agent, team, global, got text 'galaxy'",
                file + ":11:3: memory.concept: 'concept' needs a memory folder: add 'folder' to memory",
                file + ":11:24: memory.concept.distiller: agent 'solver' distils insights, so its role must be distiller (it is solver)");
    }

    @Test
    void should_exit_2_and_print_the_problems_when_validating_a_broken_file() throws IOException {
        Path file = write("tiny.yaml", VALID.replace("{name: solver, role: solver, model: policy}", "{name: solver, role: solver, model: nope}"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReverbCli.execute(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                "validate", file.toString());
        assertThat(code).isEqualTo(ReverbCli.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ":6:41: agents[0].model: unknown model 'nope'; known: policy");
    }

    @Test
    void should_parse_durations_in_every_unit_when_reading_timeouts() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse(Durations.format(Duration.ofSeconds(90)))).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    }
}
