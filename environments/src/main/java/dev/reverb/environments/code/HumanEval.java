package dev.reverb.environments.code;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Task;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads HumanEval-format JSONL, plain or gzipped ({@code HumanEval.jsonl.gz}): one object per line
 * with {@code task_id}, {@code prompt} (signature and docstring), {@code entry_point},
 * {@code canonical_solution} (the body) and {@code test} (which defines {@code check(candidate)}).
 * A bad line is skipped and reported with its line number; it never stops the load, and neither
 * does a truncated gzip file (what was read before the damage is kept).
 */
public final class HumanEval {

    /** The instruction shown to agents above each prompt. */
    public static final String INSTRUCTION = "Complete the following Python function. Reply with the complete "
            + "function (its signature, body and any imports it needs) in a ```python code block.";

    /**
     * One problem.
     *
     * @param taskId            e.g. {@code HumanEval/0}
     * @param prompt            the function signature with its docstring
     * @param entryPoint        the name of the function under test
     * @param canonicalSolution the reference body (continues {@code prompt})
     * @param test              Python code defining {@code check(candidate)}
     * @param line              the line of the file it came from
     */
    public record Problem(String taskId, String prompt, String entryPoint, String canonicalSolution, String test,
                         int line) {
        public Problem {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(entryPoint, "entryPoint");
            Objects.requireNonNull(canonicalSolution, "canonicalSolution");
            Objects.requireNonNull(test, "test");
        }

        /** The prompt followed by the canonical body: a reference program. */
        public String referenceProgram() {
            return prompt + canonicalSolution;
        }

        /** The task shown to agents: the instruction and the prompt; the reference is the canonical program. */
        public Task toTask(String environment, String source) {
            String question = INSTRUCTION + "\n\n```python\n" + prompt.stripTrailing() + "\n```";
            return new Task(taskId, environment, question, referenceProgram(), List.of(),
                    Map.of("entry_point", entryPoint, "line", Integer.toString(line), "source", source));
        }
    }

    /** The problems read and the report of the lines skipped. */
    public record Loaded(List<Problem> problems, DatasetReport report) {
        public Loaded {
            problems = List.copyOf(problems);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HumanEval() {
    }

    /**
     * Loads a {@code .jsonl} or {@code .jsonl.gz} file.
     *
     * @throws UncheckedIOException when the file cannot be opened at all
     */
    public static Loaded load(Path file) {
        List<Problem> problems = new ArrayList<>();
        List<DatasetReport.Issue> issues = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int number = 0;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        Problem problem = parse(line, number);
                        if (!ids.add(problem.taskId())) {
                            throw new IllegalArgumentException("duplicate task_id \"" + problem.taskId() + "\"");
                        }
                        problems.add(problem);
                    } catch (IllegalArgumentException e) {
                        issues.add(new DatasetReport.Issue(number, e.getMessage()));
                    }
                }
            } catch (EOFException | ZipException e) {
                issues.add(new DatasetReport.Issue(number + 1, "the compressed file is damaged or truncated: "
                        + e.getMessage()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return new Loaded(problems, new DatasetReport(file.toString(), problems.size(), issues));
    }

    static Problem parse(String line, int number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with \"task_id\", \"prompt\", \"entry_point\" "
                    + "and \"test\"");
        }
        String entryPoint = text(node, "entry_point").strip();
        if (!entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("\"entry_point\" is not a Python name: '" + entryPoint + "'");
        }
        String prompt = text(node, "prompt");
        String test = text(node, "test");
        if (!test.contains("def check(")) {
            throw new IllegalArgumentException("\"test\" does not define check(candidate)");
        }
        JsonNode solution = node.get("canonical_solution");
        String canonical = solution != null && solution.isTextual() ? solution.asText() : "";
        return new Problem(text(node, "task_id").strip(), prompt, entryPoint, canonical, test, number);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field \"" + field + "\"");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("field \"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }
}
