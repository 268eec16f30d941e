package dev.reverb.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.reverb.runtime.optimize.Level;
import dev.reverb.runtime.optimize.Search;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reverb optimize}: agentic system search over a scenario. The scenario's {@code optimize:}
 * section gives the defaults; the options override them.
 */
@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = "Search for a better scenario at prompt, module or agent level; writes best.yaml, "
                + "search.jsonl and summary.json.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the search finished and the chosen design was tested", "1:the search ended early; "
                + "continue it with --resume", "2:invalid input (scenario, settings) or usage"})
final class OptimizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SCENARIO", description = "The starting scenario; it needs an agent of role optimizer.")
    Path scenario;

    @Option(names = "--level", paramLabel = "prompt|module|agent", description = "What the search changes "
            + "(default: optimize.level, else prompt).")
    String level;

    @Option(names = "--dev", paramLabel = "N", description = "Dev tasks the search scores candidates on (default: optimize.dev, else 8).")
    Integer dev;

    @Option(names = "--test", paramLabel = "M", description = "Held-out test tasks, evaluated once at the end (default: optimize.test, else 8).")
    Integer test;

    @Option(names = "--budget", paramLabel = "TOKENS", description = "Model tokens (prompt + completion) of the "
            + "optimizer's calls and the dev evaluations together (default: optimize.budget, else 200000).")
    Long budget;

    @Option(names = "--candidates", paramLabel = "K", description = "Candidates proposed at most (default: optimize.candidates, else 8).")
    Integer candidates;

    @Option(names = "--batch", paramLabel = "B", description = "Candidates proposed and evaluated at once, per arm (default: optimize.batch, else 2).")
    Integer batch;

    @Option(names = "--seed", description = "Seed of the dev/test split and random search (default: optimize.seed, else 0).")
    Long seed;

    @Option(names = "--optimizer", paramLabel = "AGENT", description = "The proposing agent (default: optimize.optimizer, "
            + "else the agent of role optimizer).")
    String optimizer;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: RUN_OUTPUT/NAME/optimize-LEVEL).")
    Path out;

    @Option(names = "--resume", description = "Continue the search in the output folder; finished candidates are not evaluated again.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Scenario start;
        JsonNode defaults;
        try {
            start = ScenarioLoader.load(scenario, List.of());
            defaults = new YAMLMapper().readTree(Files.readString(scenario, StandardCharsets.UTF_8)).path("optimize");
        } catch (ScenarioException e) {
            err.println(e.getMessage());
            return ReverbCli.INVALID;
        }
        Search.Settings settings;
        try {
            Level lvl = Level.fromId(level != null ? level : defaults.path("level").asText("prompt"));
            settings = new Search.Settings(lvl,
                    optimizer != null ? optimizer : defaults.hasNonNull("optimizer") ? defaults.path("optimizer").asText() : null,
                    dev != null ? dev : defaults.path("dev").asInt(8), test != null ? test : defaults.path("test").asInt(8),
                    budget != null ? budget : defaults.path("budget").asLong(200_000),
                    candidates != null ? candidates : defaults.path("candidates").asInt(8),
                    batch != null ? batch : defaults.path("batch").asInt(2),
                    seed != null ? seed : defaults.path("seed").asLong(0));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ReverbCli.INVALID;
        }
        Path folder = out != null ? out.toAbsolutePath()
                : start.run().output().resolve(start.name()).resolve("optimize-" + settings.level().id());
        console.println("Search folder: " + folder);
        Runner.Options options = new Runner.Options(false, console, System::getenv);
        try {
            new Search(scenario.toAbsolutePath(), start, settings, folder, options, console).run(resume);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ReverbCli.INVALID;
        }
        console.println("Best design: " + folder.resolve("best.yaml"));
        return 0;
    }
}
