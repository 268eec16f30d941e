package dev.reverb.environments;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads GSM8K-format JSONL: one {@code {"question": ..., "answer": ...}} object per line, the
 * answer a worked solution whose last line is {@code #### N}. A bad line is skipped and reported
 * with its line number; it never stops the load.
 */
public final class Gsm8k {

    private Gsm8k() {
    }

    /**
     * Loads a file. Task ids are {@code STEM-LINE} ({@code test-00042}), stable across runs.
     *
     * @throws UncheckedIOException when the file cannot be read at all
     * @throws DatasetException     when no line is a task (an empty file, or every line bad)
     */
    public static JsonLines.Loaded<Task> load(Path file) {
        String stem = JsonLines.stem(file);
        String name = file.getFileName().toString();
        return JsonLines.load(file, "expected a JSON object with \"question\" and \"answer\"",
                (node, number) -> parse(node, stem, number, name));
    }

    private static Task parse(JsonNode node, String stem, int number, String source) {
        String question = JsonLines.text(node, "question");
        String answer = JsonLines.text(node, "answer");
        int marker = answer.lastIndexOf("####");
        if (marker < 0) {
            throw new IllegalArgumentException("\"answer\" has no final \"#### N\" line");
        }
        String finalText = answer.substring(marker + 4).strip();
        Optional<String> reference = NumericAnswers.parse(finalText).map(NumericAnswers::canonical);
        if (reference.isEmpty()) {
            throw new IllegalArgumentException("the final answer after #### is not a number: '" + finalText + "'");
        }
        List<String> steps = Arrays.stream(answer.substring(0, marker).split("\n"))
                .map(s -> s.replaceAll("<<[^>]*>>", "").strip())
                .filter(s -> !s.isEmpty())
                .toList();
        String id = String.format("%s-%05d", stem, number);
        return new Task(id, "gsm8k", question.strip(), reference.get(), steps,
                Map.of("line", Integer.toString(number), "source", source));
    }
}
