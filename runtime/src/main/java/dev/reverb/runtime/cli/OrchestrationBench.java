package dev.reverb.runtime.cli;

import dev.reverb.runtime.run.RunFolder;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reverb bench orchestration}: what the runtime itself costs per agent turn. The workload is
 * a debate of 3 debaters giving 3 answers each (the first and 2 rounds of revision, 9 agent turns)
 * and a majority vote per round, on generated arithmetic problems, against an instant model: the
 * {@code simulated} stand-in, a real {@code ModelBackend} behind the real model gateway, whose
 * answers cost next to nothing, so what is measured is the orchestration (actors, prompts, votes,
 * verifiers, recording). Every episode runs through the normal runner into a temporary run folder
 * with all its run files. After a warm-up that lasts until the JIT compiler has settled, for
 * concurrency 1 and 64, trace on and off, it times a small and a large run and reports the slope
 * between them (start-up excluded) as microseconds per agent turn, with the number of episodes read
 * back from {@code episodes.jsonl}. These are not a language model's numbers.
 */
@Command(name = "orchestration", description = "Microseconds per agent turn of a 3-debater, 3-answer debate with a "
        + "majority vote against an instant in-process model (the simulated stand-in), concurrency 1 and 64, trace "
        + "on and off; the last line is concurrency 64 with the trace on.")
final class OrchestrationBench implements Callable<Integer> {

    /** Agent turns per episode: 3 debaters x (1 answer + 2 rounds of revision). */
    static final int TURNS_PER_EPISODE = 9;

    /** The warm-up ends once the JIT compiler took less than this share of a round's wall time. */
    static final double SETTLED = 0.15;

    /** The longest warm-up. */
    static final Duration WARM_UP_LIMIT = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Option(names = "--small", defaultValue = "200", description = "Episodes of the small run (default: ${DEFAULT-VALUE}).")
    int small;

    @Option(names = "--large", defaultValue = "3000", description = "Episodes of the large run (default: ${DEFAULT-VALUE}).")
    int large;

