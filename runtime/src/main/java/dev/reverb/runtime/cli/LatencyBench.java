package dev.reverb.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reverb bench latency}: a latency-bound run at its limit. Debate episodes (3 debaters, 3
 * answers each, majority vote: 9 model calls, 3 after one another) against the simulated
 * stand-in with a fixed latency and a concurrency limit, through the normal runner with every
 * run file written. The capacity bound is calls × latency ÷ concurrency (or one episode's
 * critical path, 3 latencies, when larger); wall ÷ bound is 1 when the model never idles.
 */
@Command(name = "latency", description = "Debate episodes against a simulated model with a fixed latency: wall time "
        + "versus the capacity bound (calls x latency / concurrency).")
final class LatencyBench implements Callable<Integer> {

    /** Model calls of one episode: 3 debaters × 3 answers; the vote is no call. */
    static final int CALLS = 9;
    /** Calls one after another in an episode (its critical path). */
    static final int DEPTH = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--episodes", defaultValue = "1000", description = "Debate episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--latency-ms", defaultValue = "200", description = "The model's latency per call (default: ${DEFAULT-VALUE}).")
    int latencyMs;

    @Option(names = "--model-concurrency", defaultValue = "64", description = "Calls in flight at once (default: ${DEFAULT-VALUE}).")
    int modelConcurrency;

    @Option(names = "--concurrency", defaultValue = "64", description = "Episodes at once, run.concurrency (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--output", description = "Where to keep the run folder (default: a temporary folder, deleted after).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = BenchRun.output(output, "latency");
        try {
            long calls = (long) episodes * CALLS;
            double bound = Math.max(calls * latencyMs / 1000.0 / modelConcurrency, DEPTH * latencyMs / 1000.0);
            out.printf(Locale.ROOT, "latency bench: %d debate episodes (3 debaters x 3 answers, majority vote), simulated "
                            + "model (a stand-in, not a language model) at %d ms per call, %d calls at once, %d episodes "
                            + "at once; %d cores%n", episodes, latencyMs, modelConcurrency, concurrency,
                    Runtime.getRuntime().availableProcessors());
            out.flush();
            BenchRun run = BenchRun.of(scenario(dir), dir);
            BenchRun.check(run, episodes, out);
            out.printf(Locale.ROOT, "calls %d, wall %.2f s, capacity bound %.2f s (%d x %d ms / %d), episodes recorded %d%n",
                    calls, run.wallSeconds(), bound, calls, latencyMs, modelConcurrency, run.recorded());
            out.println("wall time: " + run.phases().describe() + String.format(Locale.ROOT,
                    "; the model was busy %.1f%% of the calls' span", 100 * calls * latencyMs / 1000.0
                            / modelConcurrency / Math.max(run.phases().calls(), 1e-9)));
            out.printf(Locale.ROOT, "latency: wall/bound %.3f%n", run.wallSeconds() / bound);
        } finally {
            if (output == null) {
                BenchRun.delete(dir);
            }
        }
        return 0;
    }

    private String scenario(Path dir) {
        return String.format(Locale.ROOT, """
                name: bench-latency
                environment: {type: arithmetic, count: %d, seed: 7}
                models:
                  policy:
                    model: simulated-policy
                    concurrency: %d
                    timeout: 60s
                    simulated: {accuracy: 0.55, fix-rate: 0.5, latency: %dms}
                agents:
                  - {name: alice, role: debater, model: policy}
                  - {name: bob, role: debater, model: policy}
                  - {name: carol, role: debater, model: policy}
                protocols:
                  - {name: debate, type: debate, debaters: [alice, bob, carol], rounds: 2, aggregate: majority}
                run: {concurrency: %d, seed: 42, output: "%s"}
                """, episodes, modelConcurrency, latencyMs, concurrency, dir.toString().replace("\\", "/"));
    }
}
