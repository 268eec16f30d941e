package dev.reverb.environments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Math problems, all graded by one checker, {@link MathAnswers#equivalent} (exact rationals,
 * tuples, LaTeX normalisation). Answers are read with {@link NumericAnswers} where the answer is a
 * number (GSM8K and the arithmetic generator), so debate votes compare canonical numbers, and with
 * {@link MathAnswers} in the MATH format ({@code \boxed{}}, fractions, LaTeX); both read an equation or
 * expression after an answer phrase as its value ("The answer is 18 + 2 = 20." is 20). Feedback is binary,
 * as in Reflexion: it says whether the answer is right and never reveals the reference.
 */
public final class MathEnvironment implements Environment {

    /** The scenario type {@code arithmetic}: generated arithmetic word problems. */
    public static final EnvironmentDescriptor ARITHMETIC = new EnvironmentDescriptor("arithmetic",
            "Generated arithmetic word problems.",
            SettingsSpec.builder()
                    .integer("count", 1, 1_000_000, 20, "Problems to generate.")
                    .integer("min-steps", 1, 50, 2, "Fewest operations per problem.")
                    .integer("max-steps", 1, 50, null, "Most operations per problem (default: 4, or min-steps when larger).")
                    .derived(s -> Math.max(4L, s.whole("min-steps")))
                    .integer("seed", Long.MIN_VALUE, Long.MAX_VALUE, 0, "Generator seed.")
                    .check((s, problems) -> {
                        if (s.integer("min-steps") > s.integer("max-steps")) {
                            problems.at("max-steps", "max-steps must be at least min-steps");
                        }
                    })
                    .build(),
            s -> arithmetic(s.whole("seed"), s.integer("count"), s.integer("min-steps"), s.integer("max-steps")));

    /** The scenario type {@code gsm8k}: grade-school math word problems from JSONL. */
    public static final EnvironmentDescriptor GSM8K = new EnvironmentDescriptor("gsm8k",
            "GSM8K-format math word problems from a JSONL file.",
            SettingsSpec.builder()
                    .text("split", "test", "For a dataset folder: which SPLIT.jsonl to read.")
                    .path("dataset", s -> s.text("split") + ".jsonl",
                            "A JSONL file or a folder of SPLIT.jsonl files, relative to the scenario file.").required()
                    .integer("limit", 1, 10_000_000, null, "At most this many tasks.")
                    .integer("shuffle-seed", Long.MIN_VALUE, Long.MAX_VALUE, null, "Shuffle the tasks with this seed before the limit.")
                    .build(),
            s -> gsm8k(s.path("dataset"), s.text("split"), s.wholeOrNull("shuffle-seed"), s.integerOrNull("limit")));

    /** The scenario type {@code math}: competition math (MATH format). */
    public static final EnvironmentDescriptor MATH = new EnvironmentDescriptor("math",
            "MATH-format competition problems from a JSONL file.",
            SettingsSpec.builder()
                    .path("dataset", s -> "test.jsonl", "A MATH-format JSONL file, or a folder with test.jsonl.").required()
                    .integer("limit", 1, 10_000_000, null, "At most this many tasks.")
                    .integer("shuffle-seed", Long.MIN_VALUE, Long.MAX_VALUE, null, "Shuffle the tasks with this seed before the limit.")
                    .build(),
            s -> math(s.path("dataset"), s.wholeOrNull("shuffle-seed"), s.integerOrNull("limit")));

    private final String type;
    private final List<Task> tasks;
    private final DatasetReport report;
    private final boolean latex;

    private MathEnvironment(String type, List<Task> tasks, DatasetReport report) {
        this.type = type;
        this.tasks = List.copyOf(tasks);
        this.report = report;
        this.latex = type.equals("math");
    }

    /**
     * GSM8K-format tasks from a JSONL file, or from {@code SPLIT.jsonl} inside a folder; shuffled
     * with {@code shuffleSeed} when it is set, then cut to {@code limit} when that is set.
     */
    public static MathEnvironment gsm8k(Path datasetOrFolder, String split, Long shuffleSeed, Integer limit) {
        Path file = Files.isDirectory(datasetOrFolder)
                ? datasetOrFolder.resolve((split == null ? "test" : split) + ".jsonl") : datasetOrFolder;
        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);
        return new MathEnvironment("gsm8k", loaded.chosen(shuffleSeed, limit), loaded.report());
    }

    /** MATH-format tasks from a JSONL file (see {@link MathDataset}), shuffled and cut like {@link #gsm8k}. */
    public static MathEnvironment math(Path file, Long shuffleSeed, Integer limit) {
        JsonLines.Loaded<Task> loaded = MathDataset.load(file);
        return new MathEnvironment("math", loaded.chosen(shuffleSeed, limit), loaded.report());
    }

    /** Generated arithmetic word problems (see {@link ArithmeticProblems}). */
    public static MathEnvironment arithmetic(long seed, int count, int minSteps, int maxSteps) {
        List<Task> tasks = ArithmeticProblems.generate(seed, count, minSteps, maxSteps);
        return new MathEnvironment("arithmetic", tasks, DatasetReport.clean("arithmetic(seed=" + seed + ")", count));
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public List<Task> tasks() {
        return tasks;
    }

    @Override
    public Optional<String> extractAnswer(String output) {
        return latex ? MathAnswers.extract(output) : NumericAnswers.extract(output);
    }

    /**
     * Right when the answer read out of {@code output} is {@link MathAnswers#equivalent equivalent}
     * to the reference; as a set of elements when the question asks for all solutions
     * ({@link MathAnswers#asksForUnorderedList}). Malformed output is a wrong answer with feedback.
     */
    @Override
    public Verdict verify(Task task, String output) {
        Optional<String> answer;
        try {
            answer = extractAnswer(output);
        } catch (RuntimeException e) {
            answer = Optional.empty();
        }
        if (answer.isEmpty()) {
            return new Verdict(false, 0, "", "No final answer could be read; end with a line 'The answer is N.'");
        }
        // Two plain numbers are the same set of one element exactly when they are equivalent: the question
        // is read (every character, per verdict) only when it can change the verdict.
        boolean plain = task.referenceAnswer() != null && MathAnswers.plainNumber(task.referenceAnswer())
                && MathAnswers.plainNumber(answer.get());
        boolean unordered = !plain && MathAnswers.asksForUnorderedList(task.question());
        if (MathAnswers.equivalent(task.referenceAnswer(), answer.get(), unordered)) {
            return new Verdict(true, 1, answer.get(), "Correct.");
        }
        return new Verdict(false, 0, answer.get(), "Your final answer " + answer.get() + " is incorrect.");
    }

    /** Grading reads a number or expression and compares it: no slower than reading the answer. */
    @Override
    public boolean verifiesInPlace() {
        return true;
    }

    @Override
    public DatasetReport report() {
        return report;
    }
}
