package dev.reverb.runtime.cli;

import dev.reverb.runtime.cluster.ClusterNode;
import dev.reverb.runtime.cluster.ClusterSeed;
import dev.reverb.runtime.cluster.Coordinator;
import dev.reverb.runtime.run.Engine;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The cluster mode's command line: {@code reverb run --cluster HOST:PORT} and {@code reverb node --join HOST:PORT}. */
final class ClusterCommands {

    private ClusterCommands() {
    }

    /** The engine of {@code reverb run --cluster HOST:PORT}; a bad address is refused. */
    static Engine seed(String hostPort, Scenario scenario, RunFolder folder) throws IOException {
        Map.Entry<String, Integer> at = ClusterSeed.address(hostPort);
        String text = Files.readString(folder.scenario());
        return new ClusterSeed(at.getKey(), at.getValue(), new Coordinator.Run(text,
                folder.scenario().toAbsolutePath().toString(), folder.dir().getFileName().toString()));
    }

    @Command(name = "node", mixinStandardHelpOptions = true,
            description = "Join a cluster run as a worker: it runs episodes on this machine's own models and exits "
                    + "when the run ends or the seed goes away. The scenario comes from the seed; its datasets "
                    + "and local model folders must be at the same paths here (or given with --set).",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:the run ended", "1:this node stopped early (the seed went away, or it could not join)",
                    "2:usage", "4:could not start: a model of this node failed its pre-flight check (it took no "
                    + "episode; the seed's console says so too)"})
    static final class Node implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--join", required = true, paramLabel = "HOST:PORT", description = "The seed node's address.")
        String join;

        @Option(names = "--host", paramLabel = "HOST",
                description = "The address other nodes reach this one at (default: 127.0.0.1 when the seed is on "
                        + "loopback, else this machine's address).")
        String host;

        @Option(names = "--port", paramLabel = "PORT", description = "This node's port (default: any free one).")
        int port;

        @Option(names = "--set", paramLabel = "PATH=VALUE",
                description = "Override a value of the seed's scenario on this node, e.g. a model's base-url or a "
                        + "dataset path; run.concurrency is this node's capacity.")
        List<String> overrides = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Map.Entry<String, Integer> seed;
            try {
                seed = ClusterSeed.address(join);
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            String self = host != null ? host : InetAddress.getByName(seed.getKey()).isLoopbackAddress()
                    ? "127.0.0.1" : InetAddress.getLocalHost().getHostAddress();
            out.println("Joining " + join + " as " + self + (port == 0 ? "" : ":" + port));
            out.flush();
            String why = ClusterNode.run(join, self, port, overrides, new Runner.Options(false, out, System::getenv));
            if (why != null) {
                err.println("error: " + why);
                return 1;
            }
            out.println("The run ended.");
            return 0;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true,
            description = "Episodes/s of one scenario run on 1, 2, ... local JVMs joined in a cluster (real processes, "
                    + "Artery TCP on 127.0.0.1), the simulated model slowed to a fixed latency per call with a "
                    + "per-node concurrency limit, so the model is the bottleneck; prints the scaling ratio. "
                    + "The numbers are the machinery's, not a language model's.")
    static final class BenchCluster implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--scenario", defaultValue = "scenarios/quickstart.yaml",
                description = "A scenario whose model 'policy' is simulated (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path scenario;

        @Option(names = "--nodes", defaultValue = "3", description = "Up to this many JVMs (default: ${DEFAULT-VALUE}).")
        int nodes;

        @Option(names = "--latency-ms", defaultValue = "50", description = "Each model call's latency (default: ${DEFAULT-VALUE}).")
        long latencyMs;

        @Option(names = "--model-concurrency", defaultValue = "2",
                description = "Model calls at once per node (default: ${DEFAULT-VALUE}).")
        int modelConcurrency;

        @Option(names = "--count", defaultValue = "40", description = "Tasks (environment.count) (default: ${DEFAULT-VALUE}).")
        int count;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            java.nio.file.Path dir = Files.createTempDirectory("reverb-bench-cluster");
            List<String> settings = List.of("environment.count=" + count, "models.policy.concurrency=" + modelConcurrency,
                    "run.concurrency=" + (4 * modelConcurrency), "run.output=" + dir);
            out.printf(java.util.Locale.ROOT, "%s, %d tasks; simulated model (a labelled stand-in): %d ms per call, "
                    + "%d calls at once per node; JVMs on 127.0.0.1%n", scenario, count, latencyMs, modelConcurrency);
            out.printf("%-6s %12s %8s %11s%n", "nodes", "episodes/s", "ratio", "per node");
            double base = 0;
            for (int k = 1; k <= nodes; k++) {
                double rate = once(k, settings, dir);
                base = k == 1 ? rate : base;
                out.printf(java.util.Locale.ROOT, "%-6d %12.2f %7.2fx %10.0f%%%n", k, rate, rate / base,
                        100 * rate / base / k);
                out.flush();
            }
            out.println("ratio: episodes/s over one node's; near-linear while the model (latency x concurrency) is "
                    + "the bottleneck. The machine's cores are shared by every JVM: compare ratios, not absolute rates.");
            return 0;
        }

        /** One run on {@code k} JVMs; the seed waits for all of them (akka.cluster.min-nr-of-members) before work starts. */
        private double once(int k, List<String> settings, java.nio.file.Path dir) throws Exception {
            int port;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            List<Process> started = new ArrayList<>();
            try {
                List<String> seedArgs = new ArrayList<>(List.of("seed", scenario.toAbsolutePath().toString(),
                        String.valueOf(port), String.valueOf(latencyMs)));
                seedArgs.addAll(settings);
                java.nio.file.Path seedLog = dir.resolve("seed-" + k + ".log");
                Process seed = start(seedArgs, k, seedLog);
                started.add(seed);
                for (int i = 1; i < k; i++) {
                    List<String> nodeArgs = new ArrayList<>(List.of("node", scenario.toAbsolutePath().toString(),
                            "127.0.0.1:" + port, "0", String.valueOf(latencyMs)));
                    nodeArgs.addAll(settings);
                    started.add(start(nodeArgs, k, dir.resolve("node-" + k + "-" + i + ".log")));
                }
                if (!seed.waitFor(600, java.util.concurrent.TimeUnit.SECONDS) || seed.exitValue() != 0) {
                    throw new IllegalStateException("the seed of the " + k + "-node run failed; see " + seedLog);
                }
                for (String line : Files.readAllLines(seedLog)) {
                    if (line.startsWith("episodes/s ")) {
                        return Double.parseDouble(line.split(" ")[1]);
                    }
                }
                throw new IllegalStateException("no rate in " + seedLog);
            } finally {
                for (Process p : started) {
                    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
            }
        }

        private static Process start(List<String> args, int members, java.nio.file.Path log) throws IOException {
            List<String> command = new ArrayList<>(ChildJvm.command("512m",
                    List.of("-Dakka.cluster.min-nr-of-members=" + members), "dev.reverb.runtime.cluster.BenchNode",
                    false));
            command.addAll(args);
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }
    }
}
