package dev.reverb.runtime.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.protocol.RoundOutcome;
import dev.reverb.environments.code.CodeEnvironment;
import dev.reverb.runtime.report.ProtocolRow;
import dev.reverb.runtime.report.RunData;
import dev.reverb.runtime.report.Stats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a run's {@code summary.json} says, computed from the rows of its {@code episodes.jsonl} (the
 * latest row of each episode; {@link Runner} keeps one row per line as the line is written, and reads
 * the lines of earlier sessions once, when it plans): per protocol, how many episodes were planned, finished and failed;
 * accuracy over the finished episodes and over all planned ones (a failed or unrun episode counts
 * as wrong), each with its 95% Wilson score interval; accuracy after each round or trial (an
 * episode that stopped early keeps its last answer for the later rounds), tokens, calls and
 * latency. Also the wall time of every session of the run, failures by cause, and each model's
 * identity as its backend reported it.
 *
 * @param wallSeconds    wall time of all sessions together
 * @param sessionSeconds wall time of each session, in order
 * @param failed         episodes that failed in this session
 * @param models         each model's identity by model name
 * @param failures       the latest failed records by cause, most frequent first
 */
public record Summary(String scenario, String runId, boolean simulated, double wallSeconds,
                      List<Double> sessionSeconds, int failed, List<ProtocolStats> protocols,
                      Map<String, String> models, Map<String, Integer> failures) {

    public static final String SIMULATED_NOTE = "SIMULATED model: a labelled offline stand-in, "
            + "not a language model; these numbers show the machinery, not a model's ability";

    public Summary {
        sessionSeconds = List.copyOf(sessionSeconds);
        protocols = List.copyOf(protocols);
        models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
        failures = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /**
     * One protocol's numbers.
     *
     * @param episodes  finished episodes: the denominator of {@link #accuracy} and {@code ci95}
     * @param planned   planned episodes: the denominator of {@link #accuracyOverPlanned} and {@code ci95Planned}
     * @param failed    episodes whose latest record is a failure
     * @param promptTokens tokens (and {@code completionTokens}, {@code modelCalls}) of every recorded
     *                     episode, failed ones included; latency and accuracy by round over finished ones
     * @param passAtK pass@k by k (unbiased estimator, Chen et al. 2021, averaged over tasks) when every
     *                task ran at least twice (run.repeats); empty otherwise
     */
    public record ProtocolStats(String protocol, int episodes, int correct, double[] ci95, double[] accuracyByRound,
                                long promptTokens, long completionTokens, long modelCalls, double meanLatencyMs,
                                Map<Integer, Double> passAtK, int planned, int failed, double[] ci95Planned) {
        public double accuracy() {
            return episodes == 0 ? 0 : (double) correct / episodes;
        }

        public double accuracyOverPlanned() {
            return planned == 0 ? 0 : (double) correct / planned;
        }
    }

    public static Summary of(String scenario, String runId, List<RunData.Episode> episodes, double wallSeconds,
                             int failed) {
        return of(scenario, runId, episodes, List.of(wallSeconds), failed, List.of(), Map.of(), Map.of());
    }

    /**
     * The summary of a run.
     *
     * @param rows           the row of every line of {@code episodes.jsonl} ({@link RunData#episode}, or
     *                       {@link #row} as the line is written), in file order; the latest per episode counts
     * @param sessionSeconds wall time of each session
     * @param order          the protocols in this order (the scenario's) first, the rest as they first appear
     * @param planned        planned episodes by protocol; a protocol not named counts its recorded episodes
     * @param models         each model's identity by name
     */
    public static Summary of(String scenario, String runId, List<RunData.Episode> rows, List<Double> sessionSeconds,
                             int failed, List<String> order, Map<String, Integer> planned,
                             Map<String, String> models) {
        Map<String, List<RunData.Episode>> byProtocol = new LinkedHashMap<>();
        order.forEach(name -> byProtocol.put(name, new ArrayList<>()));
        boolean simulated = false;
        Map<String, Integer> causes = new LinkedHashMap<>();
        for (RunData.Episode e : latest(rows)) {
            byProtocol.computeIfAbsent(e.protocol(), k -> new ArrayList<>()).add(e);
            simulated |= e.simulated();
            if (!e.finished()) {
                causes.merge(e.error() == null ? "" : e.error(), 1, Integer::sum);
            }
        }
        List<ProtocolStats> stats = new ArrayList<>();
        byProtocol.forEach((protocol, list) -> {
            int plan = Math.max(planned.getOrDefault(protocol, list.size()), list.size());
            if (plan > 0) {
                stats.add(stats(scenario, runId, protocol, list, plan));
            }
        });
        Map<String, Integer> failures = new LinkedHashMap<>();
        causes.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(c -> failures.put(c.getKey(), c.getValue()));
        double wall = sessionSeconds.stream().mapToDouble(Double::doubleValue).sum();
        return new Summary(scenario, runId, simulated, wall, sessionSeconds, failed, stats, models, failures);
    }

    /**
     * The latest row per episode id of {@code rows}, in order of first appearance: a failed episode
     * that finished on a resume counts once, as finished. A row without an id (hand-made) stands alone.
     */
    public static List<RunData.Episode> latest(List<RunData.Episode> rows) {
        return RunFolder.latest(rows, row -> row.id().isEmpty() ? null : row.id());
    }

    /**
     * The row of the line the recorder writes for an ended episode: what {@link RunData#episode} reads
     * back from that line, made without writing or reading it.
     */
    public static RunData.Episode row(EpisodePlan plan, EpisodeOutcome outcome) {
        if (outcome instanceof EpisodeOutcome.Completed completed) {
            EpisodeResult r = completed.result();
            return new RunData.Episode(r.episodeId(), r.protocol(), r.taskId(), plan.repeat(), true,
                    r.verdict().correct(), null, perRound(r.rounds()), r.promptTokens(), r.completionTokens(),
                    r.modelCalls(), r.latencyMs(), r.memoryUsed().size(), r.simulated());
        }
        EpisodeOutcome.Failed failed = (EpisodeOutcome.Failed) outcome;
        EpisodeOutcome.Partial partial = failed.partial();
        return new RunData.Episode(failed.episodeId(), plan.protocol().name(), plan.task().id(), plan.repeat(), false,
                false, failed.reason(), perRound(partial.rounds()), partial.promptTokens(),
                partial.completionTokens(), partial.modelCalls(), partial.latencyMs(), 0, false);
    }

    private static List<Boolean> perRound(List<RoundOutcome> rounds) {
        List<Boolean> correct = new ArrayList<>(rounds.size());
        rounds.forEach(r -> correct.add(r.correct()));
        return correct;
    }

    /**
     * {@code planned} episodes of one protocol, {@code rows} their latest rows (finished or
     * failed), aggregated as the report aggregates them ({@link ProtocolRow#of}).
     */
    private static ProtocolStats stats(String scenario, String runId, String protocol, List<RunData.Episode> rows,
                                       int planned) {
        ProtocolRow row = ProtocolRow.of("", runId, scenario, protocol, false, rows, planned);
        return new ProtocolStats(protocol, row.finished(), row.correct(), row.ciFinished(), row.accuracyByRound(),
                row.promptTokens(), row.completionTokens(), row.modelCalls(), row.meanLatencyMs(), passAtK(rows),
                row.planned(), row.failed(), row.ciPlanned());
    }

    /**
     * pass@k over the finished episodes of {@code rows}, for k = 1, 2, 5, 10, ... up to the fewest
     * runs of any task; empty when a task ran once.
     */
    static Map<Integer, Double> passAtK(List<RunData.Episode> rows) {
        Map<String, int[]> byTask = new LinkedHashMap<>(); // task -> {runs, correct}
        for (RunData.Episode e : rows) {
            if (!e.finished()) {
                continue;
            }
            int[] counts = byTask.computeIfAbsent(e.task(), t -> new int[2]);
            counts[0]++;
            counts[1] += e.correct() ? 1 : 0;
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

    /** The 95% Wilson score interval of a binomial proportion (the report's statistics compute it). */
    public static double[] wilson(int successes, int n) {
        return Stats.wilson(successes, n);
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("scenario", scenario);
        root.put("run_id", runId);
        root.put("simulated", simulated);
        if (simulated) {
            root.put("note", SIMULATED_NOTE);
        }
        root.put("planned", protocols.stream().mapToInt(ProtocolStats::planned).sum());
        root.put("episodes", protocols.stream().mapToInt(ProtocolStats::episodes).sum());
        root.put("failed", protocols.stream().mapToInt(ProtocolStats::failed).sum());
        root.put("failed_this_session", failed);
        root.put("wall_time_s", round(wallSeconds));
        ArrayNode sessions = root.putArray("session_wall_times_s");
        sessionSeconds.forEach(t -> sessions.add(round(t)));
        ObjectNode modelBlock = root.putObject("models");
        models.forEach((name, identity) -> modelBlock.putObject(name).put("identity", identity));
        ObjectNode causes = root.putObject("failures");
        failures.forEach(causes::put);
        ObjectNode byProtocol = root.putObject("protocols");
        for (ProtocolStats s : protocols) {
            ObjectNode p = byProtocol.putObject(s.protocol());
            p.put("planned", s.planned());
            p.put("episodes", s.episodes());
            p.put("failed", s.failed());
            p.put("not_run", s.planned() - s.episodes() - s.failed());
            p.put("correct", s.correct());
            p.put("accuracy", round(s.accuracy()));
            p.put("accuracy_denominator", s.episodes());
            p.putArray("ci95").add(round(s.ci95()[0])).add(round(s.ci95()[1]));
            p.put("accuracy_over_planned", round(s.accuracyOverPlanned()));
            p.put("accuracy_over_planned_denominator", s.planned());
            p.putArray("ci95_over_planned").add(round(s.ci95Planned()[0])).add(round(s.ci95Planned()[1]));
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

    /**
     * The table printed at the end of a run: per protocol, finished of planned, accuracy over the
     * finished episodes and over the planned ones (each with its denominator and 95% interval).
     */
    public String table() {
        StringBuilder sb = new StringBuilder();
        int width = protocols.stream().mapToInt(p -> p.protocol().length()).max().orElse(0);
        String row = "%-" + Math.max(14, width + 1) + "s %9s %6s  %-21s  %-21s  %-24s %15s %7s%n";
        sb.append(String.format(Locale.ROOT, row, "protocol", "done/plan", "failed", "accuracy (finished)",
                "accuracy (planned)", "accuracy by round", "tokens in/out", "calls"));
        for (ProtocolStats s : protocols) {
            List<String> rounds = new ArrayList<>();
            for (double a : s.accuracyByRound()) {
                rounds.add(String.format(Locale.ROOT, "%.2f", a));
            }
            sb.append(String.format(Locale.ROOT, row, s.protocol(), s.episodes() + "/" + s.planned(), s.failed(),
                    accuracy(s.accuracy(), s.ci95()), accuracy(s.accuracyOverPlanned(), s.ci95Planned()),
                    String.join(" > ", rounds),
                    compact(s.promptTokens()) + "/" + compact(s.completionTokens()), s.modelCalls()));
        }
        sb.append("accuracy (finished) is over the finished episodes, accuracy (planned) over all planned ones "
                + "(failed and unrun count as wrong); [95% Wilson interval]\n");
        for (ProtocolStats s : protocols) {
            if (!s.passAtK().isEmpty()) {
                List<String> parts = new ArrayList<>();
                s.passAtK().forEach((k, v) -> parts.add(String.format(Locale.ROOT, "pass@%d %.3f", k, v)));
                sb.append(s.protocol()).append(": ").append(String.join(", ", parts)).append('\n');
            }
        }
        if (!failures.isEmpty()) {
            sb.append("failed episodes by cause:\n");
            failures.forEach((cause, n) -> sb.append(String.format(Locale.ROOT, "  %d x %s%n", n, cause)));
        }
        if (sessionSeconds.size() > 1) {
            sb.append(String.format(Locale.ROOT, "wall time %.1f s over %d sessions%n", wallSeconds,
                    sessionSeconds.size()));
        }
        if (simulated) {
            sb.append(SIMULATED_NOTE).append('\n');
        }
        return sb.toString();
    }

    private static String accuracy(double value, double[] ci) {
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", value, ci[0], ci[1]);
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
