package dev.reverb.environments;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Reads a dataset of one JSON object per line ({@code .jsonl}, or gzipped {@code .jsonl.gz}) through
 * {@link DatasetLines}. A bad line (not UTF-8, not one JSON object, text after the object, a key
 * given twice, or refused by the parser) is skipped and reported with its line number and reason; it
 * never stops the load, and a damaged gzip file keeps what was read before the damage. A file with no
 * good line at all is refused ({@link DatasetException}).
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

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JsonLines() {
    }

    /**
     * @param expected what a line that is valid JSON but not an object is told it should be
     * @throws UncheckedIOException when the file cannot be opened or read at all
     * @throws DatasetException     when the file holds no item: it is empty or every line is bad
     */
    public static <T> Loaded<T> load(Path file, String expected, Parser<T> parser) {
        DatasetLines.Read<T> read = DatasetLines.read(file, (text, number) -> parser.parse(object(text, expected), number));
        return new Loaded<>(read.items(), read.report());
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

    /**
     * The one JSON object on a line: text after it (a second value, garbage) makes the line bad, and
     * so does a key given twice.
     */
    static JsonNode object(String line, String expected) {
        try (JsonParser parser = JSON.createParser(line)) {
            JsonNode node = JSON.readTree(parser);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(expected);
            }
            int column = parser.currentLocation().getColumnNr();
            JsonToken after;
            try {
                after = parser.nextToken();
            } catch (JsonProcessingException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw new IllegalArgumentException("text after the JSON object, from column " + column + ": '"
                        + abbreviated(line.substring(Math.min(line.length(), Math.max(0, column - 1))).strip()) + "'");
            }
            return node;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null || e.getLocation().getColumnNr() < 1 ? ""
                    : " at column " + e.getLocation().getColumnNr();
            throw new IllegalArgumentException("not valid JSON" + at + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
