package dev.reverb.environments;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads MATH-format JSONL (Hendrycks et al., 2021): one {@code {"problem": ..., "solution": ...}}
 * object per line, optionally with {@code "answer"}, {@code "level"} and {@code "type"}; the
 * reference answer is {@code "answer"} when given, else the last {@code \boxed{}} of the solution.
 * A bad line is skipped and reported with its line number; it never stops the load.
 */
public final class MathDataset {

    private MathDataset() {
    }

    /** A solution line with each {@code \\boxed{x}} replaced by {@code x}: the steps reason, the answer is stated apart. */
    static String unboxed(String line) {
        StringBuilder out = new StringBuilder(line);
        int at;
        while ((at = out.indexOf("\\boxed{")) >= 0) {
            int open = at + "\\boxed".length();
            int close = MathAnswers.matchingBrace(out.toString(), open);
            if (close < 0) {
                break;
            }
            out.replace(close, close + 1, "").replace(at, open + 1, "");
        }
        return out.toString();
    }

    /**
     * Loads a file. Task ids are {@code STEM-LINE}.
     *
     * @throws java.io.UncheckedIOException when the file cannot be read at all
     * @throws DatasetException             when no line is a task (an empty file, or every line bad)
     */
    public static JsonLines.Loaded<Task> load(Path file) {
        String name = file.getFileName().toString();
        String stem = JsonLines.stem(file);
        return JsonLines.load(file, "expected a JSON object with \"problem\" and \"solution\"",
                (node, number) -> {
            String problem = JsonLines.text(node, "problem");
            String solution = JsonLines.text(node, "solution");
            String answer = node.hasNonNull("answer") ? node.get("answer").asText().strip()
                    : MathAnswers.boxed(solution).orElseThrow(() ->
                    new IllegalArgumentException("the solution has no \\boxed{} answer and there is no \"answer\""));
            if (answer.isBlank()) {
                throw new IllegalArgumentException("the answer is empty");
            }
            Map<String, String> metadata = new HashMap<>(Map.of("line", Integer.toString(number), "source", name));
            for (String extra : new String[] {"level", "type"}) {
                JsonNode value = node.get(extra);
                if (value != null && value.isValueNode()) {
                    metadata.put(extra, value.asText());
                }
            }
            List<String> steps = Arrays.stream(solution.split("\n")).map(MathDataset::unboxed).map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
            return new Task(String.format("%s-%05d", stem, number), "math", problem.strip(), MathAnswers.normalize(answer),
                    steps, metadata);
        });
    }
}
