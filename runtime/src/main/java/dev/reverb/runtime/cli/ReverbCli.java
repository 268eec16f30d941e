package dev.reverb.runtime.cli;

import dev.reverb.environments.DatasetException;
import dev.reverb.memory.StoreException;
import dev.reverb.runtime.data.DataException;
import dev.reverb.runtime.data.RunDatasets;
import dev.reverb.runtime.report.Report;
import dev.reverb.runtime.run.Engine;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code reverb} command line. */
@Command(name = "reverb", mixinStandardHelpOptions = true, version = "reverb 0.1.0",
        description = "Multi-agent verbal reinforcement: run and check scenario files.",
        subcommands = {ReverbCli.Run.class, ReverbCli.Validate.class, ReportCommand.class, ReplayCommand.class,
                DataCommand.class, MemoryCommand.class, OptimizeCommand.class, Bench.class, Doctor.class,
                ClusterCommands.Node.class, CommandLine.HelpCommand.class})
public final class ReverbCli {

    /** Exit code of a scenario that does not validate. */
    public static final int INVALID = 2;
    /** Exit code of a run in which some episodes failed (they rerun with --resume). */
    public static final int EPISODES_FAILED = 3;
    /** Exit code of a run that could not start: a model failed its pre-flight check; nothing ran. */
    public static final int COULD_NOT_START = 4;

    public static void main(String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs the CLI in process (tests use this); returns the exit code. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new ReverbCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            // a dataset with no task or a damaged memory store is bad input, like a bad scenario
            if (e instanceof Runner.CouldNotStart) {
                return COULD_NOT_START;
            }
            return e instanceof DatasetException || e instanceof StoreException ? INVALID : 1;
        });
        return cli.execute(args);
    }

    @Command(name = "run", description = "Run a scenario (or resume an interrupted run).", mixinStandardHelpOptions = true,
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {
                    "0:every planned episode finished",
                    "1:the run ended early (a part of it failed: recorder, memory); resume it with --resume",
                    "2:invalid input (scenario, dataset, memory store) or usage",
                    "3:some episodes failed; they are recorded as failed and rerun with --resume",
                    "4:could not start: a model failed its pre-flight check (server down, model not served, "
                            + "folder that does not load); nothing ran"})
    static final class Run implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "SCENARIO", description = "The scenario file.")
        Path scenario;

        @Option(names = "--set", paramLabel = "PATH=VALUE",
                description = "Override a scenario value, e.g. --set models.policy.base-url=http://localhost:8000/v1; "
                        + "list items by position or name: --set protocols.debate.rounds=3")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--resume", paramLabel = "RUN_DIR",
                description = "Continue an interrupted run: finished episodes are kept, the rest run.")
        Path resume;

        @Option(names = "--no-progress", description = "Do not show progress while running.")
        boolean noProgress;

        @Option(names = "--cluster", paramLabel = "HOST:PORT",
                description = "Run across several JVMs: this one is the cluster's seed, bound at HOST:PORT, and runs "
                        + "episodes too; others join with: reverb node --join HOST:PORT")
        String cluster;

        @Option(names = "--no-report", description = "Do not write report.html and summary.csv at the end "
                + "(reverb report RUN_DIR writes them later).")
        boolean noReport;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if ((scenario == null) == (resume == null)) {
                err.println("error: give either a SCENARIO file or --resume RUN_DIR");
                return CommandLine.ExitCode.USAGE;
            }
            if (resume != null && !overrides.isEmpty()) {
                err.println("error: --set cannot be combined with --resume: a run keeps the scenario it started with");
                return CommandLine.ExitCode.USAGE;
            }
            Scenario loaded;
            RunFolder folder;
            Engine engine = Engine.LOCAL;
            try {
                if (resume != null) {
                    folder = RunFolder.open(resume);
                    loaded = ScenarioLoader.load(folder.scenario(), List.of());
                } else {
                    loaded = ScenarioLoader.load(scenario, overrides);
                    folder = RunFolder.create(loaded.run().output(), loaded.name(), loaded.resolvedYaml());
                }
            } catch (ScenarioException e) {
                err.println(e.getMessage());
                return INVALID;
            }
            if (cluster != null) {
                try {
                    engine = ClusterCommands.seed(cluster, loaded, folder);
                } catch (IllegalArgumentException e) {
                    if (resume == null) {
                        folder.deleteIfNothingRan();
                    }
                    err.println("error: " + e.getMessage());
                    return CommandLine.ExitCode.USAGE;
                }
            }
            Runner.Result result;
            try {
                try { // each dataset's path and SHA-256 in the run folder; on --resume, the same files or no run
                    RunDatasets.recordOrCheck(loaded.environment().settings(), folder.dir());
                } catch (DataException e) {
                    err.println("error: " + e.getMessage());
                    return INVALID;
                }
                out.println("Run folder: " + folder.dir());
                result = Runner.run(loaded, folder, new Runner.Options(!noProgress, out, System::getenv), engine);
            } catch (Exception | Error e) {
                if (resume == null && folder.deleteIfNothingRan()) {
                    out.println("Nothing ran; removed " + folder.dir());
                }
                throw e;
            }
            out.println();
            out.print(result.summary().table());
            out.println("Results: " + folder.dir());
            if (!noReport) {
                report(folder, out, err);
            }
            if (result.failed() > 0) {
                if (result.allFailedAlike()) {
                    err.printf("error: all %d episode(s) failed with the same cause: %s%n", result.failed(),
                            result.causes().keySet().iterator().next());
                }
                err.printf("%d episode(s) failed; they are recorded as failed; rerun them with: reverb run --resume %s%n",
                        result.failed(), folder.dir());
                return EPISODES_FAILED;
            }
            return 0;
        }
    }

    /** The run's report.html and summary.csv, as {@code reverb report} writes them; a failure only warns. */
    private static void report(RunFolder folder, PrintWriter out, PrintWriter err) {
        try {
            Report.Result report = Report.write(List.of(folder.dir()), null, ReportCommand.RESAMPLES, ReportCommand.SEED);
            out.println("Report: " + report.html());
        } catch (IOException | RuntimeException e) {
            err.println("warning: could not write the report (the run's results are complete): " + e.getMessage()
                    + "; try: reverb report " + folder.dir());
        }
    }

    @Command(name = "validate", description = "Check scenario files; print every problem as file:line:column: field: message.")
    static final class Validate implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files.")
        List<Path> files;

        @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a scenario value first.")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() {
            int status = 0;
            for (Path file : files) {
                try {
                    Scenario s = ScenarioLoader.load(file, overrides);
                    spec.commandLine().getOut().printf("%s: ok (%d agents, %d protocols, %d models)%n", file,
                            s.agents().size(), s.protocols().size(), s.models().size());
                } catch (ScenarioException e) {
                    spec.commandLine().getErr().println(e.getMessage());
                    status = INVALID;
                }
            }
            return status;
        }
    }
}
