package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the cluster mode's command line refuses, before any actor system starts. */
class ClusterCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int reverb(String... args) {
        return ReverbCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private static String scenario(String name) {
        return Path.of(System.getProperty("reverb.root", ".")).resolve("scenarios").resolve(name).toString();
    }

    @Test
    void should_refuse_an_address_without_a_port_when_run_on_a_cluster() {
        int status = reverb("run", scenario("quickstart.yaml"), "--cluster", "localhost",
                "--set", "run.output=" + dir.resolve("runs"), "--no-progress", "--no-report");
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("expected HOST:PORT, got 'localhost'");
    }

    @Test
    void should_refuse_a_seed_address_without_a_port_when_a_node_joins() {
        assertThat(reverb("node", "--join", "seed-host")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("expected HOST:PORT");
    }
}
