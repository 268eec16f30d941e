package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.data.DataFetcher;
import dev.reverb.runtime.data.Dataset;
import dev.reverb.runtime.data.Datasets;
import dev.reverb.runtime.data.MirrorServer;
import dev.reverb.runtime.data.RunDatasets;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.testing.ShippedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reverb data get|list} against a dataset mirror on loopback, and the datasets.json of a run. */
class DataCommandTest {

    @TempDir
    Path tmp;

    List<Path> regularFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void should_get_every_dataset_pinned_and_not_download_it_again_when_run_twice() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(ShippedData.SHARED_DATA), "needs " + ShippedData.SHARED_DATA + " to mirror");
        Path data = tmp.resolve("data");
        try (MirrorServer mirror = new MirrorServer().serve(ShippedData.SHARED_DATA)) {
            QuickstartTest.Cli first = reverb("data", "get", "all", "--dir", data.toString(), "--source", mirror.base().toString());

            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out().lines()).hasSize(4).allSatisfy(l -> assertThat(l).contains("downloaded from " + mirror.base()));
            for (Dataset d : Datasets.ALL) {
                assertThat(DataFetcher.sha256(data.resolve(d.data().path()))).isEqualTo(d.data().sha256());
                assertThat(data.resolve(d.licence().path())).isRegularFile();
            }
            int requests = mirror.requests();
            assertThat(requests).isEqualTo(8);

            QuickstartTest.Cli again = reverb("data", "get", "gsm8k", "game24", "--dir", data.toString(),
                    "--source", mirror.base().toString());

            assertThat(again.code()).isZero();
            assertThat(again.out().lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("already present"));
            assertThat(mirror.requests()).isEqualTo(requests);
        }
        assertThat(regularFiles(data)).noneMatch(f -> f.getFileName().toString().endsWith(".part"));

        QuickstartTest.Cli list = reverb("data", "list", "--dir", data.toString());
        assertThat(list.out()).contains("gsm8k").contains("ok, pinned digest").doesNotContain("missing");
    }

    @Test
    void should_exit_1_and_write_nothing_when_the_mirror_serves_a_corrupted_file() throws IOException {
        Path data = tmp.resolve("data");
        try (MirrorServer mirror = new MirrorServer()) {
            mirror.put("game24/24.csv", "Rank,Puzzles,AMT (s),Solved rate\n1,1 1 4 6,4.4,99.20%\n".getBytes(StandardCharsets.UTF_8));

            QuickstartTest.Cli cli = reverb("data", "get", "game24", "--dir", data.toString(), "--source", mirror.base().toString());

            assertThat(cli.code()).isEqualTo(DataCommand.FETCH_FAILED);
            assertThat(cli.err()).contains("error: game24: refused " + mirror.base().resolve("game24/24.csv"))
                    .contains("not the pinned " + Datasets.named("game24").orElseThrow().data().sha256())
                    .contains("1 of 1 dataset(s) not fetched");
        }
        assertThat(data).doesNotExist();
    }

    @Test
    void should_exit_2_naming_the_known_datasets_when_the_name_is_unknown() {
        QuickstartTest.Cli cli = reverb("data", "get", "gsm9k", "--dir", tmp.toString());

        assertThat(cli.code()).isEqualTo(DataCommand.BAD_INPUT);
        assertThat(cli.err()).contains("unknown dataset 'gsm9k' (known: gsm8k, math500, humaneval, game24, all)");
    }

    @Test
    void should_list_a_missing_dataset_with_the_command_that_gets_it() {
        QuickstartTest.Cli cli = reverb("data", "list", "--dir", tmp.toString());

        assertThat(cli.code()).isZero();
        assertThat(cli.out()).contains(tmp.resolve("math500/test.jsonl").toString()).contains("missing (reverb data get math500)");
    }

    @Test
    void should_record_each_dataset_in_the_run_and_refuse_to_resume_when_it_changed() throws IOException {
        Path csv = Files.writeString(tmp.resolve("24.csv"), "Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n"
                + "901,1 2 3 4,1,99%,1,1\n902,4 6 1 1,1,99%,1,1\n");
        QuickstartTest.Cli cli = reverb("run", ShippedData.ROOT.resolve("scenarios/game24-search.yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp.resolve("runs"), "--set", "environment.dataset=" + csv);
        assertThat(cli.code()).as(cli.err()).isZero();
        Path run;
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/game24-search"))) {
            run = runs.findFirst().orElseThrow();
        }

        JsonNode recorded = Json.MAPPER.readTree(run.resolve(RunDatasets.FILE).toFile());
        assertThat(recorded.path("files")).hasSize(1);
        JsonNode entry = recorded.path("files").get(0);
        assertThat(entry.path("key").asText()).isEqualTo("dataset");
        assertThat(entry.path("path").asText()).isEqualTo(csv.toString());
        assertThat(entry.path("sha256").asText()).isEqualTo(DataFetcher.sha256(csv));
        assertThat(entry.path("bytes").asLong()).isEqualTo(Files.size(csv));
        assertThat(entry.has("dataset")).as("not the pinned public file").isFalse();

        Files.writeString(csv, "903,1 1 4 6,1,99%,1,1\n", java.nio.file.StandardOpenOption.APPEND);
        QuickstartTest.Cli resumed = reverb("run", "--resume", run.toString(), "--no-progress");

        assertThat(resumed.code()).isEqualTo(ReverbCli.INVALID);
        assertThat(resumed.err()).contains("the dataset file changed since this run started: " + csv)
                .contains("had SHA-256 " + entry.path("sha256").asText());
    }
}
