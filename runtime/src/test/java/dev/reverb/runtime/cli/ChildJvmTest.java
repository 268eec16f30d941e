package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChildJvmTest {

    @Test
    void passesOnTheCollectorArchiveAndPropertiesButNotTheHeapRecordingOrDebugger() {
        List<String> parent = List.of("-XX:SharedArchiveFile=/x/reverb.jsa", "-Xlog:cds=off",
                "-XX:MaxTenuringThreshold=0", "-Dai.djl.offline=true", "-Xmx2g", "-Xms1g",
                "-XX:ArchiveClassesAtExit=/x/reverb.jsa.12", "-XX:StartFlightRecording=filename=a.jfr",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=5005", "-javaagent:/x/jacoco.jar", "-ea");

        assertThat(ChildJvm.options(parent, false)).containsExactly("-XX:SharedArchiveFile=/x/reverb.jsa",
                "-Xlog:cds=off", "-XX:MaxTenuringThreshold=0", "-Dai.djl.offline=true", "-ea");
    }

    @Test
    void aChildThatRunsWhatTheArchiveIsForWritesItUnderItsOwnName() {
        List<String> parent = List.of("-XX:ArchiveClassesAtExit=/x/reverb.jsa.12", "-Xmx1g", "-Xlog:cds=off");

        assertThat(ChildJvm.options(parent, true)).containsExactly(
                "-XX:ArchiveClassesAtExit=/x/reverb.jsa.12" + ChildJvm.CHILD_ARCHIVE, "-Xlog:cds=off");
    }

    @Test
    void startsAChildWithItsOwnHeapAndTheExtraOptions() throws IOException, InterruptedException {
        List<String> command = ChildJvm.command("96m", List.of("-Dreverb.child.test=yes"), Child.class.getName(),
                false);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("offline true", "extra yes");
        assertThat(command).filteredOn(arg -> arg.startsWith("-Xmx")).containsExactly("-Xmx96m");
        long maxHeapMb = Long.parseLong(out.lines().filter(l -> l.startsWith("max heap MB ")).findFirst()
                .orElseThrow().substring("max heap MB ".length()));
        assertThat(maxHeapMb).as("the child's own heap, not this JVM's").isBetween(64L, 96L);
    }

    /** The child: prints what it was started with. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println("max heap MB " + Math.round(Runtime.getRuntime().maxMemory() / (1024.0 * 1024)));
            System.out.println("offline " + System.getProperty("ai.djl.offline"));
            System.out.println("extra " + System.getProperty("reverb.child.test"));
            System.out.println("arguments " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
    }
}
