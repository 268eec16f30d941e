package dev.reverb.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * The folder of one run: {@code OUTPUT/SCENARIO/RUN-ID/} with {@code scenario.resolved.yaml},
 * {@code episodes.jsonl}, {@code trace.jsonl} and {@code summary.json}.
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
        try {
            for (String line : Files.readAllLines(episodes(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    records.add(Json.MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + episodes(), e);
        }
        return records;
    }

    /** The ids of the episodes already recorded. */
    public Set<String> finishedEpisodes() {
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode record : episodeRecords()) {
            ids.add(record.path("episode").asText());
        }
        return ids;
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
