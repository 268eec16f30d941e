package dev.reverb.runtime.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.cli.ReverbCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Scenario files of the wrong shape, out of range, damaged or hostile: each a located one-line problem. */
class ScenarioBadInputTest {

    @TempDir
    Path tmp;

    static final String VALID = """
            name: tiny
            environment: {type: arithmetic, count: 3}
            models:
              policy: {model: m}
            agents:
              - {name: solver, role: solver, model: policy}
              - {name: reflector, role: reflector, model: policy}
            protocol: {type: reflexion, solver: solver, reflector: reflector}
            """;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(tmp.resolve(name), yaml);
    }

    /** The problems of a file that must not load; fails on any other exception. */
    static List<String> problems(Path file, Extensions registry, String... overrides) {
        try {
            ScenarioLoader.load(file, List.of(overrides), registry);
        } catch (ScenarioException e) {
            assertThat(e.problems()).allSatisfy(p -> assertThat(p.line() > 0 && p.column() > 0
                    || p.file().startsWith("--set ")).as("located: %s", p).isTrue());
            return e.problems().stream().map(Problem::toString).toList();
        }
        throw new AssertionError("expected problems in " + file);
    }

    private List<String> problems(Path file, String... overrides) {
        return problems(file, Extensions.NONE, overrides);
    }

    @Test
    void should_say_agents_must_be_a_list_when_given_as_a_map() throws IOException {
        Path file = write("map.yaml", VALID.replace("""
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                """, """
                  solver: {role: solver, model: policy}
                """));
        assertThat(problems(file)).contains(file + ":6:3: agents: expected a list, got a mapping");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "models: [a, b]|models: expected a mapping, got a list",
            "models:|models: expected a mapping, got nothing",
            "environment: [arithmetic]|environment: expected a mapping, got a list",
            "protocol: reflexion|protocol: expected a mapping, got text 'reflexion'",
            "run: 3|run: expected a mapping, got the whole number 3",
            "memory: [folder]|memory: expected a mapping, got a list"})
    void should_name_the_expected_shape_when_a_section_has_the_wrong_one(String replacement, String expected)
            throws IOException {
        String key = replacement.substring(0, replacement.indexOf(':') + 1);
        String yaml = VALID.lines().filter(l -> !l.startsWith(key) && !(key.equals("models:") && l.startsWith("  policy")))
                .reduce("", (a, l) -> a + l + "\n") + replacement + "\n";
        assertThat(problems(write("shape.yaml", yaml))).anySatisfy(p -> assertThat(p).contains(expected));
    }

    @Test
    void should_refuse_an_empty_document_and_a_scalar_one() throws IOException {
        Path empty = write("empty.yaml", "# nothing here\n");
        assertThat(problems(empty)).containsExactly(empty + ":1:1: (top level): the file is empty: a scenario is a YAML "
                + "mapping of sections");
        Path scalar = write("scalar.yaml", "hello\n");
        assertThat(problems(scalar)).containsExactly(scalar + ":1:1: (top level): a scenario is a YAML mapping of "
                + "sections, got text 'hello'");
        Path list = write("list.yaml", "- a\n- b\n");
        assertThat(problems(list)).singleElement().asString().contains("got a list");
    }

    @Test
    void should_refuse_a_huge_max_tokens_instead_of_wrapping_it() throws IOException {
        Path file = write("tokens.yaml", VALID.replace("{model: m}", "{model: m, max-tokens: 1000000000000}"));
        assertThat(problems(file)).containsExactly(file + ":4:34: models.policy.max-tokens: must be at most 1000000, "
                + "got the whole number 1000000000000");
        Path bigger = write("bigger.yaml", VALID.replace("{model: m}", "{model: m, max-tokens: 100000000000000000000000}"));
        assertThat(problems(bigger)).singleElement().asString().contains("must be at most 1000000");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "protocol: {type: reflexion, solver: solver, reflector: reflector}|protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 1000000000000}|protocol.max-trials: must be a whole number from 1 to 100, got 1000000000000",
            "protocol: {type: reflexion, solver: solver, reflector: reflector}|protocol: {type: debate, debaters: [solver, reflector], rounds: 1000000000000}|protocol.rounds: must be a whole number from 0 to 100, got 1000000000000",
            "protocol: {type: reflexion, solver: solver, reflector: reflector}|protocol: {type: mcts, policy: solver, scorer: reflector, iterations: 1000000000000}|protocol.iterations: must be a whole number from 1 to 100000, got 1000000000000",
            "{type: arithmetic, count: 3}|{type: arithmetic, count: 1000000000000}|environment.count: must be a whole number from 1 to 1000000, got 1000000000000",
            "{type: arithmetic, count: 3}|{type: arithmetic, count: -4}|environment.count: must be a whole number from 1 to 1000000, got -4",
            "name: tiny|name: tiny\\nrun: {repeats: 1000000000000}|run.repeats: must be at most 10000, got the whole number 1000000000000",
            "name: tiny|name: tiny\\nrun: {concurrency: 1000000000000}|run.concurrency: must be at most 1000000, got the whole number 1000000000000",
            "{model: m}|{model: m, concurrency: 1000000000000}|models.policy.concurrency: must be at most 10000, got the whole number 1000000000000"})
    void should_refuse_every_count_out_of_its_range(String from, String to, String expected) throws IOException {
        Path file = write("range.yaml", VALID.replace(from, to.replace("\\n", "\n")));
        assertThat(problems(file)).anySatisfy(p -> assertThat(p).endsWith(expected));
    }

    @Test
    void should_blame_the_override_when_a_set_path_cannot_be_followed() throws IOException {
        Path file = write("tiny.yaml", VALID);
        assertThat(problems(file, "agents.99999999999999999999.model=x", ".=1", "run.concurency=2", "protocol.rounds=3",
                "name.first=x")).containsExactly(
                "--set agents.99999999999999999999.model=x: agents: no item '99999999999999999999' in this list "
                        + "(use a position or an item's name)",
                "--set .=1: (top level): PATH is dot-separated names with none empty, e.g. run.concurrency",
                "--set run.concurency=2: run.concurency: unknown key 'concurency', did you mean 'concurrency'?",
                "--set protocol.rounds=3: protocol.rounds: 'rounds' is not a setting of reflexion (its settings: "
                        + "solver, reflector, max-trials, repairs)",
                "--set name.first=x: name: is a single value, so it has no 'first'");
    }

    @Test
    void should_point_at_the_bad_byte_when_the_file_is_not_utf8() throws IOException {
        Path file = tmp.resolve("latin1.yaml");
        Files.write(file, "name: tiny\ndescription: caf\u00e9 au lait\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(problems(file)).containsExactly(file + ":2:17: (top level): not UTF-8: byte 0xE9 at offset 27; "
                + "save the file as UTF-8");
    }

    @Test
    void should_refuse_a_huge_file_at_once_without_reading_it_all() throws IOException {
        Path file = tmp.resolve("huge.yaml");
        byte[] line = "description: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
                .getBytes(StandardCharsets.UTF_8);
        try (var out = Files.newOutputStream(file)) {
            for (int i = 0; i < 10 * (1 << 20) / line.length; i++) {
                out.write(line);
            }
        }
        long started = System.nanoTime();
        assertThat(problems(file)).containsExactly(file + ":1:1: (top level): the file is larger than 1024 KiB: a "
                + "scenario file is a few kilobytes of YAML");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2000);
    }

    @Test
    void should_refuse_aliases_and_deep_nesting_instead_of_expanding_them() throws IOException {
        Path laughs = write("laughs.yaml", VALID + """
                x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
                y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                z: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
                """);
        assertThat(problems(laughs)).anySatisfy(p -> assertThat(p).contains("y[0]: YAML aliases (*a) are not supported"));
        Path deep = write("deep.yaml", "name: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
        assertThat(problems(deep)).singleElement().asString().startsWith(deep + ":1:").contains("invalid YAML");
    }

    @Test
    void should_refuse_a_second_document_at_its_line() throws IOException {
        Path file = write("two.yaml", VALID + "---\nname: other\n");
        assertThat(problems(file)).containsExactly(file + ":10:1: (top level): a second YAML document: a scenario file "
                + "holds one (remove the '---' and what follows, or split it into two files)");
    }

    @Test
    void should_refuse_a_debater_listed_twice_and_an_empty_rank_range() throws IOException {
        Path debate = write("debate.yaml", VALID.replace("protocol: {type: reflexion, solver: solver, reflector: reflector}",
                "protocol: {type: debate, debaters: [solver, reflector, solver]}"));
        assertThat(problems(debate)).containsExactly(debate + ":8:56: protocol.debaters[2]: 'solver' is listed twice");
        Files.writeString(tmp.resolve("24.csv"), "Rank,Puzzles\n1,1 1 4 6\n");
        Path game = write("game.yaml", VALID.replace("{type: arithmetic, count: 3}",
                "{type: game24, dataset: 24.csv, from-rank: 950, to-rank: 900}"));
        assertThat(problems(game)).containsExactly(game + ":2:71: environment.to-rank: the rank range is empty: "
                + "to-rank 900 is below from-rank 950");
    }

    @Test
    void should_refuse_a_memory_folder_that_is_a_regular_file() throws IOException {
        Path store = Files.writeString(tmp.resolve("store"), "not a folder");
        Path file = write("memory.yaml", VALID + "memory: {folder: " + store + "}\n");
        assertThat(problems(file)).containsExactly(file + ":9:18: memory.folder: is a file, not a folder: " + store);
    }

    @Test
    void should_exit_2_without_a_stack_trace_when_agents_is_a_map() throws IOException {
        Path file = write("map.yaml", VALID.replace("  - {name: solver, role: solver, model: policy}\n"
                + "  - {name: reflector, role: reflector, model: policy}\n", "  solver: {role: solver, model: policy}\n"));
        for (String command : List.of("validate", "run")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ReverbCli.execute(new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8), command, file.toString());
            assertThat(code).isEqualTo(ReverbCli.INVALID);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(file + ":6:3: agents: expected a list, got a mapping")
                    .doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void should_show_and_check_the_humaneval_sandbox() throws Exception {
        Files.writeString(tmp.resolve("HumanEval.jsonl"), "");
        Path file = write("code.yaml", VALID.replace("{type: arithmetic, count: 3}",
                "{type: humaneval, dataset: HumanEval.jsonl}"));
        Scenario s = ScenarioLoader.load(file, List.of());
        assertThat(s.environment().settings().text("sandbox")).isEqualTo("bwrap");
        assertThat(s.resolvedYaml()).contains("sandbox: bwrap");
        assertThat(problems(file, "environment.sandbox=docker")).containsExactly(
                "--set environment.sandbox=docker: environment.sandbox: must be one of bwrap, unsafe-local, got text 'docker'");
        assertThat(ScenarioLoader.load(file, List.of("environment.sandbox=unsafe-local")).environment().settings()
                .text("sandbox")).isEqualTo("unsafe-local");
    }

    @Test
    void should_follow_the_readme_set_paths_on_the_quickstart() throws Exception {
        Scenario s = ScenarioLoader.load(ScenarioLoaderTest.ROOT.resolve("scenarios/quickstart.yaml"), List.of(
                "models.policy.base-url=http://localhost:8000/v1", "models.policy.model=Qwen/Qwen2.5-7B-Instruct",
                "protocols.debate.rounds=3", "agents.0.model=policy"));
        assertThat(s.models().get("policy").baseUrl()).isEqualTo("http://localhost:8000/v1");
        assertThat(s.protocols().get(1).settings().integer("rounds")).isEqualTo(3);
    }

    @Test
    void should_keep_a_quoted_empty_text_and_read_a_bare_key_as_nothing() throws Exception {
        Scenario s = ScenarioLoader.load(write("empty-text.yaml", VALID + "description: \"\"\n"), List.of());
        assertThat(s.description()).isEmpty();
        Path bare = write("bare.yaml", VALID + "description:\n");
        assertThat(problems(bare)).containsExactly(bare + ":9:13: description: expected text, got nothing");
    }
}
