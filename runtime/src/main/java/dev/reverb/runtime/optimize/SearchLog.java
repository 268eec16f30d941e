package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.report.Stats;
import dev.reverb.runtime.run.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code search.jsonl}: one line per event, appended and flushed as it happens, so a killed search
 * resumes from it. A {@code split} line first (the dev and test ids), then a {@code candidate} line
 * per finished candidate (valid and evaluated, or invalid with its errors), then one {@code test}
 * line per design evaluated on the test set at the end. A torn last line is dropped on reading.
 */
final class SearchLog {

    private final Path file;

    SearchLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    List<JsonNode> read() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        if (!Files.exists(file)) {
            return lines;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                lines.add(Json.MAPPER.readTree(line));
            } catch (IOException e) {
                break; // a torn last line of a killed search: that candidate runs again
            }
        }
        return lines;
    }

    synchronized void append(ObjectNode line) throws IOException {
        Files.writeString(file, Json.MAPPER.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    }

    static ObjectNode split(Split split, Level level, long seed) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("type", "split").put("level", level.id()).put("seed", seed);
        split.dev().forEach(o.putArray("dev")::add);
        split.test().forEach(o.putArray("test")::add);
        return o;
    }

    static Split split(JsonNode line) {
        List<String> dev = new ArrayList<>();
        List<String> test = new ArrayList<>();
        line.path("dev").forEach(n -> dev.add(n.asText()));
        line.path("test").forEach(n -> test.add(n.asText()));
        return new Split(dev, test);
    }

    static ObjectNode candidate(Candidate c, List<String> tasks) {
        ObjectNode o = Json.MAPPER.createObjectNode().put("type", "candidate").put("id", c.id()).put("arm", c.arm())
                .put("valid", c.valid());
        c.errors().forEach(o.putArray("errors")::add);
        o.put("diff", c.change());
        if (c.valid()) {
            double[] ci = Stats.wilson(c.correct(), c.episodes());
            o.putObject("dev").put("correct", c.correct()).put("episodes", c.episodes())
                    .put("accuracy", c.accuracy()).putArray("ci95").add(ci[0]).add(ci[1]);
            tasks.forEach(o.putArray("tasks")::add);
        }
        o.putObject("tokens").put("evaluation", c.evalTokens()).put("optimizer", c.optimizerTokens())
                .put("per_task", c.tokensPerTask());
        c.perTask().forEach(o.putObject("per_task")::put);
        c.failures().forEach(o.putArray("failures")::add);
        if (c.run() != null) {
            o.put("run", c.run());
        }
        o.put("response", c.response());
        if (c.yaml() != null) {
            o.put("yaml", c.yaml());
        }
        return o;
    }

    static Candidate candidate(JsonNode o) {
        List<String> errors = new ArrayList<>();
        o.path("errors").forEach(e -> errors.add(e.asText()));
        Map<String, Double> perTask = new LinkedHashMap<>();
        o.path("per_task").fields().forEachRemaining(e -> perTask.put(e.getKey(), e.getValue().asDouble()));
        List<String> failures = new ArrayList<>();
        o.path("failures").forEach(f -> failures.add(f.asText()));
        return new Candidate(o.path("id").asInt(), o.path("arm").asText(), o.path("response").asText(""),
                o.hasNonNull("yaml") ? o.path("yaml").asText() : null, o.path("diff").asText(""), errors,
                o.path("dev").path("correct").asInt(), o.path("dev").path("episodes").asInt(),
                o.path("tokens").path("evaluation").asLong(), o.path("tokens").path("optimizer").asLong(), perTask,
                failures, o.hasNonNull("run") ? o.path("run").asText() : null);
    }
}
