package dev.reverb.runtime.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code summary.csv}: one row per protocol of each run, in a form {@code pandas.read_csv} takes as
 * is: a plain header, no index column, {@code .} decimals, RFC 4180 quoting where a value needs it,
 * empty cells for values that do not exist (pandas reads NaN).
 */
public final class SummaryCsv {

    public static final List<String> HEADER = List.of("run_dir", "run_id", "scenario", "protocol", "simulated",
            "planned", "finished", "failed", "not_run", "correct", "accuracy_finished", "ci95_low_finished",
            "ci95_high_finished", "accuracy_planned", "ci95_low_planned", "ci95_high_planned",
            "accuracy_by_round", "final_round_accuracy", "prompt_tokens", "completion_tokens", "model_calls",
            "mean_latency_ms");

    private SummaryCsv() {
    }

    public static String render(List<ProtocolRow> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", HEADER)).append('\n');
        for (ProtocolRow r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(quote(r.runDir()));
            cells.add(quote(r.runId()));
            cells.add(quote(r.scenario()));
            cells.add(quote(r.protocol()));
            cells.add(r.simulated() ? "True" : "False");
            cells.add(Integer.toString(r.planned()));
            cells.add(Integer.toString(r.finished()));
            cells.add(Integer.toString(r.failed()));
            cells.add(Integer.toString(r.notRun()));
            cells.add(Integer.toString(r.correct()));
            cells.add(number(r.accuracyFinished()));
            cells.add(number(r.finished() == 0 ? Double.NaN : r.ciFinished()[0]));
            cells.add(number(r.finished() == 0 ? Double.NaN : r.ciFinished()[1]));
            cells.add(number(r.accuracyPlanned()));
            cells.add(number(r.planned() == 0 ? Double.NaN : r.ciPlanned()[0]));
            cells.add(number(r.planned() == 0 ? Double.NaN : r.ciPlanned()[1]));
            cells.add(quote(java.util.Arrays.stream(r.accuracyByRound()).mapToObj(SummaryCsv::number)
                    .collect(Collectors.joining(";"))));
            double[] byRound = r.accuracyByRound();
            cells.add(number(byRound.length == 0 ? Double.NaN : byRound[byRound.length - 1]));
            cells.add(Long.toString(r.promptTokens()));
            cells.add(Long.toString(r.completionTokens()));
            cells.add(Long.toString(r.modelCalls()));
            cells.add(number(r.meanLatencyMs()));
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    /** A number with {@code .} decimals whatever the locale; empty for NaN (pandas reads it as NaN). */
    static String number(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.6f", x).replaceAll("0+$", "").replaceAll("\\.$", ".0");
    }

    /** A string cell, quoted (quotes doubled) when it holds a comma, quote, line break or edge space. */
    static String quote(String s) {
        if (s == null) {
            return "";
        }
        boolean needs = s.isEmpty() ? false : s.contains(",") || s.contains("\"") || s.contains("\n")
                || s.contains("\r") || s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ';
        return needs ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
