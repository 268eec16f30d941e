package dev.reverb.runtime.optimize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.RunListener;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agentic system search with a scripted optimizer (and the labelled simulated one) over the simulated
 * stand-in, made to depend on a known prompt phrase ({@code simulated.cues}) or on a known module choice
 * (more Reflexion trials fix more answers).
 */
class SearchTest {

    static final String CUE = "Verify every step.";

    @TempDir
    Path tmp;

    private Path scenario(double accuracy, double fixRate) throws Exception {
        Path file = tmp.resolve("start.yaml");
        Files.writeString(file, """
                name: opt-test
                environment: {type: arithmetic, count: 30, min-steps: 2, max-steps: 3, seed: 4}
                models:
                  policy:
                    model: sim
                    concurrency: 8
                    simulated: {accuracy: %s, fix-rate: %s, cues: {"verify every step": 0.95}}
                  proposer: {model: sim-proposer}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                  - {name: optimizer, role: optimizer, model: proposer}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: reflector, max-trials: 1}
                run: {concurrency: 8, seed: 3, output: %s}
                """.formatted(accuracy, fixRate, tmp.resolve("runs")));
        return file;
    }

    private Search.Outcome search(Path file, Level level, int candidates, int batch, Runner.Options options,
                                  boolean resume) throws Exception {
        Scenario start = ScenarioLoader.load(file, List.of());
        Search.Settings settings = new Search.Settings(level, null, 10, 10, 10_000_000, candidates, batch, 1);
        return new Search(file, start, settings, tmp.resolve("out"), options, new PrintWriter(new StringWriter()))
                .run(resume);
    }

