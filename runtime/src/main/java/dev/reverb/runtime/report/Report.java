package dev.reverb.runtime.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads run folders and writes {@code report.html} and {@code summary.csv}. Each file is written to
 * a temporary file beside it and moved into place, so a report killed half-way leaves the previous
 * files (or none), never half of one; the run's own files are only read.
 */
public final class Report {

    public static final String HTML = "report.html";
    public static final String CSV = "summary.csv";

    /** What was written. */
    public record Result(Path html, Path csv, List<RunData> runs, List<ProtocolRow> rows,
                         List<Comparison> comparisons) {
        public Result {
            runs = List.copyOf(runs);
            rows = List.copyOf(rows);
            comparisons = List.copyOf(comparisons);
        }
    }

    private Report() {
    }

    /** Reports on {@code runDirs} into {@code out} (the first run folder when null). */
    public static Result write(List<Path> runDirs, Path out, int resamples, long seed) throws IOException {
        if (runDirs.isEmpty()) {
            throw new IllegalArgumentException("give at least one run folder");
        }
        List<RunData> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            runs.add(RunData.load(dir));
        }
        List<ProtocolRow> rows = new ArrayList<>();
        runs.forEach(r -> rows.addAll(ProtocolRow.of(r)));
        List<Comparison> comparisons = Comparison.of(runs, resamples, seed);
        Path target = out == null ? runDirs.get(0) : out;
        Files.createDirectories(target);
        Path html = target.resolve(HTML);
        Path csv = target.resolve(CSV);
        writeAtomically(csv, SummaryCsv.render(rows));
        writeAtomically(html, HtmlReport.render(runs, rows, comparisons, resamples, seed));
        return new Result(html, csv, runs, rows, comparisons);
    }

    static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
