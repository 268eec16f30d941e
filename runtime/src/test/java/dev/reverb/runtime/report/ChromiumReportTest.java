package dev.reverb.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.reverb.runtime.run.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a real report in headless Chromium (Debian's {@code chromium}; {@code .ci/run} installs it)
 * and checks that every chart drew into SVG with no script error; keeps a screenshot under
 * {@code target/}. Skips when Chromium is absent.
 */
class ChromiumReportTest {

    static final Path CHROMIUM = Path.of(System.getProperty("reverb.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOT = Path.of("target", "report-screenshot.png").toAbsolutePath();

    @TempDir
    static Path tmp;

    static Path report;
    static Path memoryRun;

    @BeforeAll
    static void makeReport() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium is not installed at " + CHROMIUM
                + " (apt-get install -y chromium; .ci/run does it)");
        Path run = ReportRuns.run("quickstart", tmp.resolve("runs"));
        // one episode failed when it was last tried, as the runner records it
        String line = Files.readAllLines(run.resolve("episodes.jsonl")).get(0);
        String id = Json.MAPPER.readTree(line).path("episode").asText();
        Files.writeString(run.resolve("episodes.jsonl"), "{\"episode\":\"" + id + "\",\"status\":\"failed\","
                + "\"error\":\"model policy failed after 3 tries: HTTP 500\"}\n", StandardOpenOption.APPEND);
        // the same 24 tasks under Reflexion with experiential, reflective and concept memory: memory grows, and
        // the two reflexion runs pair task by task
        Path memory = memoryRun = ReportRuns.run("reflexion-memory", tmp.resolve("runs"), "environment.count=24",
                "environment.seed=7", "memory.folder=" + tmp.resolve("memory"));
        report = Report.write(List.of(run, memory), tmp.resolve("report"), 2000, 42).html();
    }

    @Test
    void should_draw_every_chart_without_script_errors_when_opened_offline_in_chromium() throws Exception {
        String dom = chromium(report, "--dump-dom", "--virtual-time-budget=15000");

        List<String> charts = new ArrayList<>();
        Matcher m = Pattern.compile("<div class=\"chart\" id=\"(chart-[a-z]+)\"").matcher(dom);
        while (m.find()) {
            charts.add(m.group(1));
        }
        assertThat(charts).containsExactly("chart-accuracy", "chart-rounds", "chart-tokens", "chart-latency",
                "chart-failures", "chart-memory", "chart-comparison");
        assertThat(errors(dom)).isEmpty();
        assertThat(dom).contains("data-charts-drawn=\"" + charts.size() + "\"");
        for (String chart : charts) {
            String body = chartBody(dom, chart);
            assertThat(body).as(chart).contains("<svg");
            assertThat(count(body, "<path")).as(chart + " draws shapes").isGreaterThan(3);
        }
        // memory grows over the memory run: the chart has something to show
        assertThat(RunData.load(memoryRun).episodes()).anySatisfy(e -> assertThat(e.memoryUsed()).isPositive());
        // the accuracy chart carries its data: the two protocols and both denominators are labelled
        assertThat(chartBody(dom, "chart-accuracy")).contains("quickstart:reflexion", "quickstart:debate",
                "reflexion-memory:reflexion");

        Files.createDirectories(SCREENSHOT.getParent());
        Files.deleteIfExists(SCREENSHOT);
        chromium(report, "--screenshot=" + SCREENSHOT, "--window-size=1300,4200", "--virtual-time-budget=15000",
                "--hide-scrollbars");
        assertThat(SCREENSHOT).isNotEmptyFile();
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(20_000); // a page of charts, not a blank one
    }

    @Test
    void should_show_a_script_error_on_the_page_when_the_report_data_is_broken() throws Exception {
        Path broken = tmp.resolve("broken.html");
        Files.writeString(broken, Files.readString(report).replaceFirst(
                "(<script type=\"application/json\" id=\"report-data\">)\\{", "$1{oops"));

        String dom = chromium(broken, "--dump-dom", "--virtual-time-budget=15000");

        assertThat(errors(dom)).isNotEmpty();
        assertThat(dom).doesNotContain("data-charts-drawn=");
    }

    private static String errors(String dom) {
        Matcher m = Pattern.compile("<div id=\"errors\">(.*?)</div>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("the page has its #errors box").isTrue();
        return m.group(1).strip();
    }

    private static String chartBody(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        int next = dom.indexOf("<div class=\"chart\"", start + 1);
        int end = next < 0 ? dom.indexOf("<script", start) : next;
        return dom.substring(start, end < 0 ? dom.length() : end);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** Runs headless Chromium on a file with no network; returns its standard output. */
    private static String chromium(Path page, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        command.add(page.toUri().toString());
        Path out = tmp.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = tmp.resolve("chromium-" + System.nanoTime() + ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("chromium: " + Files.readString(err)).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
