package dev.reverb.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reverb report} as a user types it, after {@code reverb run} of the shipped quickstart. */
class ReportCommandTest {

    @TempDir
    Path tmp;

    @Test
    void should_write_report_and_csv_into_the_run_folder_when_given_a_finished_run() throws Exception {
        QuickstartTest.Cli run = QuickstartTest.reverb("run", QuickstartTest.QUICKSTART.toString(), "--set",
                "run.output=" + tmp, "--no-progress", "--no-report");
        assertThat(run.code()).as(run.err()).isZero();
        Path dir = QuickstartTest.onlyRun(tmp);
        assertThat(dir.resolve("report.html")).doesNotExist(); // --no-report
        String episodes = Files.readString(dir.resolve("episodes.jsonl"));

        QuickstartTest.Cli report = QuickstartTest.reverb("report", dir.toString(), "--resamples", "500");

        assertThat(report.code()).as(report.err()).isZero();
        assertThat(report.out()).contains("reflexion:", "debate:", "[SIMULATED]", "reflexion vs debate: 24 pairs",
                "McNemar exact p", "Report: " + dir.resolve("report.html"));
        assertThat(dir.resolve("report.html")).isNotEmptyFile();
        assertThat(Files.readAllLines(dir.resolve("summary.csv"))).hasSize(3);
        assertThat(Files.readString(dir.resolve("episodes.jsonl"))).isEqualTo(episodes); // only read
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void should_exit_2_naming_the_folder_when_it_is_not_a_run() {
        QuickstartTest.Cli report = QuickstartTest.reverb("report", tmp.toString());

        assertThat(report.code()).isEqualTo(ReverbCli.INVALID);
        assertThat(report.err()).contains("not a run folder", tmp.toString());
        assertThat(tmp.resolve("report.html")).doesNotExist();
    }
}
