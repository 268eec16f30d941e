package dev.reverb.runtime.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.environments.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code datasets.json} of a run folder: every file the environment reads (each path setting,
 * e.g. {@code dataset}) with its SHA-256, size, and whether it is the pinned public file. Written
 * when a run starts; on {@code --resume} the files are checked against it, so a run never mixes
 * episodes over two versions of a dataset.
 */
public final class RunDatasets {

    /** The file's name in a run folder. */
    public static final String FILE = "datasets.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One file the environment reads.
     *
     * @param key     the setting that names it ({@code dataset})
     * @param path    absolute
     * @param sha256  of its bytes now
     * @param bytes   its size
     * @param dataset the public dataset it is ({@code gsm8k}), when its name and digest are that file's; else empty
     */
    public record Entry(String key, Path path, String sha256, long bytes, Optional<String> dataset) {
    }

    private RunDatasets() {
    }

    /** The files among the environment's settings, with their digests now. */
    public static List<Entry> of(Settings environment) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> e : environment.values().entrySet()) {
            if (e.getValue() instanceof Path p && Files.isRegularFile(p)) {
                Path path = p.toAbsolutePath().normalize();
                String sha = DataFetcher.sha256(path);
                long bytes;
                try {
                    bytes = Files.size(path);
                } catch (IOException ex) {
                    throw new DataException("cannot read " + path + ": " + DataFetcher.reason(ex), ex);
                }
                Optional<String> pinned = Datasets.forFile(path).map(Datasets.Match::dataset)
                        .filter(d -> d.data().sha256().equals(sha)).map(Dataset::name);
                entries.add(new Entry(e.getKey(), path, sha, bytes, pinned));
            }
        }
        return List.copyOf(entries);
    }

    /**
     * Writes {@code runDir/datasets.json} for a new run, or, when it is there (a resumed run), checks
     * that every file still has the digest recorded.
     *
     * @return the entries now
     * @throws DataException when a file changed since the run started (its message names the file and both digests)
     */
    public static List<Entry> recordOrCheck(Settings environment, Path runDir) {
        List<Entry> now = of(environment);
        Path file = runDir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                JsonNode recorded = JSON.readTree(file.toFile());
                for (JsonNode r : recorded.path("files")) {
                    String key = r.path("key").asText();
                    String sha = r.path("sha256").asText();
                    Entry current = now.stream().filter(e -> e.key().equals(key)).findFirst().orElse(null);
                    if (current != null && !current.sha256().equals(sha)) {
                        throw new DataException("the " + key + " file changed since this run started: "
                                + current.path() + " had SHA-256 " + sha + " and now has " + current.sha256()
                                + "; restore it, or start a new run");
                    }
                }
                return now;
            }
            ObjectNode root = JSON.createObjectNode();
            ArrayNode files = root.putArray("files");
            for (Entry e : now) {
                ObjectNode o = files.addObject();
                o.put("key", e.key());
                o.put("path", e.path().toString());
                o.put("sha256", e.sha256());
                o.put("bytes", e.bytes());
                if (e.dataset().isPresent()) {
                    o.put("dataset", e.dataset().get());
                    o.put("source", Datasets.named(e.dataset().get()).orElseThrow().data().url().toString());
                }
            }
            Path tmp = Files.createTempFile(runDir, "." + FILE + ".", ".part");
            try {
                JSON.writeValue(tmp.toFile(), root);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return now;
        } catch (IOException e) {
            throw new DataException("cannot write " + file + ": " + DataFetcher.reason(e), e);
        }
    }
}
