package dev.reverb.environments.code;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.environments.JsonLines;
import dev.reverb.environments.Task;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads HumanEval-format JSONL, plain or gzipped ({@code HumanEval.jsonl.gz}): one object per line
 * with {@code task_id}, {@code prompt} (signature and docstring), {@code entry_point},
 * {@code canonical_solution} (the body) and {@code test} (which defines {@code check(candidate)}).
 * A bad line is skipped and reported with its line number; it never stops the load, and neither
 * does a damaged gzip file (what was read before the damage is kept). A file with no problem at all
 * is refused with one message naming it.
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

    private HumanEval() {
    }

    /**
     * Loads a {@code .jsonl} or {@code .jsonl.gz} file; a repeated {@code task_id} is a bad line.
     *
     * @throws UncheckedIOException when the file cannot be opened at all
     * @throws dev.reverb.environments.DatasetException when no line is a problem (a text file, an empty file)
     */
    public static JsonLines.Loaded<Problem> load(Path file) {
        Set<String> ids = new HashSet<>();
        return JsonLines.load(file, "expected a JSON object with \"task_id\", \"prompt\", \"entry_point\" and \"test\"",
                (node, number) -> {
                    Problem problem = parse(node, number);
                    if (!ids.add(problem.taskId())) {
                        throw new IllegalArgumentException("duplicate task_id \"" + problem.taskId() + "\"");
                    }
                    return problem;
                });
    }

    static Problem parse(JsonNode node, int number) {
        String entryPoint = JsonLines.text(node, "entry_point").strip();
        if (!entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("\"entry_point\" is not a Python name: '" + entryPoint + "'");
        }
        String prompt = JsonLines.text(node, "prompt");
        String test = JsonLines.text(node, "test");
        if (!test.contains("def check(")) {
            throw new IllegalArgumentException("\"test\" does not define check(candidate)");
        }
        JsonNode solution = node.get("canonical_solution");
        String canonical = solution != null && solution.isTextual() ? solution.asText() : "";
        return new Problem(JsonLines.text(node, "task_id").strip(), prompt, entryPoint, canonical, test, number);
    }
}
