package dev.reverb.runtime.cli;

import ai.djl.engine.Engine;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code reverb doctor}: which Java, engine, engine version and devices this machine offers. */
@Command(name = "doctor", description = "Report the Java runtime, the DJL engine, its version and the devices it sees.")
final class Doctor implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("java: %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        out.printf("ai.djl.offline: %s%n", System.getProperty("ai.djl.offline", "false (set -Dai.djl.offline=true)"));
        try {
            Engine engine = Engine.getEngine("PyTorch");
            out.printf("engine: %s %s (DJL %s)%n", engine.getEngineName(), engine.getVersion(), Engine.getDjlVersion());
            out.printf("gpus: %d%n", engine.getGpuCount());
            out.printf("default device: %s%n", engine.defaultDevice());
            return 0;
        } catch (RuntimeException | Error e) {
            out.printf("engine: PyTorch could not be loaded: %s%n", e.getMessage());
            return 1;
        }
    }
}