    private static Runner.Options options(ScriptedOptimizer optimizer) {
        Runner.Options o = new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null);
        return optimizer == null ? o : o.withBackend("proposer", optimizer);
    }

    private List<JsonNode> log() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(tmp.resolve("out/search.jsonl"))) {
            lines.add(Json.MAPPER.readTree(l));
        }
        return lines;
    }

    private static JsonNode candidate(List<JsonNode> log, int id) {
        return log.stream().filter(l -> l.path("type").asText().equals("candidate") && l.path("id").asInt() == id)
                .findFirst().orElseThrow();
    }

    private static String solverWith(String more) {
        PromptTemplate t = PromptTemplate.defaultFor(Role.SOLVER);
        return PromptDesigner.block("solver", t.system() + " " + more, t.user());
    }

    @Test
    void should_find_the_prompt_cue_and_reject_invalid_rewrites_when_the_level_is_prompt() throws Exception {
        ScriptedOptimizer optimizer = new ScriptedOptimizer(
                "TEMPLATE ghost\n[system]\nBe careful.\n[user]\n{{task}}\nEND",
                "TEMPLATE solver\n[system]\nBe brief.\n[user]\nSolve it.\nEND",
                solverWith(CUE));

        Search.Outcome outcome = search(scenario(0.2, 0.2), Level.PROMPT, 3, 1, options(optimizer), false);

        List<JsonNode> log = log();
        assertThat(candidate(log, 1).path("errors").toString()).contains("unknown agent 'ghost'");
        assertThat(candidate(log, 2).path("errors").toString()).contains("drops slot(s)").contains("{{task}}");
        assertThat(optimizer.requests.get(1)).contains("unknown agent 'ghost'");
        assertThat(optimizer.requests.get(2)).contains("drops slot(s)");
        assertThat(outcome.summary().path("chosen").asInt()).isEqualTo(3);
        assertThat(candidate(log, 3).path("dev").path("accuracy").asDouble())
                .isGreaterThan(candidate(log, 0).path("dev").path("accuracy").asDouble());
        assertThat(candidate(log, 3).path("diff").asText()).contains("+ ").contains(CUE);
        assertThat(Files.readString(outcome.best())).contains(CUE);
        assertThat(ScenarioLoader.load(outcome.best(), List.of()).agents()).hasSize(3);
        assertTestSetUntouchedBeforeTheEnd(log);
    }

    /** Every dev run touched dev tasks only, and the test runs come after the last candidate. */
    private void assertTestSetUntouchedBeforeTheEnd(List<JsonNode> log) throws Exception {
        JsonNode split = log.get(0);
        Set<String> dev = new HashSet<>();
        Set<String> test = new HashSet<>();
        split.path("dev").forEach(n -> dev.add(n.asText()));
        split.path("test").forEach(n -> test.add(n.asText()));
        int lastCandidate = -1;
        int firstTest = Integer.MAX_VALUE;
        for (int i = 0; i < log.size(); i++) {
            JsonNode line = log.get(i);
            String type = line.path("type").asText();
            if (type.equals("candidate")) {
                lastCandidate = i;
            } else if (type.equals("test")) {
                firstTest = Math.min(firstTest, i);
            }
            if (!line.has("run")) {
                continue;
            }
            Path run = tmp.resolve("out").resolve(line.path("run").asText());
            Set<String> touched = new HashSet<>();
            for (String l : Files.readAllLines(run.resolve(RunFolder.TRACE))) {
                JsonNode event = Json.MAPPER.readTree(l);
                if (event.hasNonNull("task_id")) {
                    touched.add(event.path("task_id").asText());
                }
            }
            RunFolder.open(run).episodeRecords().forEach(e -> touched.add(e.path("task").asText()));
            assertThat(touched).isNotEmpty().isSubsetOf(type.equals("test") ? test : dev);
        }
        assertThat(firstTest).isGreaterThan(lastCandidate).isLessThan(Integer.MAX_VALUE);
    }

    @Test
    void should_beat_random_search_on_the_same_budget_when_the_level_is_module() throws Exception {
        ScriptedOptimizer optimizer = new ScriptedOptimizer("SET protocols.reflexion.max-trials=3",
                "SET protocols.reflexion.max-trials=6");

        Search.Outcome outcome = search(scenario(0.2, 0.35), Level.MODULE, 4, 1, options(optimizer), false);

        JsonNode arms = outcome.summary().path("arms");
        assertThat(arms.path("llm").path("candidates").asInt()).isEqualTo(arms.path("random").path("candidates").asInt());
        assertThat(arms.path("llm").path("best_dev_accuracy").asDouble())
                .isGreaterThan(arms.path("random").path("best_dev_accuracy").asDouble());
        assertThat(Files.readString(outcome.best())).contains("max-trials: 6");
        assertThat(optimizer.requests.get(0)).contains("SET protocols.reflexion.max-trials=3");
        assertTestSetUntouchedBeforeTheEnd(log());
    }

    @Test
    void should_share_the_model_call_cache_between_candidates_when_the_scenario_has_one() throws Exception {
        Path file = scenario(0.2, 0.35);
        Files.writeString(file, Files.readString(file).replace("    concurrency: 8\n",
                "    concurrency: 8\n    cache: read-write\n    cache-dir: " + tmp.resolve("cache") + "\n"));
        ScriptedOptimizer optimizer = new ScriptedOptimizer("SET protocols.reflexion.max-trials=3",
                "SET protocols.reflexion.max-trials=6");

        search(file, Level.MODULE, 4, 1, options(optimizer), false);

        long calls = 0;
        for (JsonNode line : log()) {
            if (line.has("run")) {
                Path run = tmp.resolve("out").resolve(line.path("run").asText());
                assertThat(Files.readString(run.resolve(RunFolder.SCENARIO))).contains("cache-dir: " + tmp.resolve("cache"));
                calls += RunFolder.open(run).episodeRecords().stream().mapToLong(e -> e.path("model_calls").asLong()).sum();
            }
        }
        long entries;
        try (var files = Files.walk(tmp.resolve("cache"))) {
            entries = files.filter(f -> f.toString().endsWith(".json")).count();
        }
        // a first answer to a dev task is the same call in every candidate that keeps the solver's prompt
        assertThat(entries).isPositive().isLessThan(calls);
    }

    @Test
    void should_switch_the_protocol_type_when_a_module_proposal_replaces_the_whole_entry() throws Exception {
        Path file = scenario(0.2, 0.2);
        Scenario start = ScenarioLoader.load(file, List.of());
        Evaluator evaluator = new Evaluator(file, tmp.resolve("runs"), options(null));
        ModuleDesigner designer = new ModuleDesigner(dev.reverb.runtime.Extensions.NONE);

        String yaml = evaluator.check(designer.apply(DesignTree.read(start.resolvedYaml()),
                "SET protocols.reflexion={name: reflexion, type: critique-revise, proposer: solver, critics: [reflector]}"));

        Scenario changed = ScenarioLoader.parse(yaml, file, List.of());
        assertThat(changed.protocols()).singleElement().satisfies(p -> {
            assertThat(p.type()).isEqualTo("critique-revise");
            assertThat(p.settings().text("proposer")).isEqualTo("solver");
        });
    }

    @Test
    void should_stop_before_the_budget_runs_out_when_it_is_small() throws Exception {
        Path file = scenario(0.2, 0.2);
        Scenario start = ScenarioLoader.load(file, List.of());
        // room for the start and a few more evaluations (each about the start's cost and an optimizer call), not twenty
        Search first = new Search(file, start, new Search.Settings(Level.PROMPT, null, 10, 10, 1, 20, 1, 1),
                tmp.resolve("probe"), options(null), new PrintWriter(new StringWriter()));
        long startCost = first.run(false).summary().path("spent_tokens").asLong();
        Search.Settings small = new Search.Settings(Level.PROMPT, null, 10, 10, startCost * 3 + 4000, 20, 1, 1);

        Search.Outcome outcome = new Search(file, start, small, tmp.resolve("out"), options(null),
                new PrintWriter(new StringWriter())).run(false);

        assertThat(outcome.summary().path("candidates").asInt()).isBetween(1, 5);
        assertThat(outcome.summary().path("spent_tokens").asLong()).isLessThanOrEqualTo(small.budget() + startCost);
    }

    @Test
    void should_reject_bad_yaml_schema_violations_and_unknown_agents_and_go_on_when_the_level_is_agent() throws Exception {
        PromptTemplate solver = PromptTemplate.defaultFor(Role.SOLVER);
        String checker = """
                ```yaml
                agents:
                  - name: checker
                    role: solver
                    model: policy
                    prompt:
                      system: %s
                      user: %s
                protocols:
                  - {name: reflexion, type: reflexion, solver: checker, reflector: reflector, max-trials: 1}
                ```
                """.formatted(Json.MAPPER.writeValueAsString(solver.system() + " " + CUE),
                Json.MAPPER.writeValueAsString(solver.user()));
        ScriptedOptimizer optimizer = new ScriptedOptimizer(
                "```yaml\nagents: [unclosed\n```",
                "```yaml\nagents:\n  - {name: wiz, role: wizard, model: policy}\n```",
                "```yaml\nprotocols:\n  - {name: reflexion, type: reflexion, solver: zed, reflector: reflector}\n```",
                checker);

        Search.Outcome outcome = search(scenario(0.2, 0.2), Level.AGENT, 4, 1, options(optimizer), false);

        List<JsonNode> log = log();
        assertThat(candidate(log, 1).path("errors").toString()).contains("not valid YAML");
        assertThat(candidate(log, 2).path("errors").toString()).contains("role");
        assertThat(candidate(log, 3).path("errors").toString()).contains("zed");
        assertThat(optimizer.requests.get(3)).contains("zed");
        assertThat(outcome.summary().path("chosen").asInt()).isEqualTo(4);
        assertThat(Files.readString(outcome.best())).contains("checker").contains(CUE);
        assertThat(ScenarioLoader.load(outcome.best(), List.of()).protocols().get(0).settings().text("solver"))
                .isEqualTo("checker");
    }

    @Test
    void should_resume_without_evaluating_finished_candidates_again_when_a_search_was_killed() throws Exception {
        Path file = scenario(0.2, 0.2);
        search(file, Level.PROMPT, 4, 2, options(null), false);
        List<String> full = Files.readAllLines(tmp.resolve("out/search.jsonl"));
        // killed after the start and two candidates: the rest of the log never got written
        List<String> kept = full.subList(0, 4);
        Files.write(tmp.resolve("out/search.jsonl"), kept);
        Files.delete(tmp.resolve("out/best.yaml"));
        AtomicInteger episodes = new AtomicInteger();
        Runner.Options counting = options(null).withListener(new RunListener() {
            @Override
            public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                episodes.incrementAndGet();
            }

            @Override
            public void allDone() {
            }
        });

        Search.Outcome outcome = search(file, Level.PROMPT, 4, 2, counting, true);

        List<String> resumed = Files.readAllLines(tmp.resolve("out/search.jsonl"));
        assertThat(resumed.subList(0, 4)).isEqualTo(kept);
        List<JsonNode> log = log();
        long newlyEvaluated = log.stream().filter(l -> l.path("type").asText().equals("candidate")
                && l.path("id").asInt() > 2 && l.path("valid").asBoolean()).count();
        long tests = log.stream().filter(l -> l.path("type").asText().equals("test")).count();
        assertThat(episodes.get()).isEqualTo(10 * (newlyEvaluated + tests));
        assertThat(log.stream().filter(l -> l.path("type").asText().equals("candidate")).map(l -> l.path("id").asInt()))
                .containsExactly(0, 1, 2, 3, 4);
        assertThat(outcome.best()).exists();
    }
}
