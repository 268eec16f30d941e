package dev.reverb.runtime.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.environments.code.CodeEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run's {@code summary.json} says, computed from its {@code episodes.jsonl}: per protocol,
 * accuracy with a 95% Wilson score interval, accuracy after each round or trial (an episode that
 * stopped early keeps its last answer for the later rounds), tokens, calls and latency.
 */
public record Summary(String scenario, String runId, boolean simulated, double wallSeconds, int failed,
                      List<ProtocolStats> protocols) {

    public static final String SIMULATED_NOTE = "SIMULATED model: a labelled offline stand-in, "
            + "not a language model; these numbers show the machinery, not a model's ability";

    public Summary {
        protocols = List.copyOf(protocols);
    }

    /** One protocol's numbers. */
    /**
     * One protocol's numbers.
     *
     * @param passAtK pass@k by k (unbiased estimator, Chen et al. 2021, averaged over tasks) when every
     *                task ran at least twice (run.repeats); empty otherwise
     */
    public record ProtocolStats(String protocol, int episodes, int correct, double[] ci95, double[] accuracyByRound,
                                long promptTokens, long completionTokens, long modelCalls, double meanLatencyMs,
                                Map<Integer, Double> passAtK) {
        public double accuracy() {
            return episodes == 0 ? 0 : (double) correct / episodes;
        }
    }

    public static Summary of(String scenario, String runId, List<JsonNode> episodes, double wallSeconds, int failed) {
        return of(scenario, runId, episodes, wallSeconds, failed, List.of());
    }

    /** As above, with the protocols in {@code order} (the scenario's) first, the rest as they first appear. */
    public static Summary of(String scenario, String runId, List<JsonNode> episodes, double wallSeconds, int failed,
                             List<String> order) {
        Map<String, List<JsonNode>> byProtocol = new LinkedHashMap<>();
        order.forEach(name -> byProtocol.put(name, new ArrayList<>()));
        boolean simulated = false;
        for (JsonNode e : episodes) {
            byProtocol.computeIfAbsent(e.path("protocol").asText(), k -> new ArrayList<>()).add(e);
            simulated |= e.path("simulated").asBoolean();
        }
        List<ProtocolStats> stats = new ArrayList<>();
        byProtocol.forEach((protocol, list) -> {
            if (!list.isEmpty()) {
                stats.add(stats(protocol, list));
            }
        });
        return new Summary(scenario, runId, simulated, wallSeconds, failed, stats);
    }

    private static ProtocolStats stats(String protocol, List<JsonNode> episodes) {
        int n = episodes.size();
        int correct = 0;
        int rounds = 0;
        long in = 0;
        long out = 0;
        long calls = 0;
        double latency = 0;
        for (JsonNode e : episodes) {
            correct += e.path("correct").asBoolean() ? 1 : 0;
            rounds = Math.max(rounds, e.path("per_round").size());
            in += e.path("prompt_tokens").asLong();
            out += e.path("completion_tokens").asLong();
            calls += e.path("model_calls").asLong();
            latency += e.path("latency_ms").asDouble();
        }
        double[] byRound = new double[rounds];
        for (JsonNode e : episodes) {
            JsonNode perRound = e.path("per_round");
            for (int r = 0; r < rounds && perRound.size() > 0; r++) {
                JsonNode at = perRound.get(Math.min(r, perRound.size() - 1));
                byRound[r] += at.path("correct").asBoolean() ? 1.0 / n : 0;
            }
        }
        return new ProtocolStats(protocol, n, correct, wilson(correct, n), byRound, in, out, calls,
                n == 0 ? 0 : latency / n, passAtK(episodes));
    }

    /** pass@k for k = 1, 2, 5, 10, ... up to the fewest runs of any task; empty when a task ran once. */
    static Map<Integer, Double> passAtK(List<JsonNode> episodes) {
        Map<String, int[]> byTask = new LinkedHashMap<>(); // task -> {runs, correct}
        for (JsonNode e : episodes) {
            int[] counts = byTask.computeIfAbsent(e.path("task").asText(), t -> new int[2]);
            counts[0]++;
            counts[1] += e.path("correct").asBoolean() ? 1 : 0;
        }
        int fewest = byTask.values().stream().mapToInt(c -> c[0]).min().orElse(0);
        Map<Integer, Double> out = new java.util.TreeMap<>();
        if (fewest < 2) {
            return out;
        }
        for (int k : new int[] {1, 2, 5, 10, 20, 50, 100, fewest}) {
            if (k <= fewest) {
                double sum = 0;
                for (int[] c : byTask.values()) {
                    sum += CodeEnvironment.passAtK(c[0], c[1], k);
                }
                out.put(k, sum / byTask.size());
            }
        }
        return out;
    }

    /** The 95% Wilson score interval of a binomial proportion. */
    public static double[] wilson(int successes, int n) {
        if (n == 0) {
            return new double[] {0, 1};
        }
        double z = 1.959963984540054;
        double p = (double) successes / n;
        double z2n = z * z / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("scenario", scenario);
        root.put("run_id", runId);
        root.put("simulated", simulated);
        if (simulated) {
            root.put("note", SIMULATED_NOTE);
        }
        root.put("episodes", protocols.stream().mapToInt(ProtocolStats::episodes).sum());
        root.put("failed_this_session", failed);
        root.put("wall_time_s", round(wallSeconds));
        ObjectNode byProtocol = root.putObject("protocols");
        for (ProtocolStats s : protocols) {
            ObjectNode p = byProtocol.putObject(s.protocol());
            p.put("episodes", s.episodes());
            p.put("correct", s.correct());
            p.put("accuracy", round(s.accuracy()));
            p.putArray("ci95").add(round(s.ci95()[0])).add(round(s.ci95()[1]));
            ArrayNode rounds = p.putArray("accuracy_by_round");
            for (double a : s.accuracyByRound()) {
                rounds.add(round(a));
            }
            p.put("prompt_tokens", s.promptTokens());
            p.put("completion_tokens", s.completionTokens());
            p.put("model_calls", s.modelCalls());
            p.put("mean_latency_ms", round(s.meanLatencyMs()));
            if (!s.passAtK().isEmpty()) {
                ObjectNode pass = p.putObject("pass_at_k");
                s.passAtK().forEach((k, v) -> pass.put(Integer.toString(k), round(v)));
            }
        }
        return root;
    }

    /** The table printed at the end of a run. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = protocols.stream().mapToInt(p -> p.protocol().length()).max().orElse(0);
        String row = "%-" + Math.max(14, width + 1) + "s %8s %9s  %-15s  %-28s %15s %7s%n";
        sb.append(String.format(Locale.ROOT, row, "protocol", "episodes", "accuracy", "95% CI", "accuracy by round",
                "tokens in/out", "calls"));
        for (ProtocolStats s : protocols) {
            List<String> rounds = new ArrayList<>();
            for (double a : s.accuracyByRound()) {
                rounds.add(String.format(Locale.ROOT, "%.2f", a));
            }
            sb.append(String.format(Locale.ROOT, row, s.protocol(), s.episodes(),
                    String.format(Locale.ROOT, "%.3f", s.accuracy()),
                    String.format(Locale.ROOT, "[%.3f, %.3f]", s.ci95()[0], s.ci95()[1]),
                    String.join(" > ", rounds),
                    compact(s.promptTokens()) + "/" + compact(s.completionTokens()), s.modelCalls()));
        }
        for (ProtocolStats s : protocols) {
            if (!s.passAtK().isEmpty()) {
                List<String> parts = new ArrayList<>();
                s.passAtK().forEach((k, v) -> parts.add(String.format(Locale.ROOT, "pass@%d %.3f", k, v)));
                sb.append(s.protocol()).append(": ").append(String.join(", ", parts)).append('\n');
            }
        }
        if (simulated) {
            sb.append(SIMULATED_NOTE).append('\n');
        }
        return sb.toString();
    }

    private static String compact(long n) {
        if (n >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        return n >= 10_000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }

    private static double round(double x) {
        return Math.round(x * 10_000) / 10_000.0;
    }
}
