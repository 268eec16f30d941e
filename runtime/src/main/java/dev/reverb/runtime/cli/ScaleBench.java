package dev.reverb.runtime.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reverb bench scale}: many one-call episodes in flight in one JVM. Reflexion episodes of
 * one trial (one model call each, then the verifier) against the simulated stand-in with a fixed
 * latency and a concurrency limit, all started at once ({@code run.concurrency} = episodes),
 * through the normal runner with every run file written. The run goes in a child JVM with a
 * fixed {@code -Xmx}, so finishing at all shows it fits; the peak heap printed is the largest
 * heap in use just after a garbage collection (from the collectors' notifications: what the run
 * holds, not garbage waiting to be collected).
 */
@Command(name = "scale", description = "Many one-call episodes in flight at once in one JVM (a child JVM with a fixed "
        + "-Xmx): peak heap, episodes/s and wall time versus the capacity bound.")
final class ScaleBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--episodes", defaultValue = "100000", description = "Episodes, all in flight (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--latency-ms", defaultValue = "100", description = "The model's latency per call (default: ${DEFAULT-VALUE}).")
    int latencyMs;

    @Option(names = "--model-concurrency", defaultValue = "256", description = "Calls in flight at once (default: ${DEFAULT-VALUE}).")
    int modelConcurrency;

    @Option(names = "--heap", defaultValue = "1g", description = "The child JVM's -Xmx (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--in-process", hidden = true, description = "Run here instead of in a child JVM.")
    boolean inProcess;

    @Option(names = "--output", description = "Where to keep the run folder (default: a temporary folder, deleted after).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!inProcess) {
            return child(out);
        }
        AtomicLong peak = new AtomicLong();
        AtomicLong gcMillis = new AtomicLong();
        AtomicLong collections = new AtomicLong();
        watchCollections(peak, gcMillis, collections);
        Path dir = BenchRun.output(output, "scale");
        try {
            double bound = (double) episodes * latencyMs / 1000.0 / modelConcurrency;
            out.printf(Locale.ROOT, "scale bench: %d one-call episodes (reflexion, 1 trial), all in flight; simulated "
                            + "model (a stand-in, not a language model) at %d ms per call, %d calls at once; max heap "
                            + "%d MB; %d cores%n", episodes, latencyMs, modelConcurrency,
                    Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
            out.flush();
            BenchRun run = BenchRun.of(scenario(dir), dir);
            System.gc(); // one last collection, so a run shorter than the first one is measured too
            BenchRun.check(run, episodes, out);
            double wallBound = run.wallSeconds() / Math.max(bound, latencyMs / 1000.0);
            long peakMb = peak.get() >> 20;
            out.printf(Locale.ROOT, "episodes recorded %d, wall %.2f s, capacity bound %.2f s (%d x %d ms / %d), "
                            + "%.0f episodes/s, peak heap after GC %d MB, CPU %.1f s (all threads)%n", run.recorded(),
                    run.wallSeconds(), bound, (long) episodes, latencyMs, modelConcurrency,
                    run.recorded() / run.wallSeconds(), peakMb, run.cpuSeconds());
            out.println("wall time: " + run.phases().describe() + String.format(Locale.ROOT,
                    "; the model was busy %.1f%% of the calls' span", 100 * bound / Math.max(run.phases().calls(), 1e-9))
                    + String.format(Locale.ROOT, "; garbage collection %.2f s in %d collections (as the collectors report them)", gcMillis.get() / 1000.0,
                    collections.get()));
            out.printf(Locale.ROOT, "scale: %d episodes, peak heap %d MB, wall/bound %.3f%n", run.recorded(), peakMb,
                    wallBound);
        } finally {
            if (output == null) {
                BenchRun.delete(dir);
            }
        }
        return 0;
    }

    /** Runs this bench again in a child JVM with {@code -Xmx} {@link #heap}, passing its output through. */
    private int child(PrintWriter out) throws Exception {
        // started as this JVM was (./reverb's collector setting and class-data archive): it runs as a run does
        List<String> command = new ArrayList<>(ChildJvm.command(heap, List.of(), ReverbCli.class.getName(), true));
        command.addAll(List.of("bench", "scale", "--in-process", "--episodes", Integer.toString(episodes),
                "--latency-ms", Integer.toString(latencyMs), "--model-concurrency", Integer.toString(modelConcurrency)));
        if (output != null) {
            command.addAll(List.of("--output", output.toString()));
        }
        out.printf("running in a child JVM with -Xmx%s%n", heap);
        out.flush();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                out.println(line);
                out.flush();
            }
        }
        int exit = process.waitFor();
        if (exit != 0) {
            out.printf("the child JVM ended with exit code %d (out of memory under -Xmx%s?)%n", exit, heap);
        }
        return exit;
    }

    /** Keeps the largest heap in use just after any collection in {@code peak}, and counts the collections' time. */
    private static void watchCollections(AtomicLong peak, AtomicLong gcMillis, AtomicLong collections) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info =
                        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> isHeap(e.getKey()))
                        .mapToLong(e -> e.getValue().getUsed()).sum();
                peak.accumulateAndGet(used, Math::max);
                gcMillis.addAndGet(info.getGcInfo().getDuration());
                collections.incrementAndGet();
            }, null, null);
        }
    }

    private static boolean isHeap(String pool) {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .anyMatch(p -> p.getName().equals(pool) && p.getType() == java.lang.management.MemoryType.HEAP);
    }

    private String scenario(Path dir) {
        return String.format(Locale.ROOT, """
                name: bench-scale
                environment: {type: arithmetic, count: %d, seed: 7}
                models:
                  policy:
                    model: simulated-policy
                    concurrency: %d
                    timeout: 60s
                    simulated: {accuracy: 0.55, fix-rate: 0.5, latency: %dms}
                agents:
                  - {name: solver, role: solver, model: policy}
                protocols:
                  - {name: reflexion, type: reflexion, solver: solver, reflector: solver, max-trials: 1}
                run: {concurrency: %d, seed: 42, output: "%s"}
                """, episodes, modelConcurrency, latencyMs, episodes, dir.toString().replace("\\", "/"));
    }
}
