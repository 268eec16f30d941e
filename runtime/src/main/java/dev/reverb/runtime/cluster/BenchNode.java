package dev.reverb.runtime.cluster;

import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.RunListener;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node of a cluster run in its own JVM, for {@code reverb bench cluster} and the cluster tests: as
 * {@code reverb run --cluster} or {@code reverb node --join} do, but with the scenario's model
 * {@code policy} (the simulated stand-in) given a fixed latency per call ({@code simulated.latency}), so
 * that the model is the bottleneck. The seed prints {@code episodes/s R} at the end: episodes over the time from the first
 * episode's end to the last's.
 *
 * <pre>
 * seed SCENARIO PORT LATENCY_MS [PATH=VALUE...]
 * node SCENARIO SEED_HOST:PORT PORT LATENCY_MS [PATH=VALUE...]
 * </pre>
 * A node runs the scenario the seed sends (with the latency in it); its own arguments only name the seed.
 */
public final class BenchNode {

    private BenchNode() {
    }

    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        boolean seed = args[0].equals("seed");
        Path file = Path.of(args[1]);
        int at = seed ? 2 : 3;
        int port = Integer.parseInt(args[at]);
        List<String> overrides = new ArrayList<>(Arrays.asList(args).subList(at + 2, args.length));
        overrides.add("models.policy.simulated.latency=" + Long.parseLong(args[at + 1]) + "ms");
        Scenario scenario = ScenarioLoader.load(file, overrides);
        Runner.Options options = new Runner.Options(false, out, System::getenv);
        int status;
        if (seed) {
            RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
            out.println("Run folder: " + folder.dir());
            AtomicLong first = new AtomicLong();
            AtomicLong last = new AtomicLong();
            AtomicInteger ended = new AtomicInteger();
            Runner.Result result = Runner.run(scenario, folder, options.withListener(new RunListener() {
                @Override
                public void episodeEnded(EpisodePlan plan, EpisodeOutcome outcome) {
                    long now = System.nanoTime();
                    first.compareAndSet(0, now);
                    last.set(now);
                    ended.incrementAndGet();
                }

                @Override
                public void allDone() {
                }
            }), new ClusterSeed("127.0.0.1", port, new Coordinator.Run(Files.readString(folder.scenario()),
                    folder.scenario().toString(), folder.dir().getFileName().toString())));
            double seconds = (last.get() - first.get()) / 1e9;
            out.printf(Locale.ROOT, "episodes/s %.3f (%d episodes, %d failed)%n",
                    seconds > 0 ? (ended.get() - 1) / seconds : 0.0, ended.get(), result.failed());
            status = result.failed() == 0 ? 0 : 3;
        } else {
            String why;
            try {
                why = ClusterNode.run(args[2], "127.0.0.1", port, List.of(), options);
            } catch (Runner.CouldNotStart e) {
                out.println("error: " + e.getMessage());
                System.exit(4);
                return;
            }
            out.println(why == null ? "The run ended." : "stopped: " + why);
            status = why == null ? 0 : 1;
        }
        System.exit(status);
    }
}
