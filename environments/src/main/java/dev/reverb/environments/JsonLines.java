package dev.reverb.environments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a dataset of one JSON object per line ({@code .jsonl}, or gzipped {@code .jsonl.gz}). A
 * bad line is skipped and reported with its line number and reason; it never stops the load, and a
 * truncated gzip file keeps what was read.
 */
public final class JsonLines {

    /** Turns one line's object into an item; throws {@link IllegalArgumentException} to skip the line with its reason. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(JsonNode node, int line);
    }

    /** The items read and the report of the lines skipped. */
    public record Loaded<T>(List<T> items, DatasetReport report) {
        public Loaded {
            items = List.copyOf(items);
        }

        /** The items shuffled with {@code shuffleSeed} when it is set, then cut to {@code limit} when that is set. */
        public List<T> chosen(Long shuffleSeed, Integer limit) {
            List<T> chosen = new ArrayList<>(items);
            if (shuffleSeed != null) {
                Collections.shuffle(chosen, new Random(shuffleSeed));
            }
            return limit != null && limit < chosen.size() ? chosen.subList(0, limit) : chosen;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLines() {
    }

    /**
     * @param expected what a line that is valid JSON but not an object is told it should be
     * @throws UncheckedIOException when the file cannot be opened at all
     */
    public static <T> Loaded<T> load(Path file, String expected, Parser<T> parser) {
        List<T> items = new ArrayList<>();
        List<DatasetReport.Issue> issues = new ArrayList<>();
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
                        items.add(parser.parse(object(line, expected), number));
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
        return new Loaded<>(items, new DatasetReport(file.toString(), items.size(), issues));
    }

    /** A field that must hold a non-blank string. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field \"" + field + "\"");
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("field \"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    /** The file's stem: its name without {@code .jsonl} (or {@code .jsonl.gz}). */
    public static String stem(Path file) {
        return file.getFileName().toString().replaceFirst("\\.jsonl(\\.gz)?$", "");
    }

    private static JsonNode object(String line, String expected) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(expected);
        }
        return node;
    }
}
