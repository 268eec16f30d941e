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
        boolean unordered = MathAnswers.asksForUnorderedList(task.question());
        if (MathAnswers.equivalent(task.referenceAnswer(), answer.get(), unordered)) {
            return new Verdict(true, 1, answer.get(), "Correct.");
        }
        return new Verdict(false, 0, answer.get(), "Your final answer " + answer.get() + " is incorrect.");
    }

    @Override
    public DatasetReport report() {
        return report;
    }
}
