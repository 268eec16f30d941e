package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {

    @TempDir
    Path tmp;

    @Test
    void should_cut_a_torn_last_line_when_opening_to_resume() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        Files.writeString(folder.episodes(), "{\"episode\":\"a\"}\n{\"episode\":\"b\"}\n{\"episode\":\"c");
        Files.writeString(folder.trace(), "{\"x\":1}\n{\"x\":");

        RunFolder reopened = RunFolder.open(folder.dir());

        assertThat(reopened.finishedEpisodes()).containsExactly("a", "b");
        assertThat(Files.readString(reopened.episodes())).isEqualTo("{\"episode\":\"a\"}\n{\"episode\":\"b\"}\n");
        assertThat(Files.readString(reopened.trace())).isEqualTo("{\"x\":1}\n");
    }

    @Test
    void should_keep_complete_files_unchanged_when_opening() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        Files.writeString(folder.episodes(), "{\"episode\":\"a\"}\n");
        assertThat(RunFolder.open(folder.dir()).finishedEpisodes()).containsExactly("a");
        assertThat(Files.readString(folder.episodes())).isEqualTo("{\"episode\":\"a\"}\n");
    }

    @Test
    void should_make_distinct_folders_when_created_in_the_same_second() throws IOException {
        RunFolder a = RunFolder.create(tmp, "demo", "name: demo\n");
        RunFolder b = RunFolder.create(tmp, "demo", "name: demo\n");
        assertThat(a.dir()).isNotEqualTo(b.dir());
        assertThat(Files.readString(b.scenario())).isEqualTo("name: demo\n");
    }

    @Test
    void should_refuse_a_folder_without_a_resolved_scenario_when_resuming() {
        assertThatThrownBy(() -> RunFolder.open(tmp)).isInstanceOf(IOException.class).hasMessageContaining("not a run folder");
    }
}
