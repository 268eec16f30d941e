package dev.reverb.runtime.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.run.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The data behind the report's charts, as one JSON object the page's script draws from. */
final class Figures {

    private Figures() {
    }

    static ObjectNode of(List<RunData> runs, List<ProtocolRow> rows, List<Comparison> comparisons) {
        boolean several = runs.size() > 1;
        java.util.function.Function<RunData, String> name = runName(runs);
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode accuracy = root.putArray("accuracy");
        ArrayNode rounds = root.putArray("rounds");
        for (ProtocolRow r : rows) {
            String label = several ? name.apply(run(runs, r)) + ":" + r.protocol() : r.protocol();
            ObjectNode a = accuracy.addObject().put("label", label);
            a.putObject("finished").put("n", r.finished()).put("acc", nan(r.accuracyFinished()))
                    .put("lo", r.ciFinished()[0]).put("hi", r.ciFinished()[1]);
            a.putObject("planned").put("n", r.planned()).put("acc", nan(r.accuracyPlanned()))
                    .put("lo", r.ciPlanned()[0]).put("hi", r.ciPlanned()[1]);
            ArrayNode values = rounds.addObject().put("label", label).putArray("values");
            for (double v : r.accuracyByRound()) {
                values.add(v);
            }
        }
        ArrayNode agents = root.putArray("agents");
        ArrayNode failures = root.putArray("failures");
        ArrayNode memory = root.putArray("memory");
        Map<String, Integer> causes = new LinkedHashMap<>();
        for (RunData run : runs) {
            String prefix = several ? name.apply(run) + ":" : "";
            Map<String, long[]> byAgentRound = new TreeMap<>(); // key -> {calls, in, out, latency sum}
            for (RunData.Call c : run.calls()) {
                String key = prefix + c.protocol() + "/" + c.agent() + "\u0000" + String.format("%04d", c.round());
                long[] sums = byAgentRound.computeIfAbsent(key, k -> new long[4]);
                sums[0]++;
                sums[1] += c.promptTokens();
                sums[2] += c.completionTokens();
                sums[3] += c.latencyMs();
                c.errors().forEach(error -> causes.merge("model call try: " + cause(error), 1, Integer::sum));
            }
            byAgentRound.forEach((key, s) -> {
                String[] parts = key.split("\u0000");
                agents.addObject().put("agent", parts[0]).put("round", Integer.parseInt(parts[1]))
                        .put("calls", s[0]).put("prompt_tokens", s[1]).put("completion_tokens", s[2])
                        .put("mean_latency_ms", s[0] == 0 ? 0 : (double) s[3] / s[0]);
            });
            for (RunData.Episode e : run.episodes()) {
                if (!e.finished()) {
                    causes.merge("episode failed: " + cause(e.error()), 1, Integer::sum);
                }
            }
            for (String protocol : run.planned().keySet()) {
                ArrayNode values = memory.addObject().put("label", prefix + protocol).putArray("values");
                run.episodesOf(protocol).stream().filter(RunData.Episode::finished)
                        .forEach(e -> values.add(e.memoryUsed()));
            }
        }
        causes.forEach((cause, count) -> failures.addObject().put("cause", cause).put("count", count));
        ArrayNode diffs = root.putArray("comparisons");
        for (Comparison c : comparisons) {
            diffs.addObject().put("label", c.a() + " vs " + c.b()).put("diff", nan(c.difference()))
                    .put("lo", nan(c.diffCi95()[0])).put("hi", nan(c.diffCi95()[1])).put("p", c.pValue());
        }
        return root;
    }

    /** What tells runs apart in a label: the scenario when they differ, else the run id, else both. */
    static java.util.function.Function<RunData, String> runName(List<RunData> runs) {
        if (runs.stream().map(RunData::scenario).distinct().count() == runs.size()) {
            return RunData::scenario;
        }
        if (runs.stream().map(RunData::runId).distinct().count() == runs.size()) {
            return RunData::runId;
        }
        return r -> r.scenario() + "/" + r.runId();
    }

    private static RunData run(List<RunData> runs, ProtocolRow row) {
        return runs.stream().filter(r -> r.dir().toString().equals(row.runDir())).findFirst().orElseThrow();
    }

    /** A failure's cause with what varies between episodes (numbers, long tails) taken out. */
    static String cause(String error) {
        if (error == null || error.isBlank()) {
            return "(no cause recorded)";
        }
        String first = error.strip().lines().findFirst().orElse("").replaceAll("\\d+", "#");
        return first.length() > 120 ? first.substring(0, 117) + "..." : first;
    }

    private static double nan(double x) {
        return Double.isNaN(x) ? 0 : x;
    }
}