    @Option(names = "--repeats", defaultValue = "3",
            description = "Timed runs of each size per configuration; the fastest counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,64",
            description = "Episodes at once, one configuration each (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    /** One configuration's figures. */
    record Figures(int concurrency, boolean trace, double microsPerTurn, double cpuMicrosPerTurn, long smallRecorded,
                   long largeRecorded) {
        double turnsPerSecond() {
            return 1e6 / microsPerTurn;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (small < 1 || large <= small || repeats < 1) {
            spec.commandLine().getErr().println("error: need 1 <= --small < --large and --repeats >= 1");
            return 2;
        }
        Path dir = Files.createTempDirectory("reverb-bench-orchestration");
        try {
            out.printf(Locale.ROOT, "debate: 3 debaters x 3 answers + majority vote (%d agent turns per episode), "
                    + "instant in-process model (simulated stand-in: not a language model)%n", TURNS_PER_EPISODE);
            out.printf(Locale.ROOT, "slope between %d and %d episodes, fastest of %d runs each, on %d cores; run files "
                    + "in %s%n", small, large, repeats, Runtime.getRuntime().availableProcessors(), dir);
            out.flush();
            warmUp(dir, out);
            Figures last = null;
            for (boolean trace : new boolean[] {false, true}) {
                for (int c : concurrency) {
                    last = measure(dir, c, trace);
                    out.printf(Locale.ROOT, "concurrency %3d, trace %-3s: %8.1f us/turn  %9.0f turns/s  "
                                    + "(CPU %6.1f us/turn; episodes recorded: %d of %d, %d of %d)%n", c,
                            trace ? "on" : "off", last.microsPerTurn(), last.turnsPerSecond(), last.cpuMicrosPerTurn(),
                            last.smallRecorded(), small, last.largeRecorded(), large);
                    out.flush();
                    if (last.smallRecorded() != small || last.largeRecorded() != large) {
                        spec.commandLine().getErr().println("error: episodes missing from episodes.jsonl");
                        return 1;
                    }
                }
            }
            out.printf(Locale.ROOT, "orchestration: %.1f us/turn%n", last.microsPerTurn());
            return 0;
        } finally {
            BenchRun.delete(dir);
        }
    }

    /**
     * Runs every configuration's large run in turn until the JIT compiler has settled: until a round's compiling
     * (all compiler threads) took under {@link #SETTLED} of its wall time, or for {@link #WARM_UP_LIMIT} at most.
     * Until then the compiler takes a core of its own, and a measured run would race it (on 2 cores, for the
     * first 20 to 60 s): the figures are a long run's, not its first seconds'.
     */
    private void warmUp(Path dir, PrintWriter out) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        int rounds = 0;
        double share = 1;
        while (share >= SETTLED && System.nanoTime() - start < WARM_UP_LIMIT.toNanos()) {
            long compiling = timed ? jit.getTotalCompilationTime() : 0;
            long round = System.nanoTime();
            for (boolean trace : new boolean[] {false, true}) {
                for (int c : concurrency) {
                    run(dir, large, c, trace);
                }
            }
            rounds++;
            share = timed ? (jit.getTotalCompilationTime() - compiling) / ((System.nanoTime() - round) / 1e6) : 0;
        }
        out.printf(Locale.ROOT, "warm-up: %d round(s) of every configuration in %.1f s; %s%n", rounds,
                (System.nanoTime() - start) / 1e9, !timed ? "this JVM does not time its JIT compiler"
                        : String.format(Locale.ROOT, "the JIT compiler took %.0f%% of the last round's time%s",
                        100 * share, share < SETTLED ? "" : " (not settled: the figures below include compiling)"));
        out.flush();
    }

    private Figures measure(Path dir, int c, boolean trace) throws Exception {
        double bestSmall = Double.MAX_VALUE;
        double bestLarge = Double.MAX_VALUE;
        double cpuSmall = Double.MAX_VALUE;
        double cpuLarge = Double.MAX_VALUE;
        long smallRecorded = 0;
        long largeRecorded = 0;
        for (int r = 0; r < repeats; r++) {
            BenchRun s = run(dir, small, c, trace);
            BenchRun l = run(dir, large, c, trace);
            bestSmall = Math.min(bestSmall, s.wallSeconds());
            bestLarge = Math.min(bestLarge, l.wallSeconds());
            cpuSmall = Math.min(cpuSmall, s.cpuSeconds());
            cpuLarge = Math.min(cpuLarge, l.cpuSeconds());
            smallRecorded = s.recorded();
            largeRecorded = l.recorded();
        }
        double turns = (double) (large - small) * TURNS_PER_EPISODE;
        return new Figures(c, trace, (bestLarge - bestSmall) * 1e6 / turns, (cpuLarge - cpuSmall) * 1e6 / turns,
                smallRecorded, largeRecorded);
    }

    /** One run of {@code episodes} debate episodes ({@link BenchRun#of}), which must all succeed; its run folder is then removed. */
    static BenchRun run(Path dir, int episodes, int concurrency, boolean trace) throws Exception {
        BenchRun run = BenchRun.of(scenario(episodes, concurrency, trace, dir), dir);
        if (run.failed() > 0) {
            throw new IllegalStateException(run.failed() + " episode(s) failed: " + run.causes());
        }
        Path traceFile = run.folder().resolve(RunFolder.TRACE);
        if (trace != Files.exists(traceFile)) {
            throw new IllegalStateException("trace " + (trace ? "on but no " : "off but a ") + traceFile);
        }
        BenchRun.delete(run.folder());
        return run;
    }

    /** The benchmark's scenario: {@code episodes} arithmetic problems, each debated once. */
    static String scenario(int episodes, int concurrency, boolean trace, Path output) {
        return """
                name: orchestration
                description: reverb bench orchestration (simulated stand-in as an instant model)
                environment: {type: arithmetic, count: %d, min-steps: 2, max-steps: 4, seed: 1}
                models:
                  instant:
                    model: instant
                    concurrency: 256
                    simulated: {accuracy: 0.6, fix-rate: 0.5}
                agents:
                  - {name: alice, role: debater, model: instant}
                  - {name: bob, role: debater, model: instant}
                  - {name: carol, role: debater, model: instant}
                protocols:
                  - {name: debate, type: debate, debaters: [alice, bob, carol], rounds: 2}
                run: {concurrency: %d, seed: 1, output: '%s', trace: %s}
                """.formatted(episodes, concurrency, output.toString().replace("'", "''"), trace);
    }
}
