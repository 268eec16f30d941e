package dev.reverb.runtime.djl;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what a model's forward passes cost, for benchmarks and debugging: decode steps
 * (one token per row) and prefills (several), their time, the rows they fed (live or padding),
 * the key columns attention ran over, and the time spent reshaping the KV cache (rows dropped,
 * merged, columns trimmed). Updated by the one thread that drives the model; read by any.
 */
public final class DecodeStats {

    private final LongAdder steps = new LongAdder();
    private final LongAdder stepNanos = new LongAdder();
    private final LongAdder stepRows = new LongAdder();
    private final LongAdder stepLive = new LongAdder();
    private final LongAdder stepColumns = new LongAdder();
    private final LongAdder prefills = new LongAdder();
    private final LongAdder prefillNanos = new LongAdder();
    private final LongAdder prefillTokens = new LongAdder();
    private final LongAdder prefillLive = new LongAdder();
    private final LongAdder prefillComputed = new LongAdder();
    private final LongAdder surgeries = new LongAdder();
    private final LongAdder surgeryNanos = new LongAdder();
    private final LongAdder placements = new LongAdder();

    /** A forward pass of {@code chunk} tokens per row, of which {@code computed} ran through the per-token operations. */
    void forward(int batch, int chunk, int computed, int live, int columns, long nanos) {
        if (chunk == 1) {
            steps.increment();
            stepNanos.add(nanos);
            stepRows.add(batch);
            stepLive.add(live);
            stepColumns.add(columns);
        } else {
            prefills.increment();
            prefillNanos.add(nanos);
            prefillTokens.add((long) batch * chunk);
            prefillLive.add(live);
            prefillComputed.add(computed);
        }
    }

    /** Joining sequences were written into the rows of ended ones, in place. */
    void placed() {
        placements.increment();
    }

    /** Admissions written into the rows of ended sequences in place (no copy of the cache). */
    public long placements() {
        return placements.sum();
    }

    void surgery(long nanos) {
        surgeries.increment();
        surgeryNanos.add(nanos);
    }

    /** Zeroes the counters (between a warm-up and a measured run, say). */
    public void reset() {
        for (LongAdder a : new LongAdder[] {steps, stepNanos, stepRows, stepLive, stepColumns, prefills, prefillNanos,
                prefillTokens, prefillLive, prefillComputed, surgeries, surgeryNanos, placements}) {
            a.reset();
        }
    }

    public long steps() {
        return steps.sum();
    }

    public long prefills() {
        return prefills.sum();
    }

    /** One line: steps, their mean time, rows and live rows, key columns; prefills; cache surgery. */
    public String summary() {
        long s = Math.max(1, steps.sum());
        long p = Math.max(1, prefills.sum());
        return String.format(Locale.ROOT, "%d steps x %.2f ms (%.1f rows, %.1f live, %.1f key columns); %d prefills "
                        + "x %.2f ms (%.0f tokens, %.0f%% padding, %.0f computed); %d cache reshapes x %.2f ms (%d in place); total %.2f s",
                steps.sum(), stepNanos.sum() / 1e6 / s, stepRows.sum() / (double) s, stepLive.sum() / (double) s,
                stepColumns.sum() / (double) s, prefills.sum(), prefillNanos.sum() / 1e6 / p,
                prefillTokens.sum() / (double) p,
                100.0 * (prefillTokens.sum() - prefillLive.sum()) / Math.max(1, prefillTokens.sum()),
                prefillComputed.sum() / (double) p,
                surgeries.sum(), surgeryNanos.sum() / 1e6 / Math.max(1, surgeries.sum()), placements.sum(),
                (stepNanos.sum() + prefillNanos.sum() + surgeryNanos.sum()) / 1e9);
    }
}
