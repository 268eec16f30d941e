package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reverb run} over a dataset with no task in it, or a memory folder that is a file: one error line naming it
 * and exit 2, not a run of zero tasks or a bare path.
 */
class DatasetCliTest {

    @TempDir
    Path tmp;

    @Test
    void should_exit_2_naming_the_file_when_a_humaneval_dataset_is_a_text_file() throws IOException {
        Path text = Files.writeString(tmp.resolve("HumanEval.jsonl"), "def f(x):\n    return x\n");

        QuickstartTest.Cli cli = reverb("run", QuickstartTest.ROOT.resolve("scenarios/humaneval-reflexion.yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp.resolve("runs"), "--set", "environment.dataset=" + text);

        assertThat(cli.code()).as(cli.out() + cli.err()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .startsWith("error: no tasks in " + text + ": 2 lines, all bad; first: line 1: not valid JSON");
        assertThat(tmp.resolve("runs/humaneval-reflexion")).satisfiesAnyOf(d -> assertThat(d).doesNotExist(),
                d -> assertThat(d).isEmptyDirectory());
    }

    @Test
    void should_run_the_rest_and_count_the_line_when_a_game24_csv_has_a_byte_that_is_not_utf8() throws IOException {
        Path csv = tmp.resolve("24.csv");
        Files.write(csv, ("Rank,Puzzles,AMT (s),Solved rate,1-sigma Mean (s),1-sigma STD (s)\n"
                + "901,1 2 3 4,1,99%,1,1\n902,1 1 ").getBytes());
        Files.write(csv, new byte[] {(byte) 0xFF, ' ', '1', '1', ',', '1', ',', '9', '9', '%', ',', '1', ',', '1', '\n'},
                java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(csv, "903,4 6 1 1,1,99%,1,1\n", java.nio.file.StandardOpenOption.APPEND);

        QuickstartTest.Cli cli = reverb("run", QuickstartTest.ROOT.resolve("scenarios/game24-search.yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp.resolve("runs"), "--set", "environment.dataset=" + csv);

        assertThat(cli.code()).as(cli.out() + cli.err()).isZero();
        assertThat(cli.out()).contains("skipped 1 bad line(s) of 3").contains("line 3: not valid UTF-8: byte 0xFF");
    }

    @Test
    void should_exit_2_with_a_sentence_when_the_memory_folder_is_a_file() throws IOException {
        Path file = Files.writeString(tmp.resolve("memory"), "not a folder");

        QuickstartTest.Cli cli = reverb("run", QuickstartTest.ROOT.resolve("scenarios/reflexion-memory.yaml").toString(),
                "--no-progress", "--set", "run.output=" + tmp.resolve("runs"), "--set", "memory.folder=" + file);

        assertThat(cli.code()).as(cli.out() + cli.err()).isEqualTo(2);
        // the scenario check catches it before any folder is made: one located line naming the field
        assertThat(cli.err().lines().toList()).singleElement().asString()
                .contains("memory.folder").contains("is a file, not a folder").contains(file.toString());
        assertThat(tmp.resolve("runs")).doesNotExist();
    }
}
