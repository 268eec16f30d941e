package dev.reverb.runtime.djl;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties) at temperature 0, else
 * temperature-scaled sampling restricted to the top-k tokens and the top-p probability mass.
 */
public final class Sampler {

    private Sampler() {
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * @param topK 0 for no limit
     * @param topP 1 for no limit
     */
    public static int sample(float[] logits, double temperature, int topK, double topP, Random random) {
        if (temperature <= 0) {
            return argmax(logits);
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, order.length) : order.length;
        double max = logits[order[0]];
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp((logits[order[i]] - max) / temperature);
            sum += p[i];
        }
        double mass = 0;
        int cut = keep;
        for (int i = 0; i < keep; i++) {
            mass += p[i] / sum;
            if (mass >= topP) {
                cut = i + 1;
                break;
            }
        }
        double total = 0;
        for (int i = 0; i < cut; i++) {
            total += p[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < cut; i++) {
            u -= p[i];
            if (u <= 0) {
                return order[i];
            }
        }
        return order[cut - 1];
    }
}
