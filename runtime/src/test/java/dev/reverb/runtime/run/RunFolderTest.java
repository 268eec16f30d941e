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
    void should_read_each_line_as_the_summary_row_when_reading_rows() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        String line = "{\"episode\":\"p/t1/r2\",\"task\":\"t1\",\"protocol\":\"p\",\"repeat\":2,"
                + "\"output\":\"x {\\\"y\\\"}\",\"per_round\":[{\"round\":0,\"correct\":false},{\"round\":1,"
                + "\"correct\":true}],\"messages\":[{\"text\":\"hi\",\"more\":{\"deep\":[1,2]}}],\"reward\":1.0,"
                + "\"feedback\":null,\"memory_used\":[\"m1\",\"m2\"],\"prompt_tokens\":3,\"completion_tokens\":4,"
                + "\"model_calls\":5,\"latency_ms\":6,\"correct\":true,\"simulated\":true,\"note\":null}";
        String failed = "{\"episode\":\"p/t2/r0\",\"task\":\"t2\",\"protocol\":\"p\",\"status\":\"failed\","
                + "\"error\":\"boom\",\"correct\":false,\"messages\":[]}";
        Files.writeString(folder.episodes(), line + "\n\n" + failed + "\n");

        var rows = folder.rows();

        assertThat(rows).containsExactly(dev.reverb.runtime.report.RunData.episode(Json.MAPPER.readTree(line)),
                dev.reverb.runtime.report.RunData.episode(Json.MAPPER.readTree(failed)));
        assertThat(rows.get(0).perRound()).containsExactly(false, true);
        assertThat(rows.get(0).memoryUsed()).isEqualTo(2);
        assertThat(rows.get(0).simulated()).isTrue();
        assertThat(rows.get(1).finished()).isFalse();
        assertThat(rows.get(1).error()).isEqualTo("boom");
        assertThat(folder.episodeRecords().get(0).path("messages").get(0).path("more").path("deep").get(1).asInt())
                .isEqualTo(2);
    }

    @Test
    void should_keep_complete_files_unchanged_when_opening() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        Files.writeString(folder.episodes(), "{\"episode\":\"a\"}\n");
        assertThat(RunFolder.open(folder.dir()).finishedEpisodes()).containsExactly("a");
        assertThat(Files.readString(folder.episodes())).isEqualTo("{\"episode\":\"a\"}\n");
    }

    @Test
    void should_rerun_a_failed_episode_and_count_its_latest_record_when_resumed() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        Files.writeString(folder.episodes(), """
                {"episode":"a","status":"finished"}
                {"episode":"b","status":"failed","error":"boom"}
                {"episode":"c","status":"failed","error":"boom"}
                {"episode":"b","status":"finished"}
                """);

        RunFolder reopened = RunFolder.open(folder.dir());

        assertThat(reopened.finishedEpisodes()).containsExactly("a", "b");
        assertThat(reopened.latestRecords()).extracting(r -> r.path("episode").asText() + ":" + r.path("status").asText())
                .containsExactly("a:finished", "b:finished", "c:failed");
    }

    @Test
    void should_sum_the_wall_time_of_every_session_when_sessions_are_recorded() throws IOException {
        RunFolder folder = RunFolder.create(tmp, "demo", "name: demo\n");
        folder.recordSession(java.time.Instant.now(), 1.25, 3, 1);
        folder.recordSession(java.time.Instant.now(), 2.5, 1, 0);

        assertThat(RunFolder.open(folder.dir()).sessionWallTimes()).containsExactly(1.25, 2.5);
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
