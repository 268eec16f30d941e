package dev.reverb.environments.game24;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Task;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class Game24EnvironmentTest {

    static Path fixture() throws URISyntaxException {
        return Path.of(Game24EnvironmentTest.class.getResource("/game24/mixed.csv").toURI());
    }

    static Path realCsv() {
        Path file = Path.of(System.getProperty("reverb.shared", "../../shared")).resolve("data/game24/24.csv");
        Assumptions.assumeTrue(Files.exists(file), "Game of 24 CSV not present at " + file);
        return file;
    }

    @Test
    void should_report_each_bad_line_with_its_number_when_loading_a_mixed_file() throws Exception {
        Game24Environment env = Game24Environment.load(fixture(), null, null, null);

        assertThat(env.tasks()).extracting(Task::id).containsExactly("game24-0001", "game24-0006", "game24-0007");
        assertThat(env.report().loaded()).isEqualTo(3);
        List<DatasetReport.Issue> issues = env.report().issues();
        assertThat(issues).extracting(DatasetReport.Issue::line).containsExactly(3, 4, 6, 7, 9);
        assertThat(issues.get(0).message()).contains("four whole numbers").contains("found 3");
        assertThat(issues.get(1).message()).contains("expected 6 columns, found 3");
        assertThat(issues.get(2).message()).contains("'four' in Rank is not a whole number");
        assertThat(issues.get(3).message()).contains("'a' in Puzzles is not a whole number");
        assertThat(issues.get(4).message()).contains("Rank 6 already appeared on line 8");
        assertThat(issues.get(0).toString()).startsWith("line 3: ");
    }

    @Test
    void should_describe_the_puzzle_and_give_a_checked_reference_when_making_a_task() throws Exception {
        Game24Environment env = Game24Environment.load(fixture(), null, null, null);
        Task task = env.tasks().get(0);

        assertThat(task.environment()).isEqualTo("game24");
        assertThat(task.question()).contains("1 1 4 6").contains("exactly once").contains("Answer: <expression> = 24");
        assertThat(task.metadata()).containsEntry("numbers", "1 1 4 6").containsEntry("rank", "1")
                .containsEntry("line", "2").containsEntry("solved_rate", "99.20%").containsEntry("solvable", "true");
        assertThat(task.referenceSteps()).hasSize(3).last().asString().endsWith("= 24 (left: 24)");
        assertThat(env.verify(task, "Answer: " + task.referenceAnswer() + " = 24").correct()).isTrue();

        Task unsolvable = env.tasks().get(2);
        assertThat(unsolvable.metadata()).containsEntry("numbers", "1 1 1 1").containsEntry("solvable", "false");
        assertThat(unsolvable.referenceAnswer()).isEmpty();
    }

    @Test
    void should_keep_the_rank_range_and_limit_when_given_them() throws Exception {
        assertThat(Game24Environment.load(fixture(), 2, 6, null).tasks()).extracting(Task::id)
                .containsExactly("game24-0006");
        assertThat(Game24Environment.load(fixture(), null, null, 2).tasks()).hasSize(2);
    }

    @Test
    void should_refuse_with_the_ranks_there_are_when_the_rank_range_matches_no_puzzle() {
        assertThatThrownBy(() -> Game24Environment.load(fixture(), 901, 1000, null))
                .isInstanceOf(dev.reverb.environments.DatasetException.class)
                .hasMessageContaining("no tasks in").hasMessageContaining("between ranks 901 and 1000")
                .hasMessageContaining("have ranks 1 to 7");
    }

    @Test
    void should_verify_and_extract_through_the_environment_when_built_from_explicit_puzzles() {
        Game24Environment env = Game24Environment.of(List.of(List.of(4, 6, 1, 1), List.of(3, 3, 8, 8)));

        assertThat(env.type()).isEqualTo("game24");
        assertThat(env.tasks()).extracting(Task::id).containsExactly("game24-0001", "game24-0002");
        assertThat(env.report().issues()).isEmpty();
        Task hard = env.tasks().get(1);
        assertThat(env.verify(hard, "So:\nAnswer: 8 / (3 − 8/3) = 24").correct()).isTrue();
        assertThat(env.verify(hard, "Answer: 8 * 3 = 24").feedback()).contains("uses 8 only once");
        assertThat(env.extractAnswer("Answer: 8÷(3−8÷3) = 24")).contains("8 / (3 - 8 / 3)");
        assertThat(env.start(hard).numbersText()).isEqualTo("3 3 8 8");
        assertThatThrownBy(() -> Game24Environment.of(List.of(List.of(1, 2, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("four numbers");
    }

    @Test
    void should_name_the_path_when_the_file_is_missing() {
        assertThatThrownBy(() -> Game24Environment.load(Path.of("/no/such/24.csv"), null, null, null))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("/no/such/24.csv");
    }

    @Test
    void should_load_every_puzzle_with_no_issues_when_reading_the_real_csv() {
        Game24Environment env = Game24Environment.load(realCsv(), null, null, null);

        assertThat(env.tasks()).hasSize(1362);
        assertThat(env.report().loaded()).isEqualTo(1362);
        assertThat(env.report().issues()).isEmpty();
        assertThat(env.tasks().get(0).metadata()).containsEntry("numbers", "1 1 4 6");
        assertThat(env.tasks()).extracting(Task::id).doesNotHaveDuplicates();
    }

    @Test
    void should_solve_every_puzzle_and_accept_the_reference_when_taking_ranks_901_to_1000() {
        Game24Environment env = Game24Environment.load(realCsv(), 901, 1000, null);

        assertThat(env.tasks()).hasSize(100);
        assertThat(env.tasks().get(0).id()).isEqualTo("game24-0901");
        assertThat(env.tasks().get(99).id()).isEqualTo("game24-1000");
        for (Task task : env.tasks()) {
            assertThat(Game24State.solvable(Game24Puzzles.numbersOf(task))).as(task.id()).isTrue();
            assertThat(env.verify(task, "Answer: " + task.referenceAnswer() + " = 24").correct())
                    .as(task.id() + ": " + task.referenceAnswer()).isTrue();
        }
    }
}
