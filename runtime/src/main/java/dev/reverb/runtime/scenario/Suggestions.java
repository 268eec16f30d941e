package dev.reverb.runtime.scenario;

import java.util.Collection;

/** "Did you mean" hints: the closest known name to a misspelt one. */
final class Suggestions {

    private Suggestions() {
    }

    /** ", did you mean 'x'?" for the closest known name (edit distance at most 2, or a prefix), else "". */
    static String suggest(String given, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        if (best != null && (bestDistance <= 2 || best.startsWith(given) || given.startsWith(best))) {
            return ", did you mean '" + best + "'?";
        }
        return "";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
