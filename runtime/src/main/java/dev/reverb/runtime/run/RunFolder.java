package dev.reverb.runtime.run;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.report.RunData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The folder of one run: {@code OUTPUT/SCENARIO/RUN-ID/} with {@code scenario.resolved.yaml},
 * {@code episodes.jsonl}, {@code trace.jsonl}, {@code sessions.jsonl} and {@code summary.json}.
 *
 * <p>The JSONL files are append-only, one complete line per record, flushed as written; a run
 * killed mid-write leaves at most one torn last line, which {@link #open} cuts off before the
 * run resumes, so a resumed run neither loses nor repeats a finished episode.
 */
public final class RunFolder {

    public static final String SCENARIO = "scenario.resolved.yaml";
    public static final String EPISODES = "episodes.jsonl";
    public static final String TRACE = "trace.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String SESSIONS = "sessions.jsonl";

    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Makes a new run folder under {@code output/scenario/} and writes the resolved scenario. */
    public static RunFolder create(Path output, String scenario, String resolvedYaml) throws IOException {
        Path parent = output.resolve(scenario);
        Files.createDirectories(parent);
        String base = LocalDateTime.now().format(RUN_ID);
        Path dir = parent.resolve(base);
        for (int i = 2; ; i++) {
            try {
                Files.createDirectory(dir);
                break;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                dir = parent.resolve(base + "-" + i);
            }
        }
        Files.writeString(dir.resolve(SCENARIO), resolvedYaml, StandardCharsets.UTF_8);
        return new RunFolder(dir);
    }

    /** Opens an existing run folder to resume it, cutting off a torn last line in each JSONL file. */
    public static RunFolder open(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(SCENARIO))) {
            throw new IOException("not a run folder (no " + SCENARIO + "): " + dir);
        }
        RunFolder folder = new RunFolder(dir);
        repairTornLine(folder.episodes());
        repairTornLine(folder.trace());
        return folder;
    }

    public Path dir() {
        return dir;
    }

    public Path scenario() {
        return dir.resolve(SCENARIO);
    }

    public Path episodes() {
        return dir.resolve(EPISODES);
    }

    public Path trace() {
        return dir.resolve(TRACE);
    }

    public Path summary() {
        return dir.resolve(SUMMARY);
    }

    /** Every recorded episode line, in file order. */
    public List<JsonNode> episodeRecords() {
        List<JsonNode> records = new ArrayList<>();
        if (!Files.exists(episodes())) {
            return records;
        }
        try (java.io.BufferedReader lines = Files.newBufferedReader(episodes(), StandardCharsets.UTF_8)) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (!line.isBlank()) {
                    records.add(Json.MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + episodes(), e);
        }
        return records;
    }

    /** An episode line's texts, which a summary does not read: a large part of each line. */
    private static final Set<String> TEXTS = Set.of("output", "messages", "feedback");

    /**
     * The row of every recorded episode line ({@link RunData#episode}), in file order: what a summary
     * and a resume read. Each line is read without its texts ({@code output}, {@code messages},
     * {@code feedback}) and dropped once its row is made, so a run of 100,000 episodes is read in a
     * fraction of the memory its lines would take as trees.
     */
    public List<RunData.Episode> rows() {
        List<RunData.Episode> rows = new ArrayList<>();
        forEachRecord(TEXTS, record -> rows.add(RunData.episode(record)));
        return rows;
    }

    /** Each episode line in file order, read one at a time (never the whole file at once), without the fields {@code dropped}. */
    private void forEachRecord(Set<String> dropped, Consumer<JsonNode> each) {
        if (!Files.exists(episodes())) {
            return;
        }
        try (java.io.BufferedReader lines = Files.newBufferedReader(episodes(), StandardCharsets.UTF_8)) {
            without(lines, dropped, each);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + episodes(), e);
        }
    }

    /**
     * The records of {@code lines} (one JSON object a line), read by one parser; the fields
     * {@code dropped} are skipped as they are read, never made into nodes, and a plain value is made
     * into its node directly.
     */
    private static void without(java.io.Reader lines, Set<String> dropped, Consumer<JsonNode> each) throws IOException {
        JsonNodeFactory nodes = Json.MAPPER.getNodeFactory();
        try (JsonParser parser = Json.MAPPER.createParser(lines)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token != JsonToken.START_OBJECT) {
                    each.accept(Json.MAPPER.readTree(parser));
                    continue;
                }
                ObjectNode record = nodes.objectNode();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (dropped.contains(name)) {
                        parser.skipChildren();
                        continue;
                    }
                    record.set(name, switch (value) {
                        case VALUE_STRING -> nodes.textNode(parser.getText());
                        case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                            case INT -> nodes.numberNode(parser.getIntValue());
                            case LONG -> nodes.numberNode(parser.getLongValue());
                            default -> nodes.numberNode(parser.getBigIntegerValue());
                        };
                        case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
                        case VALUE_TRUE, VALUE_FALSE -> nodes.booleanNode(value == JsonToken.VALUE_TRUE);
                        case VALUE_NULL -> nodes.nullNode();
                        default -> Json.MAPPER.readTree(parser); // arrays and objects
                    });
                }
                each.accept(record);
            }
        }
    }

    /**
     * The latest record of each episode, in the order episodes first appear: a failed episode that
     * finished on a resume is counted once, as finished.
     */
    public List<JsonNode> latestRecords() {
        return latest(episodeRecords());
    }

    /** The latest record per episode id of {@code records}, in order of first appearance. */
    public static List<JsonNode> latest(List<JsonNode> records) {
        return latest(records, record -> record.hasNonNull("episode") ? record.get("episode").asText() : null);
    }

    /**
     * The latest of {@code records} per episode id ({@code id}), in order of first appearance: a failed
     * episode that finished on a resume counts once, as finished. A record whose id is null (hand-made) stands alone.
     */
    static <T> List<T> latest(List<T> records, java.util.function.Function<T, String> id) {
        java.util.Map<Object, T> byId = new java.util.LinkedHashMap<>(records.size() * 4 / 3 + 1);
        for (T record : records) {
            String key = id.apply(record);
            byId.put(key == null ? new Object() : key, record);
        }
        return List.copyOf(byId.values());
    }

    /** Whether a record is of a failed episode (lines written before statuses existed are finished ones). */
    public static boolean isFailed(JsonNode record) {
        return Recorder.FAILED.equals(record.path("status").asText());
    }

    /** The ids of the episodes already finished (failed ones run again on resume). */
    public Set<String> finishedEpisodes() {
        return finished(rows());
    }

    /** The ids of the episodes whose latest row of {@code rows} is a finished one, in order of first appearance. */
    public static Set<String> finished(List<RunData.Episode> rows) {
        Set<String> ids = new LinkedHashSet<>();
        for (RunData.Episode row : Summary.latest(rows)) {
            if (row.finished()) {
                ids.add(row.id());
            }
        }
        return ids;
    }

    /** {@code sessions.jsonl}: one line per session of the run that ended (started, wall time, outcome). */
    /**
     * Deletes this folder when no episode was ever recorded in it (a run that could not start), so
     * that a refused run leaves nothing behind; returns whether it did. A folder with episodes is kept.
     */
    public boolean deleteIfNothingRan() throws IOException {
        if (Files.exists(episodes()) && Files.size(episodes()) > 0) {
            return false;
        }
        try (var walk = Files.walk(dir)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
        return true;
    }

    public Path sessions() {
        return dir.resolve(SESSIONS);
    }

    /** Appends one session's line: when it started and how long it ran. */
    public void recordSession(java.time.Instant started, double wallSeconds, int finished, int failed)
            throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("started", started.toString());
        line.put("wall_time_s", Math.round(wallSeconds * 1000) / 1000.0);
        line.put("finished", finished);
        line.put("failed", failed);
        repairTornLine(sessions());
        Files.writeString(sessions(), Json.MAPPER.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** The wall time of each recorded session, in order. */
    public List<Double> sessionWallTimes() {
        List<Double> times = new ArrayList<>();
        if (!Files.exists(sessions())) {
            return times;
        }
        try {
            for (String line : Files.readAllLines(sessions(), StandardCharsets.UTF_8)) {
                if (!line.isBlank() && line.endsWith("}")) {
                    times.add(Json.MAPPER.readTree(line).path("wall_time_s").asDouble());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sessions(), e);
        }
        return times;
    }

    /** Truncates a file after its last newline: a line without one was being written when the run died. */
    static void repairTornLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long keep = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (keep > 0) {
                one.clear();
                channel.read(one, keep - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                keep--;
            }
            if (keep < size) {
                channel.truncate(keep);
            }
        }
    }
}
