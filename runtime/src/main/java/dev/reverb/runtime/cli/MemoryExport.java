package dev.reverb.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.environments.DatasetLines;
import dev.reverb.environments.DatasetReport;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory export format: a header line ({@code format}, {@code version}, {@code dimension},
 * {@code embedding}), then one JSON object per item with its vector as base64 little-endian float32.
 * {@link Importer} reads one back line by line through {@link DatasetLines}: a line that is not UTF-8,
 * not JSON or not an item is reported with its number and skipped; the rest is imported.
 */
final class MemoryExport {

    /** The first line of an export: what the vectors are. */
    static final String EXPORT_FORMAT = "reverb-memory-export";
    static final int VERSION = 1;
    /** The largest embedding dimension an export may declare. */
    static final int MAX_DIMENSION = 65_536;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MemoryExport() {
    }

    static ObjectNode header(int dimension, String embedding) {
        return JSON.createObjectNode().put("format", EXPORT_FORMAT).put("version", VERSION).put("dimension", dimension)
                .put("embedding", embedding);
    }

    /** An item's fields but its text, as JSON. */
    static ObjectNode fields(MemoryItem item) {
        ObjectNode node = JSON.createObjectNode().put("id", item.id())
                .put("kind", item.kind().name().toLowerCase(Locale.ROOT)).put("scope", item.scope())
                .put("created_at", item.createdAt().toString());
        node.set("tags", JSON.valueToTree(new TreeMap<>(item.tags())));
        return node;
    }

    static ObjectNode line(MemoryItem item, float[] vector) {
        ObjectNode node = fields(item).put("text", item.text());
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        node.put("vector", Base64.getEncoder().encodeToString(bytes.array()));
        return node;
    }

    static MemoryItem item(JsonNode node) {
        for (String field : List.of("id", "kind", "scope", "created_at", "text", "vector")) {
            if (!node.path(field).isTextual()) {
                throw new IllegalArgumentException("missing field '" + field + "'");
            }
        }
        Map<String, String> tags = new HashMap<>();
        node.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        Instant created;
        try {
            created = Instant.parse(node.path("created_at").asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'created_at' is not an instant like 2026-01-31T12:00:00Z: '"
                    + node.path("created_at").asText() + "'");
        }
        return new MemoryItem(node.path("id").asText(), MemoryCommand.Filters.kind(node.path("kind").asText()), node.path("scope").asText(),
                node.path("text").asText(), created, tags);
    }

    static float[] vector(JsonNode node, int dimension) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(node.path("vector").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'vector' is not base64: " + e.getMessage());
        }
        if (raw.length != dimension * 4) {
            throw new IllegalArgumentException("vector has " + raw.length / 4 + " dimensions, the store " + dimension);
        }
        float[] v = new float[dimension];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("'vector' holds " + x);
            }
        }
        return v;
    }


    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** An import refused as a whole (its header); the message is one sentence. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Imports an export's lines into a store, opened when the header has been read. Store failures
     * leave as {@link UncheckedIOException}; a bad header as {@link Refused}.
     */
    static final class Importer implements DatasetLines.Sink, AutoCloseable {
        private final Path file;
        private final Path dir;
        private final PrintWriter err;
        private LuceneStore store;
        private boolean started;
        private int imported;
        private int bad;

        Importer(Path file, Path dir, PrintWriter err) {
            this.file = file;
            this.dir = dir;
            this.err = err;
        }

        boolean started() {
            return started;
        }

        int imported() {
            return imported;
        }

        int bad() {
            return bad;
        }

        @Override
        public void line(int number, String text) {
            if (text.isBlank()) {
                return;
            }
            if (!started) {
                started = true;
                open(number, parse(text));
                return;
            }
            try {
                JsonNode node = parse(text);
                if (node == null) {
                    throw new IllegalArgumentException("not JSON");
                }
                store.put(item(node), vector(node, store.dimension()));
                imported++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                skip(number, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        @Override
        public void problem(DatasetReport.Issue issue) {
            if (!started) {
                throw new Refused(file + ":" + issue.line() + ": not a reverb memory export: " + issue.message());
            }
            skip(issue.line(), issue.message());
        }

        private void skip(int number, String why) {
            bad++;
            err.printf("%s:%d: skipped: %s%n", file, number, why);
        }

        private void open(int number, JsonNode header) {
            String where = file + ":" + number + ": ";
            if (header == null || !EXPORT_FORMAT.equals(header.path("format").asText())) {
                throw new Refused(where + "not a reverb memory export (its first line is not the export header)");
            }
            JsonNode version = header.path("version");
            if (!version.canConvertToInt() || version.asInt() > VERSION) {
                throw new Refused(where + "export version " + version + " is not one this Reverb reads (" + VERSION + ")");
            }
            JsonNode dimension = header.path("dimension");
            if (!dimension.isIntegralNumber() || !dimension.canConvertToInt() || dimension.asInt() < 1
                    || dimension.asInt() > MAX_DIMENSION) {
                throw new Refused(where + "the header's dimension must be a whole number from 1 to " + MAX_DIMENSION
                        + ", was " + dimension);
            }
            try {
                store = LuceneStore.open(dir, dimension.asInt(), header.path("embedding").asText(""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Commits what was imported. */
        void finish() throws IOException {
            if (store != null) {
                store.commit();
            }
        }

        @Override
        public void close() throws IOException {
            if (store != null) {
                LuceneStore s = store;
                store = null;
                s.close();
            }
        }
    }
}
