package dev.reverb.runtime.report;

import java.util.SplittableRandom;

/**
 * The statistics of a report, plain functions of counts: Wilson score intervals, McNemar's exact
 * test and a paired bootstrap interval of an accuracy difference.
 */
public final class Stats {

    /** z for a two-sided 95% interval. */
    static final double Z95 = 1.959963984540054;

    private Stats() {
    }

    /** The 95% Wilson score interval of {@code successes} in {@code n} ({@code [0, 1]} when n is 0). */
    public static double[] wilson(int successes, int n) {
        if (n < 0 || successes < 0 || successes > n) {
            throw new IllegalArgumentException("need 0 <= successes <= n, got " + successes + " of " + n);
        }
        if (n == 0) {
            return new double[] {0, 1};
        }
        double p = (double) successes / n;
        double z2n = Z95 * Z95 / n;
        double centre = (p + z2n / 2) / (1 + z2n);
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n)) / (1 + z2n);
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * McNemar's exact test: the two-sided binomial p-value of {@code b} against {@code c} discordant
     * pairs under p = 1/2, {@code min(1, 2 * P(X <= min(b, c)))}; 1 when there are none.
     */
    public static double mcnemarExact(int b, int c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("discordant counts must be >= 0, got " + b + ", " + c);
        }
        int n = b + c;
        if (n == 0) {
            return 1.0;
        }
        int k = Math.min(b, c);
        double logHalfN = n * Math.log(0.5);
        double logChoose = 0; // log C(n, 0)
        double tail = 0;
        for (int i = 0; i <= k; i++) {
            tail += Math.exp(logChoose + logHalfN);
            logChoose += Math.log(n - i) - Math.log(i + 1.0);
        }
        return Math.min(1.0, 2 * tail);
    }

    /**
     * A percentile bootstrap 95% interval of {@code mean(a) - mean(b)} over paired outcomes,
     * resampling the pairs (tasks) with replacement {@code resamples} times from {@code seed}.
     */
    public static double[] bootstrapDifference(boolean[] a, boolean[] b, int resamples, long seed) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired outcomes differ in length: " + a.length + " vs " + b.length);
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be >= 1, got " + resamples);
        }
        int n = a.length;
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int[] delta = new int[n];
        for (int i = 0; i < n; i++) {
            delta[i] = (a[i] ? 1 : 0) - (b[i] ? 1 : 0);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] diffs = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += delta[random.nextInt(n)];
            }
            diffs[r] = (double) sum / n;
        }
        java.util.Arrays.sort(diffs);
        return new double[] {percentile(diffs, 0.025), percentile(diffs, 0.975)};
    }

    /** The {@code q} quantile of sorted values, interpolated linearly between ranks. */
    static double percentile(double[] sorted, double q) {
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}
