package dev.reverb.environments.code;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.JsonLines;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.SettingsSpec;

/**
 * Python programming tasks graded by unit tests (HumanEval): an answer is the last
 * {@code ```python} block of the output, completed with the prompt when it holds only the body;
 * it is correct when the dataset's {@code check(candidate)} passes in the {@link Sandbox}.
 *
 * <p>Feedback is what Reflexion feeds back, kept to a few hundred characters: the failing assertion,
 * the last lines of a traceback, a timeout or the memory limit. {@link #runTests} runs an agent's
 * own tests the same way and says which passed and which failed and why.
 */
public final class CodeEnvironment implements Environment {

    /** The scenario type {@code humaneval}: HumanEval problems graded by their unit tests in a sandbox. */
    public static final EnvironmentDescriptor HUMANEVAL = new EnvironmentDescriptor("humaneval",
            "HumanEval problems, graded by running their unit tests in a sandbox.",
            SettingsSpec.builder()
                    .path("dataset", s -> "HumanEval.jsonl.gz", "HumanEval.jsonl(.gz) or its folder.").required()
                    .integer("limit", 1, 10_000_000, null, "At most this many tasks.")
                    .integer("shuffle-seed", Long.MIN_VALUE, Long.MAX_VALUE, null, "Shuffle the tasks with this seed before the limit.")
                    .choice("sandbox", java.util.Arrays.stream(Sandbox.Isolation.values()).map(Sandbox.Isolation::id).toList(),
                            Sandbox.Isolation.BWRAP.id(), "How model-written code is isolated: bwrap (kernel namespaces) "
                                    + "or unsafe-local (a plain subprocess; opt in explicitly).")
                    .build(),
            s -> humanEval(s.path("dataset"), s.wholeOrNull("shuffle-seed"), s.integerOrNull("limit"),
                    Sandbox.create(Sandbox.Isolation.fromId(s.text("sandbox"))), CodeEnvironment.DEFAULT_LIMITS));

    /** The environment type name used in scenario files. */
    public static final String TYPE = "humaneval";

    /** 6 s wall and CPU, 1 GiB memory, 256 processes, 16 MiB files, 64 KiB output. */
    public static final Sandbox.Limits DEFAULT_LIMITS = new Sandbox.Limits(Duration.ofSeconds(6), 6, 1L << 30, 256,
            16L << 20, 64 << 10);

    /** The longest feedback text, in characters. */
    public static final int MAX_FEEDBACK = 400;

    /** One agent-written test and how it went. */
    public record TestOutcome(String test, boolean passed, String message) {
        public TestOutcome {
            Objects.requireNonNull(test, "test");
            message = message == null ? "" : message;
        }
    }

    /** The outcomes of {@link #runTests}, in the order the tests were given. */
    public record TestReport(List<TestOutcome> outcomes) {
        public TestReport {
            outcomes = List.copyOf(outcomes);
        }

        public List<TestOutcome> passed() {
            return outcomes.stream().filter(TestOutcome::passed).toList();
        }

        public List<TestOutcome> failed() {
            return outcomes.stream().filter(o -> !o.passed()).toList();
        }

        public boolean allPassed() {
            return outcomes.stream().allMatch(TestOutcome::passed);
        }

