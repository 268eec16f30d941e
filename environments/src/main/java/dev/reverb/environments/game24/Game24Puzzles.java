package dev.reverb.environments.game24;

import dev.reverb.environments.DatasetException;
import dev.reverb.environments.DatasetLines;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Task;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads the Tree of Thoughts Game of 24 CSV ({@code 24.csv}: {@code Rank,Puzzles,AMT (s),Solved rate,...},
 * the puzzles four whole numbers separated by spaces, ranked from easiest to hardest by how fast people
 * solve them) and turns puzzles into tasks. A bad line (not UTF-8 included) is skipped and reported
 * with its line number; it never stops the load.
 */
public final class Game24Puzzles {

    /** The tasks read and the report of the lines skipped. */
    public record Loaded(List<Task> tasks, DatasetReport report) {
        public Loaded {
            tasks = List.copyOf(tasks);
        }
    }

    /** The environment type name. */
    public static final String TYPE = "game24";

    private Game24Puzzles() {
    }

    /**
     * Loads a CSV through {@link DatasetLines}: a line that is not UTF-8 or not a puzzle is skipped and
     * counted, never fatal. Task ids are {@code game24-RANK} ({@code game24-0901}), stable across runs.
     *
     * @throws UncheckedIOException when the file cannot be read at all
     * @throws DatasetException     when the first line is not a header with {@code Rank} and {@code Puzzles}
     *                              columns, or no line after it is a puzzle
     */
    public static Loaded load(Path csv) {
        Map<Integer, Integer> rankLines = new HashMap<>();
        List<List<String>> header = new ArrayList<>(1);
        DatasetLines.Read<Task> read = DatasetLines.read(csv, (line, number) -> {
            if (header.isEmpty()) {
                header.add(header(csv, line, number));
                return null;
            }
            return puzzle(csv, header.get(0), line, number, rankLines);
        });
        return new Loaded(read.items(), read.report());
    }

    private static List<String> header(Path csv, String line, int number) {
        List<String> columns = Arrays.stream(line.split(",", -1)).map(String::strip).toList();
        if (!columns.contains("Rank") || !columns.contains("Puzzles")) {
            throw new DatasetException("not a Game of 24 CSV: line " + number + " of " + csv.toAbsolutePath()
                    + " should be a header with Rank and Puzzles columns, but is: " + abbreviated(line));
        }
        return columns;
    }

    private static Task puzzle(Path csv, List<String> columns, String line, int number, Map<Integer, Integer> rankLines) {
        String[] cells = line.split(",", -1);
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " columns, found " + cells.length);
        }
        int rank = wholeNumber(cells[columns.indexOf("Rank")].strip(), "Rank");
        if (rank < 1) {
            throw new IllegalArgumentException("Rank must be at least 1, was " + rank);
        }
        List<Integer> puzzle = numbers(cells[columns.indexOf("Puzzles")]);
        Integer first = rankLines.putIfAbsent(rank, number);
        if (first != null) {
            throw new IllegalArgumentException("Rank " + rank + " already appeared on line " + first);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("line", Integer.toString(number));
        metadata.put("source", csv.getFileName().toString());
        int solvedColumn = columns.indexOf("Solved rate");
        if (solvedColumn >= 0) {
            metadata.put("solved_rate", cells[solvedColumn].strip());
        }
        return task(String.format("%s-%04d", TYPE, rank), puzzle, rank, metadata);
    }

    private static String abbreviated(String text) {
        return text.length() <= 60 ? "'" + text + "'" : "'" + text.substring(0, 57) + "...'";
    }

    /**
     * The task for one puzzle: the question, one reference solution found by exhaustive search (empty
     * when the puzzle has none) with its steps, and metadata {@code numbers} ({@code "1 1 4 6"}) and {@code rank}.
     *
     * @throws IllegalArgumentException unless {@code numbers} are four whole numbers from 0 up
     */
    public static Task task(String id, List<Integer> numbers, int rank, Map<String, String> extra) {
        check(numbers);
        String text = numbers.stream().map(String::valueOf).collect(Collectors.joining(" "));
        Optional<Game24State> solution = Game24State.solve(numbers);
        Map<String, String> metadata = new LinkedHashMap<>(extra == null ? Map.of() : extra);
        metadata.put("numbers", text);
        metadata.put("rank", Integer.toString(rank));
        metadata.put("solvable", Boolean.toString(solution.isPresent()));
        return new Task(id, TYPE, question(text),
                solution.flatMap(Game24State::expression).orElse(""),
                solution.map(s -> s.steps().stream().map(Game24State.Step::text).toList()).orElse(List.of()),
                metadata);
    }

    /** The question shown to agents for a puzzle written as {@code "4 6 1 1"}. */
    public static String question(String numbers) {
        return "Use the numbers " + numbers + " to make 24. Use each number exactly once, combining them with"
                + " + - * / and parentheses; no other numbers and no other operations. Fractions along the way"
                + " are fine, e.g. 8 / (3 - 8 / 3) = 24 for 3 3 8 8.\n"
                + "End your answer with a line \"Answer: <expression> = 24\", for example for 1 2 3 4:\n"
                + "Answer: (1 + 2 + 3) * 4 = 24";
    }

    /** The four puzzle numbers of a task made by this class, from its {@code numbers} metadata. */
    public static List<Integer> numbersOf(Task task) {
        String text = task.metadata().get("numbers");
        if (text == null) {
            throw new IllegalArgumentException("task " + task.id() + " is not a Game of 24 task: no \"numbers\" metadata");
        }
        return numbers(text);
    }

    /** Parses {@code "4 6 1 1"}: exactly four whole numbers separated by spaces. */
    static List<Integer> numbers(String text) {
        String[] parts = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
        if (parts.length != 4) {
            throw new IllegalArgumentException("Puzzles must be four whole numbers separated by spaces, found "
                    + parts.length + ": '" + text.strip() + "'");
        }
        List<Integer> numbers = new ArrayList<>();
        for (String part : parts) {
            numbers.add(wholeNumber(part, "Puzzles"));
        }
        check(numbers);
        return List.copyOf(numbers);
    }

    private static void check(List<Integer> numbers) {
        if (numbers == null || numbers.size() != 4) {
            throw new IllegalArgumentException("a puzzle has exactly four numbers, got " + numbers);
        }
        for (Integer n : numbers) {
            if (n == null || n < 0) {
                throw new IllegalArgumentException("puzzle numbers must be whole numbers from 0 up, got " + numbers);
            }
        }
    }

    private static int wholeNumber(String text, String column) {
        if (!text.matches("-?\\d{1,9}")) {
            throw new IllegalArgumentException("'" + text + "' in " + column + " is not a whole number");
        }
        return Integer.parseInt(text);
    }
}
