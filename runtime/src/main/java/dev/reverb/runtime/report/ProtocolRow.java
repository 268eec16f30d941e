package dev.reverb.runtime.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One protocol of one run, as the report and {@code summary.csv} show it. Accuracy is given over two
 * denominators: the finished episodes, and all planned ones (a failed or never-run episode counts
 * as wrong), each with its 95% Wilson interval.
 *
 * @param accuracyByRound accuracy over finished episodes after each round or trial (an episode that
 *                        stopped early keeps its last answer for the later rounds)
 */
public record ProtocolRow(String runDir, String runId, String scenario, String protocol, boolean simulated,
                          int planned, int finished, int failed, int correct, double[] ciFinished,
                          double[] ciPlanned, double[] accuracyByRound, long promptTokens, long completionTokens,
                          long modelCalls, double meanLatencyMs) {

    public ProtocolRow {
        Objects.requireNonNull(protocol, "protocol");
        ciFinished = ciFinished.clone();
        ciPlanned = ciPlanned.clone();
        accuracyByRound = accuracyByRound.clone();
    }

    /** Accuracy over finished episodes (NaN when none finished). */
    public double accuracyFinished() {
        return finished == 0 ? Double.NaN : (double) correct / finished;
    }

    /** Accuracy over planned episodes, failures and episodes not yet run counted wrong. */
    public double accuracyPlanned() {
        return planned == 0 ? Double.NaN : (double) correct / planned;
    }

    /** Episodes planned but neither finished nor failed (an interrupted run not yet resumed). */
    public int notRun() {
        return Math.max(0, planned - finished - failed);
    }

    /** The rows of a run, one per protocol in its planned order. */
    public static List<ProtocolRow> of(RunData run) {
        List<ProtocolRow> rows = new ArrayList<>();
        run.planned().forEach((protocol, planned) -> rows.add(of(run, protocol, planned)));
        return rows;
    }

    static ProtocolRow of(RunData run, String protocol, int planned) {
        return of(run.dir().toString(), run.runId(), run.scenario(), protocol, run.simulated(), run.episodesOf(protocol),
                planned);
    }

    /**
     * The one aggregation of a protocol's episodes, which the report, {@code summary.csv} and
     * {@code summary.json} all show: accuracy over the finished ones and over {@code planned} (at least
     * those recorded), accuracy by round over the finished ones, and the tokens, calls and latency
     * of every recorded episode, failed ones included (what they spent was spent).
     *
     * @param episodes the latest record of each of the protocol's episodes
     */
    public static ProtocolRow of(String runDir, String runId, String scenario, String protocol, boolean simulated,
                                 List<RunData.Episode> episodes, int planned) {
        int finished = 0;
        int failed = 0;
        int correct = 0;
        int rounds = 0;
        long in = 0;
        long out = 0;
        long calls = 0;
        double latency = 0;
        for (RunData.Episode e : episodes) {
            if (e.finished()) {
                finished++;
                correct += e.correct() ? 1 : 0;
                rounds = Math.max(rounds, e.perRound().size());
                latency += e.latencyMs();
            } else {
                failed++;
            }
            in += e.promptTokens();
            out += e.completionTokens();
            calls += e.modelCalls();
        }
        double[] byRound = new double[rounds];
        for (RunData.Episode e : episodes) {
            if (!e.finished() || e.perRound().isEmpty()) {
                continue;
            }
            for (int r = 0; r < rounds; r++) {
                byRound[r] += e.perRound().get(Math.min(r, e.perRound().size() - 1)) ? 1.0 / finished : 0;
            }
        }
        int denominator = Math.max(planned, finished + failed);
        return new ProtocolRow(runDir, runId, scenario, protocol, simulated, denominator, finished, failed, correct,
                Stats.wilson(correct, finished), Stats.wilson(correct, denominator), byRound, in, out, calls,
                finished == 0 ? 0 : latency / finished);
    }
}
