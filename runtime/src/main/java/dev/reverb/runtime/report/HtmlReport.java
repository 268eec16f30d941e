package dev.reverb.runtime.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders {@code report.html}: one self-contained page (the ECharts library and the data inlined,
 * nothing fetched when it is opened). Script errors on the page are written into {@code #errors}
 * so that a reader, and the headless-browser test, sees them.
 */
public final class HtmlReport {

    /** ECharts from its WebJar (org.webjars.npm:echarts), on the classpath. */
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    static final String SCRIPT = "dev/reverb/runtime/report/report.js";
    static final int MAX_LISTED = 200;

    private HtmlReport() {
    }

    public static String render(List<RunData> runs, List<ProtocolRow> rows, List<Comparison> comparisons,
                                int resamples, long seed) {
        StringBuilder h = new StringBuilder(1_200_000);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Reverb report: ")
                .append(esc(runs.stream().map(RunData::scenario).distinct().collect(Collectors.joining(", "))))
                .append("</title>\n<style>").append(CSS).append("</style>\n<script>").append(ERRORS)
                .append("</script>\n</head><body>\n<div id=\"errors\"></div>\n<h1>Reverb report</h1>\n");
        if (runs.stream().anyMatch(RunData::simulated)) {
            h.append("<div class=\"banner\" id=\"simulated-banner\"><b>SIMULATED model.</b> ")
                    .append(esc(dev.reverb.runtime.run.Summary.SIMULATED_NOTE.replaceFirst("^SIMULATED model: ", "")))
                    .append(". Runs marked simulated below are not a language model's results.</div>\n");
        }
        runs(h, runs);
        accuracy(h, rows);
        h.append("<h2>Accuracy per protocol</h2>\n<p>Bars: accuracy over finished episodes and over all planned "
                + "episodes (a failed or not-yet-run episode counts as wrong); whiskers: 95% Wilson intervals.</p>\n"
                + "<div class=\"chart\" id=\"chart-accuracy\"></div>\n"
                + "<h2>Accuracy after each round or trial</h2>\n<p>Over finished episodes; an episode that stopped "
                + "early keeps its last answer for the later rounds.</p>\n<div class=\"chart\" id=\"chart-rounds\"></div>\n"
                + "<h2>Tokens and latency per agent and round</h2>\n");
        if (runs.stream().allMatch(r -> r.calls().isEmpty())) {
            h.append("<p class=\"empty\">No model calls in the trace.</p>\n");
        } else {
            h.append("<div class=\"chart\" id=\"chart-tokens\"></div>\n<div class=\"chart\" id=\"chart-latency\"></div>\n");
        }
        failures(h, runs);
        h.append("<h2>Memory growth</h2>\n<p>Memory items each finished episode used, in the order the episodes "
                + "finished.</p>\n<div class=\"chart\" id=\"chart-memory\"></div>\n");
        comparisons(h, comparisons, resamples, seed);
        String data = Figures.of(runs, rows, comparisons).toString()
                .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
        h.append("<script type=\"application/json\" id=\"report-data\">").append(data).append("</script>\n");
        h.append("<script>").append(resource(ECHARTS)).append("</script>\n");
        h.append("<script>").append(resource(SCRIPT)).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void runs(StringBuilder h, List<RunData> runs) {
        h.append("<h2>Runs</h2>\n<table><tr><th>scenario</th><th>run</th><th>folder</th><th>model</th>"
                + "<th>planned episodes from</th></tr>\n");
        for (RunData r : runs) {
            h.append("<tr><td>").append(esc(r.scenario())).append("</td><td>").append(esc(r.runId()))
                    .append("</td><td>").append(esc(r.dir().toString())).append("</td><td>")
                    .append(r.simulated() ? "<b>simulated stand-in</b>" : "as configured").append("</td><td>")
                    .append(r.plannedFromScenario() ? "scenario (tasks &times; repeats)"
                            : "episodes recorded (scenario did not load)").append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void accuracy(StringBuilder h, List<ProtocolRow> rows) {
        h.append("<h2>Results</h2>\n<table id=\"results\"><tr><th>run</th><th>protocol</th><th>planned</th>"
                + "<th>finished</th><th>failed</th><th>not run</th><th>correct</th><th>accuracy / finished [95% CI]</th>"
                + "<th>accuracy / planned [95% CI]</th><th>by round</th><th>tokens in / out</th><th>calls</th>"
                + "<th>mean latency ms</th></tr>\n");
        for (ProtocolRow r : rows) {
            h.append("<tr><td>").append(esc(r.runId())).append("</td><td>").append(esc(r.protocol()))
                    .append(r.simulated() ? " <span class=\"sim\">simulated</span>" : "").append("</td><td>")
                    .append(r.planned()).append("</td><td>").append(r.finished()).append("</td><td>")
                    .append(r.failed()).append("</td><td>").append(r.notRun()).append("</td><td>").append(r.correct())
                    .append("</td><td>").append(acc(r.correct(), r.finished(), r.ciFinished())).append("</td><td>")
                    .append(acc(r.correct(), r.planned(), r.ciPlanned())).append("</td><td>")
                    .append(Arrays.stream(r.accuracyByRound()).mapToObj(v -> fmt("%.3f", v))
                            .collect(Collectors.joining(" &rarr; ")))
                    .append("</td><td>").append(r.promptTokens()).append(" / ").append(r.completionTokens())
                    .append("</td><td>").append(r.modelCalls()).append("</td><td>").append(fmt("%.1f", r.meanLatencyMs()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void failures(StringBuilder h, List<RunData> runs) {
        h.append("<h2>Failures by cause</h2>\n");
        List<RunData.Episode> failed = runs.stream().flatMap(r -> r.episodes().stream()).filter(e -> !e.finished())
                .toList();
        boolean callErrors = runs.stream().flatMap(r -> r.calls().stream()).anyMatch(c -> !c.errors().isEmpty());
        if (failed.isEmpty() && !callErrors) {
            h.append("<p class=\"empty\">No episode failed and no model call reported an error.</p>\n");
            return;
        }
        h.append("<p>Failed episodes, and each failed try of a model call (one per try where the trace keeps "
                + "them; a try may have been retried successfully).</p>\n<div class=\"chart\" id=\"chart-failures\"></div>\n");
        if (!failed.isEmpty()) {
            h.append("<details><summary>").append(failed.size()).append(" failed episode(s)</summary><table>"
                    + "<tr><th>episode</th><th>cause</th></tr>\n");
            failed.stream().limit(MAX_LISTED).forEach(e -> h.append("<tr><td>").append(esc(e.id())).append("</td><td>")
                    .append(esc(String.valueOf(e.error()))).append("</td></tr>\n"));
            h.append("</table></details>\n");
        }
    }

    private static void comparisons(StringBuilder h, List<Comparison> comparisons, int resamples, long seed) {
        h.append("<h2>Paired comparison</h2>\n");
        if (comparisons.isEmpty()) {
            h.append("<p class=\"empty\">One protocol in one run: nothing to pair. Give two runs over the same "
                    + "tasks, or a run with two protocols.</p>\n");
            return;
        }
        h.append("<p>Over the tasks (and repeats) both attempted; a failed episode counts as wrong. McNemar's exact "
                + "test is the two-sided binomial test on the discordant pairs; the interval is a percentile "
                + "bootstrap over tasks (").append(resamples).append(" resamples, seed ").append(seed)
                .append(").</p>\n<div class=\"chart\" id=\"chart-comparison\"></div>\n<table id=\"comparisons\"><tr>"
                + "<th>A</th><th>B</th><th>pairs</th><th>both right</th><th>only A</th><th>only B</th>"
                + "<th>neither</th><th>accuracy A</th><th>accuracy B</th><th>A &minus; B [95% bootstrap]</th>"
                + "<th>McNemar exact p</th></tr>\n");
        for (Comparison c : comparisons) {
            h.append("<tr><td>").append(esc(c.a())).append("</td><td>").append(esc(c.b())).append("</td><td>")
                    .append(c.pairs()).append("</td><td>").append(c.both()).append("</td><td>").append(c.onlyA())
                    .append("</td><td>").append(c.onlyB()).append("</td><td>").append(c.neither()).append("</td><td>")
                    .append(fmt("%.3f", c.accuracyA())).append("</td><td>").append(fmt("%.3f", c.accuracyB()))
                    .append("</td><td>").append(fmt("%+.3f", c.difference())).append(" [")
                    .append(fmt("%+.3f", c.diffCi95()[0])).append(", ").append(fmt("%+.3f", c.diffCi95()[1]))
                    .append("]</td><td>").append(fmt("%.4g", c.pValue())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        for (Comparison c : comparisons) {
            h.append("<details class=\"flips\"><summary>Tasks that flipped: ").append(esc(c.a())).append(" vs ")
                    .append(esc(c.b())).append(" (").append(c.onlyA() + c.onlyB()).append(")</summary>\n");
            flips(h, "right only in " + c.a(), c.flippedToA());
            flips(h, "right only in " + c.b(), c.flippedToB());
            h.append("</details>\n");
        }
    }

    private static void flips(StringBuilder h, String title, List<String> keys) {
        h.append("<p><b>").append(esc(title)).append("</b> (").append(keys.size()).append("): ")
                .append(esc(keys.stream().limit(MAX_LISTED).collect(Collectors.joining(", "))))
                .append(keys.size() > MAX_LISTED ? ", &hellip;" : "").append("</p>\n");
    }

    private static String acc(int correct, int n, double[] ci) {
        if (n == 0) {
            return "&ndash; (0)";
        }
        return fmt("%.3f", (double) correct / n) + " (" + correct + "/" + n + ") [" + fmt("%.3f", ci[0]) + ", "
                + fmt("%.3f", ci[1]) + "]";
    }

    private static String fmt(String format, double x) {
        return Double.isNaN(x) ? "&ndash;" : String.format(Locale.ROOT, format, x);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String resource(String name) {
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("not on the classpath: " + name + " (the echarts WebJar is a "
                        + "dependency of reverb-runtime)");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (text.toLowerCase(Locale.ROOT).contains("</script")) {
                throw new IllegalStateException(name + " holds </script and cannot be inlined");
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String ERRORS = """
            window.onerror = function (message, source, line, column) {
              var box = document.getElementById('errors');
              var p = document.createElement('p');
              p.className = 'page-error';
              p.textContent = 'Script error: ' + message + ' (line ' + line + ':' + column + ')';
              if (box) { box.appendChild(p); } else { document.addEventListener('DOMContentLoaded', function () {
                document.getElementById('errors').appendChild(p); }); }
            };
            (function () { var original = console.error; console.error = function () {
              var box = document.getElementById('errors');
              if (box) { var p = document.createElement('p'); p.className = 'page-error';
                p.textContent = 'console.error: ' + Array.prototype.join.call(arguments, ' '); box.appendChild(p); }
              return original.apply(console, arguments); }; })();
            """;

    private static final String CSS = """
            body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }
            table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: 13px; }
            th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
            th { background: #f2f2f2; }
            .chart { width: 100%; height: 380px; margin-bottom: 1em; }
            .banner { background: #fff3cd; border: 2px solid #e0a800; padding: .7em 1em; margin: 1em 0; }
            .sim { background: #fff3cd; font-size: 11px; padding: 0 4px; }
            #errors .page-error { background: #f8d7da; border: 1px solid #c00; padding: .5em; }
            .empty { color: #777; font-style: italic; }
            details { margin: .3em 0 1em; }
            """;
}
