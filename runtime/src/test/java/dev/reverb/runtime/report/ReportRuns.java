package dev.reverb.runtime.report;

import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

/** Real runs of the shipped scenarios with the simulated stand-in, made in process for the report tests. */
final class ReportRuns {

    static final Path ROOT = Path.of(System.getProperty("reverb.root", "..")).toAbsolutePath().normalize();

    private ReportRuns() {
    }

    /** Runs {@code scenarios/NAME.yaml} with the overrides into {@code output}; returns its run folder. */
    static Path run(String name, Path output, String... overrides) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(overrides));
        all.add("run.output=" + output);
        Scenario scenario = ScenarioLoader.load(ROOT.resolve("scenarios/" + name + ".yaml"), all);
        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.run(scenario, folder, new Runner.Options(false, new PrintWriter(new StringWriter()), k -> null));
        return folder.dir();
    }
}
