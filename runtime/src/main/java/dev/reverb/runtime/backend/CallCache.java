package dev.reverb.runtime.backend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An on-disk cache of model calls: one small JSON file per call key, {@code FOLDER/ab/abcdef….json}.
 *
 * <p>The key is the SHA-256 of a canonical JSON of everything that decides a model's answer: the
 * model's identity, the messages, the sampling settings, the seed and {@code n} (and, for a backend
 * whose answer depends on where the call comes from, such as the simulated stand-in, the call's
 * context ids). An entry is written to a temporary file in the same folder and renamed over the
 * entry with {@code ATOMIC_MOVE}: a reader sees a whole entry or none, two writers of one key
 * (two runs at once) leave one whole entry, and a crash mid-write leaves only a stray
 * {@code .tmp} file, which readers never look at. An entry that cannot be read (cut short by a
 * disk fault, hand-edited, or of another key) counts as a miss, and the next write replaces it.
 */
public final class CallCache {

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    static final int FORMAT = 1;

    private final Path folder;

    public CallCache(Path folder) {
        this.folder = Objects.requireNonNull(folder, "folder").toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    /** The key of a generate call to the model {@code identity}; {@code withContext} adds the call's ids. */
    public static String key(String identity, GenerateRequest request, boolean withContext) {
        ObjectNode k = CANONICAL.createObjectNode();
        k.put("format", FORMAT).put("call", "generate").put("model", identity);
        ArrayNode messages = k.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().name().toLowerCase(java.util.Locale.ROOT))
                    .put("content", m.content());
        }
        Sampling s = request.sampling();
        ObjectNode sampling = k.putObject("sampling");
        sampling.put("temperature", s.temperature()).put("top_p", s.topP()).put("top_k", s.topK())
                .put("max_tokens", s.maxTokens());
        s.stop().forEach(sampling.putArray("stop")::add);
        if (s.seed() == null) {
            sampling.putNull("seed");
        } else {
            sampling.put("seed", s.seed());
        }
        k.put("n", request.n());
        if (withContext) {
            context(k, request.context());
        }
        return sha256(k);
    }

    /** The key of a step-scoring call to the model {@code identity}. */
    public static String key(String identity, ScoreRequest request, boolean withContext) {
        ObjectNode k = CANONICAL.createObjectNode();
        k.put("format", FORMAT).put("call", "score").put("model", identity).put("problem", request.problem());
        request.steps().forEach(k.putArray("steps")::add);
        if (withContext) {
            context(k, request.context());
        }
        return sha256(k);
    }

    private static void context(ObjectNode k, CallContext c) {
        k.putObject("context").put("episode", c.episodeId()).put("task", c.taskId()).put("agent", c.agent())
                .put("role", c.role()).put("round", c.round()).put("phase", c.phase().name());
    }

    /** The entry stored under {@code key}, or empty when there is none or it cannot be read. */
    public Optional<JsonNode> get(String key) {
        Path file = file(key);
        try {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode entry = CANONICAL.readTree(bytes);
            if (entry == null || !entry.isObject() || !key.equals(entry.path("key").asText())
                    || !entry.has("value")) {
                return Optional.empty();
            }
            return Optional.of(entry.get("value"));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) { // unreadable or cut short: a miss, replaced by the next write
            return Optional.empty();
        }
    }

    /** Stores {@code value} under {@code key}, replacing what was there, atomically. */
    public void put(String key, JsonNode value) {
        Path file = file(key);
        ObjectNode entry = CANONICAL.createObjectNode();
        entry.put("key", key);
        entry.set("value", value);
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.write(tmp, CANONICAL.writeValueAsBytes(entry));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temp file is never read
                }
            }
            throw new UncheckedIOException("cannot write the model-call cache in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** Where {@code key}'s entry lives. */
    Path file(String key) {
        if (!key.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a cache key: " + key);
        }
        return folder.resolve(key.substring(0, 2)).resolve(key + ".json");
    }

    private static String sha256(JsonNode canonical) {
        try {
            byte[] text = CANONICAL.writeValueAsBytes(canonical);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
