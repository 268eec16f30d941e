package dev.reverb.runtime.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A paired comparison of two protocols (or two runs) over the tasks both attempted: an episode
 * that failed counts as wrong. {@code b} pairs only A got right, {@code c} pairs only B got right;
 * McNemar's exact p-value, and a seeded bootstrap 95% interval of accuracy(A) - accuracy(B).
 */
public record Comparison(String a, String b, int pairs, int onlyA, int onlyB, int both, int neither,
                         double accuracyA, double accuracyB, double pValue, double[] diffCi95,
                         List<String> flippedToA, List<String> flippedToB) {

    public static final int RESAMPLES = 10_000;

    public Comparison {
        diffCi95 = diffCi95.clone();
        flippedToA = List.copyOf(flippedToA);
        flippedToB = List.copyOf(flippedToB);
    }

    public double difference() {
        return accuracyA - accuracyB;
    }

    /** Compares {@code left} (A) with {@code right} (B) on the task/repeat keys both hold. */
    public static Comparison of(String a, List<RunData.Episode> left, String b, List<RunData.Episode> right,
                                int resamples, long seed) {
        Map<String, Boolean> rightByKey = new LinkedHashMap<>();
        right.forEach(e -> rightByKey.put(e.pairKey(), e.correct()));
        List<Boolean> xs = new ArrayList<>();
        List<Boolean> ys = new ArrayList<>();
        List<String> toA = new ArrayList<>();
        List<String> toB = new ArrayList<>();
        int both = 0;
        int neither = 0;
        Map<String, Boolean> leftByKey = new LinkedHashMap<>();
        left.forEach(e -> leftByKey.put(e.pairKey(), e.correct()));
        for (Map.Entry<String, Boolean> l : leftByKey.entrySet()) {
            Boolean r = rightByKey.get(l.getKey());
            if (r == null) {
                continue;
            }
            boolean x = l.getValue();
            xs.add(x);
            ys.add(r);
            if (x && r) {
                both++;
            } else if (!x && !r) {
                neither++;
            } else if (x) {
                toA.add(l.getKey());
            } else {
                toB.add(l.getKey());
            }
        }
        int n = xs.size();
        boolean[] ax = new boolean[n];
        boolean[] bx = new boolean[n];
        for (int i = 0; i < n; i++) {
            ax[i] = xs.get(i);
            bx[i] = ys.get(i);
        }
        double accA = n == 0 ? Double.NaN : (both + toA.size()) / (double) n;
        double accB = n == 0 ? Double.NaN : (both + toB.size()) / (double) n;
        return new Comparison(a, b, n, toA.size(), toB.size(), both, neither, accA, accB,
                Stats.mcnemarExact(toA.size(), toB.size()), Stats.bootstrapDifference(ax, bx, resamples, seed),
                toA, toB);
    }

    /**
     * The comparisons a set of runs asks for: with one run, each pair of its protocols; with several,
     * each later run against the first, protocol by protocol where the names match (or their only
     * protocols when each has one).
     */
    public static List<Comparison> of(List<RunData> runs, int resamples, long seed) {
        List<Comparison> out = new ArrayList<>();
        if (runs.isEmpty()) {
            return out;
        }
        RunData first = runs.get(0);
        if (runs.size() == 1) {
            List<String> protocols = new ArrayList<>(first.planned().keySet());
            for (int i = 0; i < protocols.size(); i++) {
                for (int j = i + 1; j < protocols.size(); j++) {
                    out.add(of(protocols.get(i), first.episodesOf(protocols.get(i)), protocols.get(j),
                            first.episodesOf(protocols.get(j)), resamples, seed));
                }
            }
            return out;
        }
        for (RunData other : runs.subList(1, runs.size())) {
            List<String> common = first.planned().keySet().stream().filter(other.planned()::containsKey).toList();
            if (common.isEmpty() && first.planned().size() == 1 && other.planned().size() == 1) {
                String p = first.planned().keySet().iterator().next();
                String q = other.planned().keySet().iterator().next();
                out.add(of(label(first, p), first.episodesOf(p), label(other, q), other.episodesOf(q), resamples,
                        seed));
            }
            for (String p : common) {
                out.add(of(label(first, p), first.episodesOf(p), label(other, p), other.episodesOf(p), resamples,
                        seed));
            }
        }
        return out;
    }

    private static String label(RunData run, String protocol) {
        return run.scenario() + "/" + run.runId() + ":" + protocol;
    }
}
