package dev.reverb.runtime.cli;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.code.CodeEnvironment;
import dev.reverb.environments.code.HumanEval;
import dev.reverb.environments.code.Sandbox;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reverb bench sandbox}: what the kernel boundary costs. One execution at a time (after a
 * warm-up), it reports executions/s and p50/p99 latency of a trivial passing program under
 * {@code bwrap} and under {@code unsafe-local}, the p50 the boundary adds, and the same for a full
 * HumanEval-style {@code verify} (candidate and tests in two sandboxes).
 */
@Command(name = "sandbox", description = "Executions/s and p50/p99 latency of a trivial program with and without the "
        + "bubblewrap boundary, and of a full HumanEval-style verify; prints the p50 the boundary adds.")
final class SandboxBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "100", description = "Timed executions per case (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed executions first (default: ${DEFAULT-VALUE}).")
    int warmup;

    private static final HumanEval.Problem ADD = new HumanEval.Problem("Bench/0",
            "def add(a: int, b: int) -> int:\n    \"\"\" Add two numbers. \"\"\"\n", "add", "    return a + b\n",
            "\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n", 1);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Sandbox.Limits limits = CodeEnvironment.DEFAULT_LIMITS;
        Sandbox bwrap;
        try {
            bwrap = Sandbox.create(Sandbox.Isolation.BWRAP);
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
        Sandbox local = Sandbox.unsafeLocal(bwrap.interpreter()); // the same interpreter: only the boundary differs
        out.printf(Locale.ROOT, "interpreter: %s (bwrap), %s (unsafe-local); %d runs after %d warm-up, one at a time%n",
                bwrap.interpreter(), local.interpreter(), runs, warmup);
        try {
            out.println("load average: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip()
                    + " on " + Runtime.getRuntime().availableProcessors() + " cores");
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no load figure
        }
        String program = "print(sum(range(10)))\n";
        double[][] pair = measure(() -> bwrap.run(program, limits).succeeded(), () -> local.run(program, limits).succeeded());
        double[] withBoundary = pair[0];
        double[] without = pair[1];
        print(out, "trivial program, bwrap", withBoundary);
        print(out, "trivial program, unsafe-local", without);
        out.printf(Locale.ROOT, "added by the boundary: p50 %+.1f ms, p99 %+.1f ms%n",
                percentile(withBoundary, 50) - percentile(without, 50), percentile(withBoundary, 99) - percentile(without, 99));
        String answer = "```python\ndef add(a, b):\n    return a + b\n```";
        CodeEnvironment guarded = CodeEnvironment.of(List.of(ADD), DatasetReport.clean("bench", 1), bwrap, limits);
        CodeEnvironment open = CodeEnvironment.of(List.of(ADD), DatasetReport.clean("bench", 1), local, limits);
        double[][] verify = measure(() -> guarded.verify(guarded.tasks().get(0), answer).correct(),
                () -> open.verify(open.tasks().get(0), answer).correct());
        print(out, "humaneval-style verify (2 sandboxes), bwrap", verify[0]);
        print(out, "humaneval-style verify (2 sandboxes), unsafe-local", verify[1]);
        out.printf(Locale.ROOT, "added by the boundary to a verify: p50 %+.1f ms%n",
                percentile(verify[0], 50) - percentile(verify[1], 50));
        return 0;
    }

    /** Times two executions alternately (so that a change in machine load hits both alike); sorted milliseconds. */
    private double[][] measure(BooleanSupplier a, BooleanSupplier b) {
        for (int i = 0; i < warmup; i++) {
            check(a.getAsBoolean());
            check(b.getAsBoolean());
        }
        double[][] millis = new double[2][runs];
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < 2; k++) {
                BooleanSupplier execution = (i + k) % 2 == 0 ? a : b;
                long start = System.nanoTime();
                check(execution.getAsBoolean());
                millis[execution == a ? 0 : 1][i] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(millis[0]);
        Arrays.sort(millis[1]);
        return millis;
    }

    private static void check(boolean passed) {
        if (!passed) {
            throw new IllegalStateException("a trivial passing program failed in the sandbox");
        }
    }

    private static void print(PrintWriter out, String name, double[] sorted) {
        double total = Arrays.stream(sorted).sum() / 1000.0;
        out.printf(Locale.ROOT, "%-45s %7.1f exec/s   p50 %6.1f ms   p99 %6.1f ms%n", name, sorted.length / total,
                percentile(sorted, 50), percentile(sorted, 99));
    }

    private static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
