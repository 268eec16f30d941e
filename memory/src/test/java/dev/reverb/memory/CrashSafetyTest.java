package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer process killed hard (SIGKILL) during a stream of writes: every acknowledged write survives. */
class CrashSafetyTest {

    @TempDir
    Path folder;

    @Test
    void should_reopen_consistent_with_every_acknowledged_write_when_the_writer_is_killed() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreWriter.class.getName(), folder.toString(), "100000").redirectErrorStream(true).start();
        Set<String> acked = new HashSet<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < 40 && (line = out.readLine()) != null) {
                if (line.startsWith("acked ")) {
                    acked.add("item-" + line.substring("acked ".length()));
                }
            }
            writer.destroyForcibly(); // SIGKILL, mid-stream
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acked).as("the writer acknowledged writes before it was killed").hasSize(40);

        try (LuceneStore store = LuceneStore.open(folder, 8)) {
            Set<String> present = new HashSet<>();
            store.list(MemoryQuery.Filter.ANY).forEach(item -> present.add(item.id()));
            assertThat(present).containsAll(acked);
            for (String id : present) { // consistent: every present item is whole and findable
                assertThat(store.get(id)).hasValueSatisfying(item -> assertThat(item.text()).startsWith("episode number"));
            }
            assertThat(store.search(new MemoryQuery("episode", null, 5, MemoryQuery.Filter.ANY))).hasSize(5);
        }
    }
}
