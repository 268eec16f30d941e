package dev.reverb.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The catalog: canonical sources pinned to commits, the same bytes as ../shared/data, and the missing-file hint. */
class DatasetsTest {

    static final Path SHARED_DATA = Path.of(System.getProperty("reverb.shared", "../../shared")).resolve("data")
            .toAbsolutePath().normalize();

    @Test
    void should_pin_every_source_to_a_commit_of_the_papers_repository() {
        assertThat(Datasets.ALL).extracting(Dataset::name).containsExactly("gsm8k", "math500", "humaneval", "game24");
        assertThat(Datasets.ALL).allSatisfy(d -> {
            assertThat(d.data().url().toString()).matches("https://raw\\.githubusercontent\\.com/[\\w.-]+/[\\w.-]+/[0-9a-f]{40}/.+");
            assertThat(d.data().path()).startsWith(d.name() + "/");
            assertThat(d.licence()).isNotNull();
        });
    }

    @Test
    void should_pin_the_digests_of_the_shared_copies_when_they_are_present() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(SHARED_DATA), "no " + SHARED_DATA);
        for (Dataset d : Datasets.ALL) {
            for (DataFile f : java.util.List.of(d.data(), d.licence())) {
                Path shared = SHARED_DATA.resolve(f.path());
                assertThat(DataFetcher.sha256(shared)).as(f.path()).isEqualTo(f.sha256());
                assertThat(shared).as(f.path()).hasSize(f.bytes());
            }
        }
    }

    @Test
    void should_name_the_command_and_folder_when_a_dataset_file_is_missing() {
        Path missing = Path.of("/somewhere/project/data/humaneval/HumanEval.jsonl.gz");

        assertThat(Datasets.hint(missing)).isEqualTo("; get it with: reverb data get humaneval --dir /somewhere/project/data");
        assertThat(Datasets.forFile(missing)).get().extracting(Datasets.Match::dir).isEqualTo(Path.of("/somewhere/project/data"));
        assertThat(Datasets.hint(Path.of("/x/mine.jsonl"))).isEmpty();
        assertThat(Datasets.hint(Path.of("/x/test.jsonl"))).isEmpty();
    }
}
