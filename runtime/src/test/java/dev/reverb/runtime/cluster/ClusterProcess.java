package dev.reverb.runtime.cluster;

import dev.reverb.agents.model.ModelBackend;
import dev.reverb.environments.Environment;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.backend.SimulatedBackend;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * One node of a cluster run in its own JVM, for {@link ClusterProcessesTest}: as {@code reverb run
 * --cluster} or {@code reverb node --join} do, but with the scenario's simulated model {@code policy}
 * slowed to a fixed latency per call (so that a node can be killed part-way).
 *
 * <pre>
 * seed SCENARIO PORT LATENCY_MS [PATH=VALUE...]
 * node SCENARIO SEED_HOST:PORT PORT LATENCY_MS [PATH=VALUE...]
 * </pre>
 * A node's settings only build its slowed model (the simulated stand-in looks tasks up by id); the
 * scenario it runs is the one the seed sends.
 */
public final class ClusterProcess {

    public static void main(String[] args) throws Exception {
        PrintWriter out = new PrintWriter(System.out, true);
        boolean seed = args[0].equals("seed");
        Path file = Path.of(args[1]);
        int at = seed ? 2 : 3;
        int port = Integer.parseInt(args[at]);
        Duration latency = Duration.ofMillis(Long.parseLong(args[at + 1]));
        List<String> overrides = Arrays.asList(args).subList(at + 2, args.length);
        Scenario scenario = ScenarioLoader.load(file, overrides);
        Environment environment = Wiring.environment(scenario.environment(), Extensions.NONE);
        ModelBackend slow = new DelayedBackend(Wiring.backend(scenario.models().get("policy"), scenario.run().seed(),
                System::getenv, SimulatedBackend.lookup(environment.tasks())), latency);
        Runner.Options options = new Runner.Options(false, out, System::getenv).withBackend("policy", slow);
        int status;
        if (seed) {
            RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
            out.println("Run folder: " + folder.dir());
            Runner.Result result = Runner.run(scenario, folder, options, new ClusterSeed("127.0.0.1", port,
                    new Coordinator.Run(Files.readString(folder.scenario()), folder.scenario().toString(),
                            folder.dir().getFileName().toString())));
            out.println("failed: " + result.failed());
            status = result.failed() == 0 ? 0 : 3;
        } else {
            String why = ClusterNode.run(args[2], "127.0.0.1", port, List.of(), options);
            out.println(why == null ? "The run ended." : "stopped: " + why);
            status = why == null ? 0 : 1;
        }
        slow.close();
        System.exit(status);
    }
}
