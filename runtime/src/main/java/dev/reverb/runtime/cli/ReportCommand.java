package dev.reverb.runtime.cli;

import dev.reverb.runtime.report.Comparison;
import dev.reverb.runtime.report.ProtocolRow;
import dev.reverb.runtime.report.Report;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reverb report RUN_DIR [RUN_DIR...]}: report.html and summary.csv for one or more runs. */
@Command(name = "report", description = {"Write report.html (self-contained: charts work offline) and summary.csv "
        + "for one or more finished or interrupted runs.",
        "With two protocols in one run, or two runs over the same tasks, adds a paired comparison "
                + "(McNemar's exact test, a bootstrap interval of the accuracy difference, the tasks that flipped)."})
final class ReportCommand implements Callable<Integer> {

    static final int RESAMPLES = 10_000;
    static final long SEED = 42;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folders (runs/SCENARIO/RUN-ID).")
    List<Path> runs;

    @Option(names = "--out", paramLabel = "DIR", description = "Where to write (default: the first run folder).")
    Path out;

    @Option(names = "--resamples", paramLabel = "N", defaultValue = "" + RESAMPLES,
            description = "Bootstrap resamples for the paired comparison (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "" + SEED,
            description = "Bootstrap seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (resamples < 1) {
            err.println("error: --resamples must be at least 1");
            return picocli.CommandLine.ExitCode.USAGE;
        }
        Report.Result result;
        try {
            result = Report.write(runs, out, resamples, seed);
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return ReverbCli.INVALID;
        }
        for (ProtocolRow r : result.rows()) {
            stdout.printf(Locale.ROOT, "%s %s: %d/%d finished correct (%.3f), %d/%d planned (%.3f), %d failed%s%n",
                    r.runId(), r.protocol(), r.correct(), r.finished(), nan(r.accuracyFinished()), r.correct(),
                    r.planned(), nan(r.accuracyPlanned()), r.failed(), r.simulated() ? " [SIMULATED]" : "");
        }
        for (Comparison c : result.comparisons()) {
            stdout.printf(Locale.ROOT, "%s vs %s: %d pairs, diff %+.3f [%+.3f, %+.3f], McNemar exact p = %.4g%n",
                    c.a(), c.b(), c.pairs(), nan(c.difference()), nan(c.diffCi95()[0]), nan(c.diffCi95()[1]),
                    c.pValue());
        }
        stdout.println("Report: " + result.html());
        stdout.println("Summary: " + result.csv());
        return 0;
    }

    private static double nan(double x) {
        return Double.isNaN(x) ? 0 : x;
    }
}
