package dev.reverb.environments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** The tasks read and the report of the lines skipped. */
    public record Loaded(List<Task> tasks, DatasetReport report) {
        public Loaded {
            tasks = List.copyOf(tasks);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Gsm8k() {
    }

    /**
     * Loads a file. Task ids are {@code STEM-LINE} ({@code test-00042}), stable across runs.
     *
     * @throws UncheckedIOException when the file cannot be read at all
     */
    public static Loaded load(Path file) {
        String name = file.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
        return load(file, "expected a JSON object with \"question\" and \"answer\"",
                (node, number) -> parse(node, stem, number, name));
    }

    /** Parses one line's object into a task; throws {@link IllegalArgumentException} to skip the line with its reason. */
    interface LineParser {
        Task parse(JsonNode node, int line);
    }

    /** Reads a JSONL file of objects, each parsed into a task; bad lines are reported with their numbers. */
    static Loaded load(Path file, String expected, LineParser parser) {
        List<Task> tasks = new ArrayList<>();
        List<DatasetReport.Issue> issues = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode node;
                    try {
                        node = JSON.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
                    }
                    if (!node.isObject()) {
                        throw new IllegalArgumentException(expected);
                    }
                    tasks.add(parser.parse(node, number));
                } catch (IllegalArgumentException e) {
                    issues.add(new DatasetReport.Issue(number, e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return new Loaded(tasks, new DatasetReport(file.toString(), tasks.size(), issues));
    }

    private static Task parse(JsonNode node, String stem, int number, String source) {
        String question = text(node, "question");
        String answer = text(node, "answer");
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

    static String text(JsonNode node, String field) {
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
