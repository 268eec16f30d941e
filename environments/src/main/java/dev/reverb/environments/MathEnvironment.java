package dev.reverb.environments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Math word problems with a numeric final answer (GSM8K and the arithmetic generator): answers
 * are read with {@link NumericAnswers} and compared numerically. Feedback is binary, as in
 * Reflexion: it says whether the answer is right and never reveals the reference.
 */
public final class MathEnvironment implements Environment {

    private final String type;
    private final List<Task> tasks;
    private final DatasetReport report;

    private MathEnvironment(String type, List<Task> tasks, DatasetReport report) {
        this.type = type;
        this.tasks = List.copyOf(tasks);
        this.report = report;
    }

    /**
     * GSM8K-format tasks from a JSONL file, or from {@code SPLIT.jsonl} inside a folder; shuffled
     * with {@code shuffleSeed} when it is set, then cut to {@code limit} when that is set.
     */
    public static MathEnvironment gsm8k(Path datasetOrFolder, String split, Long shuffleSeed, Integer limit) {
        Path file = Files.isDirectory(datasetOrFolder)
                ? datasetOrFolder.resolve((split == null ? "test" : split) + ".jsonl") : datasetOrFolder;
        Gsm8k.Loaded loaded = Gsm8k.load(file);
        List<Task> tasks = new ArrayList<>(loaded.tasks());
        if (shuffleSeed != null) {
            Collections.shuffle(tasks, new Random(shuffleSeed));
        }
        if (limit != null && limit < tasks.size()) {
            tasks = tasks.subList(0, limit);
        }
        return new MathEnvironment("gsm8k", tasks, loaded.report());
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
        return NumericAnswers.extract(output);
    }

    @Override
    public Verdict verify(Task task, String output) {
        Optional<String> answer = extractAnswer(output);
        if (answer.isEmpty()) {
            return new Verdict(false, 0, "", "No final answer could be read; end with a line 'The answer is N.'");
        }
        if (NumericAnswers.equal(answer.get(), task.referenceAnswer())) {
            return new Verdict(true, 1, answer.get(), "Correct.");
        }
        return new Verdict(false, 0, answer.get(), "Your final answer " + answer.get() + " is incorrect.");
    }

    @Override
    public DatasetReport report() {
        return report;
    }
}