        /** Reflexion-style feedback: the tests that passed, then each failed test with its message. */
        public String feedback() {
            StringBuilder text = new StringBuilder("Tests passed:\n");
            passed().forEach(o -> text.append(o.test()).append('\n'));
            text.append("\nTests failed:\n");
            failed().forEach(o -> text.append(o.test()).append(" # ").append(o.message()).append('\n'));
            return text.toString().strip();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern OPEN_FENCE = Pattern.compile("```[ \\t]*([A-Za-z0-9_+-]*)[^\\n]*\\n");
    private static final Pattern FRAME = Pattern.compile(
            "^\\s*File \"(?:" + Pattern.quote(Sandbox.PROGRAM_FILE) + "|test\\.py)\", line (\\d+)(?:, in (.+))?$");
    private static final Pattern TOP_LEVEL_DEFINITION = Pattern.compile("(?m)^(def|class|import|from|async def)\\s");

    private final List<Task> tasks;
    private final Map<String, HumanEval.Problem> problems;
    private final DatasetReport report;
    private final Sandbox sandbox;
    private final Sandbox.Limits limits;

    private CodeEnvironment(List<Task> tasks, Map<String, HumanEval.Problem> problems, DatasetReport report,
                            Sandbox sandbox, Sandbox.Limits limits) {
        this.tasks = List.copyOf(tasks);
        this.problems = Map.copyOf(problems);
        this.report = Objects.requireNonNull(report, "report");
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * HumanEval tasks from a {@code .jsonl(.gz)} file, or from {@code HumanEval.jsonl.gz} inside a
     * folder; shuffled with {@code shuffleSeed} when it is set, then cut to {@code limit} when that is set.
     */
    public static CodeEnvironment humanEval(Path datasetOrFolder, Long shuffleSeed, Integer limit,
                                            Sandbox sandbox, Sandbox.Limits limits) {
        Path file = Files.isDirectory(datasetOrFolder) ? datasetOrFolder.resolve("HumanEval.jsonl.gz") : datasetOrFolder;
        JsonLines.Loaded<HumanEval.Problem> loaded = HumanEval.load(file);
        return of(loaded.chosen(shuffleSeed, limit), loaded.report(), sandbox, limits);
    }

    /** As above, with {@link Sandbox#create()} and {@link #DEFAULT_LIMITS}. */
    public static CodeEnvironment humanEval(Path datasetOrFolder, Long shuffleSeed, Integer limit) {
        return humanEval(datasetOrFolder, shuffleSeed, limit, Sandbox.create(), DEFAULT_LIMITS);
    }

    /** An environment over given problems (tests, generated tasks). */
    public static CodeEnvironment of(List<HumanEval.Problem> problems, DatasetReport report, Sandbox sandbox,
                                     Sandbox.Limits limits) {
        List<Task> tasks = new ArrayList<>();
        Map<String, HumanEval.Problem> byId = new HashMap<>();
        for (HumanEval.Problem problem : problems) {
            tasks.add(problem.toTask(TYPE, report.source()));
            byId.put(problem.taskId(), problem);
        }
        return new CodeEnvironment(tasks, byId, report, sandbox, limits);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Task> tasks() {
        return tasks;
    }

    @Override
    public DatasetReport report() {
        return report;
    }

    /** The problem behind a task of this environment. */
    public HumanEval.Problem problem(Task task) {
        HumanEval.Problem problem = problems.get(task.id());
        if (problem == null) {
            throw new IllegalArgumentException("task " + task.id() + " is not a task of this environment");
        }
        return problem;
    }

    /**
     * The code in a model's output: the last {@code ```python} block, else the last fenced block of
     * any language, else (when there is no fence) the whole text; an unclosed fence counts up to the
     * end of the text. Empty when there is no code at all.
     */
    @Override
    public Optional<String> extractAnswer(String output) {
        if (output == null || output.isBlank()) {
            return Optional.empty();
        }
        String lastPython = null;
        String lastAny = null;
        int end = 0;
        Matcher fence = FENCE.matcher(output);
        while (fence.find()) {
            end = fence.end();
            lastAny = fence.group(2);
            if (isPython(fence.group(1))) {
                lastPython = fence.group(2);
            }
        }
        Matcher open = OPEN_FENCE.matcher(output);
        if (open.find(end)) {
            String rest = output.substring(open.end());
            lastAny = rest;
            if (isPython(open.group(1))) {
                lastPython = rest;
            }
        }
        String code = lastPython != null ? lastPython : lastAny != null ? lastAny : output;
        return code.isBlank() ? Optional.empty() : Optional.of(code.stripTrailing() + "\n");
    }

    private static boolean isPython(String language) {
        return language.equalsIgnoreCase("python") || language.equalsIgnoreCase("py") || language.equalsIgnoreCase("python3");
    }

    /**
     * The program to test for an output: the extracted code, preceded by the prompt when the code
     * does not define the entry point (a body only; indented when the model did not indent it).
     */
    public Optional<String> program(Task task, String output) {
        HumanEval.Problem problem = problem(task);
        return extractAnswer(output).map(code -> complete(problem, code));
    }

    static String complete(HumanEval.Problem problem, String code) {
        Pattern definition = Pattern.compile("(?m)^\\s*(async\\s+)?def\\s+" + Pattern.quote(problem.entryPoint()) + "\\s*\\(");
        if (definition.matcher(code).find()) {
            return code;
        }
        String body = code;
        String firstLine = code.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
        if (!Character.isWhitespace(firstLine.charAt(0)) && !TOP_LEVEL_DEFINITION.matcher(code).find()) {
            body = code.lines().map(l -> l.isBlank() ? l : "    " + l).reduce("", (a, b) -> a + b + "\n");
        }
        return problem.prompt() + body;
    }

    /**
     * Grades an output: the candidate program and the task's tests run in two sandboxes (see
     * {@link Grader}); the verdict is the test side's, never text the candidate can print.
     */
    @Override
    public Verdict verify(Task task, String output) {
        HumanEval.Problem problem = problem(task);
        Optional<String> program = program(task, output);
        if (program.isEmpty()) {
            return new Verdict(false, 0, "", "No code found: reply with the complete function in a ```python block.");
        }
        Grader.Outcome outcome = Grader.check(sandbox, problem, program.get(), limits);
        return new Verdict(outcome.passed(), outcome.passed() ? 1 : 0, program.get(), outcome.feedback());
    }

    /**
     * Runs agent-written tests (one Python statement each, typically {@code assert f(x) == y})
     * against a program, each with the wall time of the limits as its own timeout, and reports
     * which passed and which failed with a message ({@code output: ...} for a failed equality).
     * The tests run in their own sandbox against proxies of the program's top-level functions
     * (arguments and results as plain data), so the program cannot print or fake their outcome.
     */
    public TestReport runTests(String program, List<String> tests) {
        Objects.requireNonNull(program, "program");
        List<String> cases = List.copyOf(tests);
        if (cases.isEmpty()) {
            return new TestReport(List.of());
        }
        return Grader.runTests(sandbox, program, cases, limits, json(cases));
    }

    @Override
    public List<String> warnings() {
        return sandbox.isolation() == Sandbox.Isolation.BWRAP ? List.of()
                : List.of("sandbox: unsafe-local: model-written code runs without kernel isolation "
                + "(in-process guards only; not safe against hostile code)");
    }

    /** The sandbox this environment runs code in. */
    public Sandbox sandbox() {
        return sandbox;
    }

    /**
     * The unbiased pass@k estimator of the Codex paper (Chen et al. 2021): the probability that at
     * least one of {@code k} samples drawn from {@code n}, of which {@code c} are correct, is correct,
     * {@code 1 - C(n-c, k) / C(n, k)}, computed as a product so that it stays exact for large n.
     */
    public static double passAtK(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("need 1 <= k <= n and 0 <= c <= n, got n=" + n + " c=" + c + " k=" + k);
        }
        if (n - c < k) {
            return 1.0;
        }
        double allWrong = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            allWrong *= 1.0 - (double) k / i;
        }
        return 1.0 - allWrong;
    }

    /** Concise feedback for a failed run: a timeout, the memory limit, too much output, or the error. */
    static String describeFailure(Sandbox.Result result, Sandbox.Limits limits) {
        if (result.timedOut()) {
            return "Timed out after " + seconds(limits.wallTime()) + " (an infinite loop, or too slow).";
        }
        if (result.memoryError()) {
            return "Exceeded the memory limit (" + (limits.memoryBytes() >> 20) + " MB).";
        }
        if (result.outputLimitExceeded()) {
            return "Printed more than " + limits.maxOutputBytes() + " bytes of output and was stopped.";
        }
        return describeError(result.stderr(), result.exitStatus());
    }

    /** The failing assertion, or the error with the line of the program it happened at. */
    static String describeError(String stderr, int exitStatus) {
        List<String> lines = stderr.strip().lines().toList();
        if (lines.isEmpty()) {
            return "The program failed with exit status " + exitStatus + " and no error message.";
        }
        String error = lines.get(lines.size() - 1).strip();
        int frameAt = -1;
        for (int i = lines.size() - 1; i >= 0 && frameAt < 0; i--) {
            if (FRAME.matcher(lines.get(i)).matches()) {
                frameAt = i;
            }
        }
        String source = "";
        String where = "";
        if (frameAt >= 0) {
            Matcher frame = FRAME.matcher(lines.get(frameAt));
            frame.matches();
            where = "line " + frame.group(1) + (frame.group(2) == null ? "" : " in " + frame.group(2));
            if (frameAt + 1 < lines.size() - 1 && !lines.get(frameAt + 1).strip().startsWith("File ")) {
                source = lines.get(frameAt + 1).strip();
            }
        }
        if (error.startsWith("AssertionError")) {
            String message = error.substring("AssertionError".length()).replaceFirst("^:\\s*", "");
            String test = source.isEmpty() ? "a test" : source;
            return abbreviate("Failed: " + test + (message.isEmpty() ? "" : " (" + message + ")"));
        }
        if (source.isEmpty()) {
            return abbreviate(where.isEmpty() ? error : error + " (at " + where + ")");
        }
        return abbreviate(error + " (at " + where + ": " + source + ")");
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    static String abbreviate(String text) {
        return text.length() <= MAX_FEEDBACK ? text : text.substring(0, MAX_FEEDBACK - 3) + "...";
    }

    /** JSON text of strings and lists of strings is also a valid Python literal. */
    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String parseJsonString(String text) {
        try {
            return JSON.readValue(text, String.class);
        } catch (JsonProcessingException e) {
            return text;
        }
    }
}
