package dev.reverb.runtime.cli;

import dev.reverb.runtime.cluster.ClusterNode;
import dev.reverb.runtime.cluster.ClusterSeed;
import dev.reverb.runtime.cluster.Coordinator;
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

    /** The engine of {@code reverb run --cluster HOST:PORT}; a bad address or a scenario with memory is refused. */
    static Runner.Engine seed(String hostPort, Scenario scenario, RunFolder folder) throws IOException {
        Map.Entry<String, Integer> at = ClusterSeed.address(hostPort);
        if (scenario.memory().enabled()) {
            throw new IllegalArgumentException(ClusterSeed.MEMORY_UNSUPPORTED);
        }
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
                    "2:usage"})
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
}
