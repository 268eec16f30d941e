package dev.reverb.environments.game24;

import dev.reverb.environments.DatasetException;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Environment;
import dev.reverb.environments.StepChecker;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.SettingsSpec;

/**
 * The Game of 24 (as in Tree of Thoughts): combine four numbers with {@code + - * /} and parentheses,
 * each exactly once, to make 24. Answers are checked exactly by {@link Game24Verifier}: the feedback
 * names what is wrong ("uses 8 twice", "does not use 3", "evaluates to 23, not 24") but never gives a
 * solution. Search protocols can work step by step with {@link Game24State}.
 */
public final class Game24Environment implements Environment, StepChecker {

    /** The scenario type {@code game24}: Game of 24 puzzles from the Tree of Thoughts CSV. */
    public static final EnvironmentDescriptor DESCRIPTOR = new EnvironmentDescriptor("game24",
            "Game of 24 puzzles from the Tree of Thoughts CSV.",
            SettingsSpec.builder()
                    .path("dataset", s -> "24.csv", "The Tree of Thoughts 24.csv or its folder.").required()
                    .integer("from-rank", 1, 1_000_000, null, "The first puzzle rank (Tree of Thoughts evaluates 901-1000).")
                    .integer("to-rank", 1, 1_000_000, null, "The last puzzle rank.")
                    .integer("limit", 1, 1_000_000, null, "At most this many tasks.")
                    .check((s, problems) -> {
                        if (s.has("from-rank") && s.has("to-rank") && s.integer("from-rank") > s.integer("to-rank")) {
                            problems.at("to-rank", "the rank range is empty: to-rank " + s.integer("to-rank")
                                    + " is below from-rank " + s.integer("from-rank"));
                        }
                    })
                    .build(),
            s -> load(s.path("dataset"), s.integerOrNull("from-rank"), s.integerOrNull("to-rank"), s.integerOrNull("limit")));

    private final List<Task> tasks;
    private final DatasetReport report;

    private Game24Environment(List<Task> tasks, DatasetReport report) {
        this.tasks = List.copyOf(tasks);
        this.report = report;
    }

    /**
     * Puzzles from the Tree of Thoughts CSV whose rank lies in {@code [fromRank, toRank]} (either bound
     * may be null), in file order, cut to {@code limit} when that is set. Tree of Thoughts evaluates
     * ranks 901 to 1000. The report covers every line of the file.
     */
    public static Game24Environment load(Path csv, Integer fromRank, Integer toRank, Integer limit) {
        Game24Puzzles.Loaded loaded = Game24Puzzles.load(csv);
        List<Task> tasks = new ArrayList<>();
        for (Task task : loaded.tasks()) {
            int rank = Integer.parseInt(task.metadata().get("rank"));
            if ((fromRank == null || rank >= fromRank) && (toRank == null || rank <= toRank)
                    && (limit == null || tasks.size() < limit)) {
                tasks.add(task);
            }
        }
        if (tasks.isEmpty()) {
            throw new DatasetException("no tasks in " + csv + " between ranks " + (fromRank == null ? "1" : fromRank)
                    + " and " + (toRank == null ? "the last" : toRank) + ": its " + loaded.tasks().size()
                    + " puzzles have ranks " + rankRange(loaded.tasks()));
        }
        return new Game24Environment(tasks, loaded.report());
    }

    private static String rankRange(List<Task> tasks) {
        IntSummaryStatistics ranks = tasks.stream().mapToInt(t -> Integer.parseInt(t.metadata().get("rank")))
                .summaryStatistics();
        return ranks.getMin() + " to " + ranks.getMax();
    }

    /**
     * Tasks from explicit puzzles, e.g. {@code List.of(List.of(4, 6, 1, 1))}; ids {@code game24-0001},
     * {@code game24-0002}, ... in the order given.
     *
     * @throws IllegalArgumentException unless every puzzle is four whole numbers from 0 up
     */
    public static Game24Environment of(List<List<Integer>> puzzles) {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < puzzles.size(); i++) {
            tasks.add(Game24Puzzles.task(String.format("%s-%04d", Game24Puzzles.TYPE, i + 1), puzzles.get(i), i + 1,
                    Map.of("source", "puzzles")));
        }
        return new Game24Environment(tasks, DatasetReport.clean("puzzles", tasks.size()));
    }

    @Override
    public String type() {
        return Game24Puzzles.TYPE;
    }

    @Override
    public List<Task> tasks() {
        return tasks;
    }

    /** The expression in the output, normalised to ASCII operators and single spaces: {@code (1 + 2 + 3) * 4}. */
    @Override
    public Optional<String> extractAnswer(String output) {
        return Game24Verifier.extract(output);
    }

    @Override
    public Verdict verify(Task task, String output) {
        return Game24Verifier.verify(Game24Puzzles.numbersOf(task), output);
    }

    /**
     * A step is legal when it combines two of the numbers left correctly (see
     * {@link Game24State#parseStep}); a step that states the final answer is left to the verifier.
     */
    @Override
    public Optional<String> rejectStep(Task task, List<String> previous, String step) {
        if (step.toLowerCase(java.util.Locale.ROOT).contains("answer")) {
            return Optional.empty();
        }
        Game24State state = start(task);
        for (String earlier : previous) {
            Game24State.StepCheck check = Game24State.parseStep(state, earlier);
            if (!check.valid()) {
                return Optional.of("an earlier step is not legal: " + check.error());
            }
            state = state.apply(check.step());
        }
        Game24State.StepCheck check = Game24State.parseStep(state, step);
        return check.valid() ? Optional.empty() : Optional.of(check.error());
    }

    /** The starting position of a task, for protocols that search step by step. */
    public Game24State start(Task task) {
        return Game24State.start(Game24Puzzles.numbersOf(task));
    }

    @Override
    public DatasetReport report() {
        return report;
    }
}
