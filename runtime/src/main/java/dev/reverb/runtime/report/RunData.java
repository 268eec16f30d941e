package dev.reverb.runtime.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.environments.Environment;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a report reads from one run folder: its episodes (an id recorded more than once counts by
 * its last line; a line without {@code status} is a finished episode; an {@code episode_failed}
 * trace line stands for a failed episode that {@code episodes.jsonl} does not hold), its model
 * calls from {@code trace.jsonl}, and how many episodes each protocol planned.
 *
 * @param planned    planned episodes by protocol, in the scenario's order: from the resolved scenario
 *                   (tasks x repeats) when it still loads, else the episodes recorded
 * @param plannedFromScenario whether {@code planned} came from the scenario
 */
public record RunData(Path dir, String scenario, String runId, boolean simulated, List<Episode> episodes,
                      List<Call> calls, Map<String, Integer> planned, boolean plannedFromScenario) {

    public RunData {
        Objects.requireNonNull(dir, "dir");
        episodes = List.copyOf(episodes);
        calls = List.copyOf(calls);
        planned = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(planned));
    }

    /**
     * One planned episode as recorded: finished (with its verdict) or failed (with its cause).
     *
     * @param simulated whether its line says the simulated stand-in answered
     */
    public record Episode(String id, String protocol, String task, int repeat, boolean finished, boolean correct,
                          String error, List<Boolean> perRound, long promptTokens, long completionTokens,
                          long modelCalls, double latencyMs, int memoryUsed, boolean simulated) {
        public Episode {
            Objects.requireNonNull(id, "id");
            perRound = List.copyOf(perRound);
        }

        /** The key that pairs this episode with the same task in another protocol or run. */
        public String pairKey() {
            return task + "#r" + repeat;
        }
    }

    /**
     * One model call from the trace.
     *
     * @param errors one entry per failed try where the trace keeps them ({@code errors}), else its last
     *               {@code error}; empty when the call reported none
     */
    public record Call(String episodeId, String protocol, String agent, int round, long promptTokens,
                       long completionTokens, long latencyMs, int attempts, List<String> errors) {
        public Call {
            errors = List.copyOf(errors);
        }
    }

    /** Reads a run folder; throws when it is not one. */
    public static RunData load(Path dir) throws IOException {
        Path scenarioFile = dir.resolve(RunFolder.SCENARIO);
        if (!Files.isRegularFile(scenarioFile)) {
            throw new IOException("not a run folder (no " + RunFolder.SCENARIO + "): " + dir);
        }
        Map<String, Episode> byId = new LinkedHashMap<>();
        boolean[] simulated = {false};
        String[] scenarioName = {null};
        forEachLine(dir.resolve(RunFolder.EPISODES), line -> {
            Episode e = episode(line);
            byId.remove(e.id()); // keep file order of the last line
            byId.put(e.id(), e);
            simulated[0] |= e.simulated();
        });
        List<Call> calls = new ArrayList<>();
        forEachLine(dir.resolve(RunFolder.TRACE), line -> {
            String type = line.path("type").asText();
            if (type.equals("model_call")) {
                String episode = line.path("episode_id").asText();
                calls.add(new Call(episode, protocolOf(episode), line.path("agent").asText(),
                        line.path("round").asInt(), line.path("prompt_tokens").asLong(),
                        line.path("completion_tokens").asLong(), line.path("latency_ms").asLong(),
                        line.path("attempts").asInt(1), errors(line)));
                simulated[0] |= line.path("simulated").asBoolean();
            } else if (type.equals("episode_failed")) {
                String id = line.path("episode_id").asText();
                if (!byId.containsKey(id) || !byId.get(id).finished()) {
                    byId.remove(id);
                    byId.put(id, failed(id, text(line.path("error"))));
                }
            }
        });
        Optional<Scenario> scenario = scenario(scenarioFile);
        scenarioName[0] = scenario.map(Scenario::name).orElse(dir.getParent() == null ? "?"
                : String.valueOf(dir.getParent().getFileName()));
        Map<String, Integer> planned = new LinkedHashMap<>();
        boolean fromScenario = false;
        if (scenario.isPresent()) {
            Optional<Integer> tasks = taskCount(scenario.get());
            scenario.get().protocols().forEach(p -> planned.put(p.name(), 0));
            if (tasks.isPresent()) {
                int perProtocol = tasks.get() * scenario.get().run().repeats();
                planned.replaceAll((p, n) -> perProtocol);
                fromScenario = true;
            }
        }
        for (Episode e : byId.values()) {
            if (!fromScenario || !planned.containsKey(e.protocol())) {
                planned.merge(e.protocol(), 1, Integer::sum);
            }
        }
        return new RunData(dir, scenarioName[0], String.valueOf(dir.getFileName()), simulated[0],
                new ArrayList<>(byId.values()), calls, planned, fromScenario);
    }

    /** The episodes of one protocol, in the order they were recorded. */
    public List<Episode> episodesOf(String protocol) {
        return episodes.stream().filter(e -> e.protocol().equals(protocol)).toList();
    }

    /** One line of {@code episodes.jsonl} (finished, or failed with its cause), as the report reads it. */
    public static Episode episode(JsonNode line) {
        String id = line.path("episode").asText(line.path("episode_id").asText());
        String protocol = line.path("protocol").asText(protocolOf(id));
        boolean failed = line.path("status").asText("finished").equals("failed");
        List<Boolean> perRound = new ArrayList<>();
        line.path("per_round").forEach(r -> perRound.add(r.path("correct").asBoolean()));
        return new Episode(id, protocol, line.path("task").asText(taskOf(id)),
                line.path("repeat").asInt(repeatOf(id)), !failed, !failed && line.path("correct").asBoolean(),
                failed ? text(line.path("error")) : null, perRound, line.path("prompt_tokens").asLong(),
                line.path("completion_tokens").asLong(), line.path("model_calls").asLong(),
                line.path("latency_ms").asDouble(), line.path("memory_used").size(), line.path("simulated").asBoolean());
    }

    private static Episode failed(String id, String error) {
        return new Episode(id, protocolOf(id), taskOf(id), repeatOf(id), false, false, error, List.of(), 0, 0, 0,
                0, 0, false);
    }

    private static List<String> errors(JsonNode call) {
        List<String> errors = new ArrayList<>();
        if (call.path("errors").isArray() && !call.path("errors").isEmpty()) {
            for (JsonNode e : call.path("errors")) {
                String message = e.isObject() ? text(e.has("error") ? e.path("error") : e.path("message")) : text(e);
                errors.add(message == null ? e.toString() : message);
            }
        } else {
            String last = text(call.path("error"));
            if (last != null && !last.isBlank()) {
                errors.add(last);
            }
        }
        return errors;
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    // episode ids are PROTOCOL/TASK/rREPEAT; a task id may itself hold '/'
    static String protocolOf(String id) {
        int slash = id.indexOf('/');
        return slash < 0 ? id : id.substring(0, slash);
    }

    static String taskOf(String id) {
        int first = id.indexOf('/');
        int last = id.lastIndexOf("/r");
        return first < 0 || last <= first ? id : id.substring(first + 1, last);
    }

    static int repeatOf(String id) {
        int last = id.lastIndexOf("/r");
        try {
            return last < 0 ? 0 : Integer.parseInt(id.substring(last + 2));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Reads each whole JSON line; a torn or unreadable line (a run killed mid-write) is skipped. */
    private static void forEachLine(Path file, Consumer<JsonNode> each) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    continue;
                }
                if (node != null && node.isObject()) {
                    each.accept(node);
                }
            }
        }
    }

    private static Optional<Scenario> scenario(Path file) {
        try {
            return Optional.of(ScenarioLoader.load(file, List.of()));
        } catch (Exception e) { // a scenario that no longer loads (moved prompts, user extensions): count recorded
            return Optional.empty();
        }
    }

    private static Optional<Integer> taskCount(Scenario scenario) {
        try {
            Environment environment = Wiring.environment(scenario.environment(), Extensions.NONE);
            return Optional.of(environment.tasks().size());
        } catch (Exception e) { // the dataset moved or needs a user's extension: count what was recorded
            return Optional.empty();
        }
    }
}
