package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Process-reward scoring on the in-process engine: one score in [0, 1] per reasoning step, for a
 * batch of (problem, steps) pairs in one forward pass. Two open-PRM conventions:
 * <ul>
 *   <li>{@link Style#STEP_TAG} (Math-Shepherd): a step-tag token follows each step; the score is
 *       the probability of the "good" label token against the "bad" one in the next-token
 *       distribution at the tag;</li>
 *   <li>{@link Style#REWARD_HEAD} (Qwen2.5-Math-PRM): a separator token follows each step; a
 *       2-class head from the checkpoint ({@code score.weight}/{@code score.bias}, or the two-layer
 *       {@code score.0.*}/{@code score.2.*} with ReLU) reads the hidden state there, and the score
 *       is the probability of class 1.</li>
 * </ul>
 * The input is {@code problem \n step1 MARKER \n step2 MARKER \n ...}, each piece tokenized alone
 * so the markers sit exactly where the steps end.
 */
public final class ProcessRewardModel {

    public enum Style {
        STEP_TAG, REWARD_HEAD;

        public static Style fromId(String id) {
            return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /**
     * @param style  the convention
     * @param marker the step tag or separator text; it must be one token
     * @param good   STEP_TAG: the label token meaning a right step
     * @param bad    STEP_TAG: the label token meaning a wrong step
     */
    public record Settings(Style style, String marker, String good, String bad) {
        public Settings {
            Objects.requireNonNull(style, "style");
            Objects.requireNonNull(marker, "marker");
            if (style == Style.STEP_TAG && (good == null || bad == null)) {
                throw new IllegalArgumentException("the step-tag style needs good and bad label tokens");
            }
        }
    }

    /** Text to token ids, with or without the tokenizer's special tokens. */
    @FunctionalInterface
    public interface Encoder {
        int[] encode(String text, boolean addSpecialTokens);
    }

    private final LlamaModel model;
    private final Encoder encoder;
    private final Settings settings;
    private final int marker;
    private final int good;
    private final int bad;

    public ProcessRewardModel(LlamaModel model, Encoder encoder, Settings settings) {
        this.model = model;
        this.encoder = encoder;
        this.settings = settings;
        this.marker = single(settings.marker(), "marker");
        this.good = settings.style() == Style.STEP_TAG ? single(settings.good(), "good") : -1;
        this.bad = settings.style() == Style.STEP_TAG ? single(settings.bad(), "bad") : -1;
        if (settings.style() == Style.REWARD_HEAD && model.extra("score.weight") == null
                && model.extra("score.2.weight") == null) {
            throw new IllegalArgumentException("the reward-head style needs a 2-class head in the checkpoint "
                    + "(score.weight, or score.0.weight and score.2.weight); this one has none");
        }
    }

    private int single(String text, String what) {
        int[] ids = encoder.encode(text, false);
        if (ids.length != 1) {
            throw new IllegalArgumentException("the PRM " + what + " '" + text + "' must be one token, but it is "
                    + ids.length + " tokens");
        }
        return ids[0];
    }

    /** Scores every step of every (problem, steps) pair; the result has one list per pair. */
    public List<List<Double>> score(List<String> problems, List<List<String>> steps) {
        int batch = problems.size();
        List<int[]> sequences = new ArrayList<>();
        List<int[]> markers = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] at = new int[steps.get(b).size()];
            sequences.add(sequence(problems.get(b), steps.get(b), at));
            markers.add(at);
        }
        int longest = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
        int[][] tokens = new int[batch][longest];
        boolean[][] valid = new boolean[batch][longest];
        int[][] positions = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int offset = longest - sequences.get(b).length;
            System.arraycopy(sequences.get(b), 0, tokens[b], offset, sequences.get(b).length);
            java.util.Arrays.fill(valid[b], offset, longest, true);
            positions[b] = java.util.Arrays.stream(markers.get(b)).map(p -> p + offset).toArray();
        }
        boolean stepTag = settings.style() == Style.STEP_TAG;
        float[][][] rows = model.at(tokens, valid, positions, stepTag);
        List<List<Double>> scores = new ArrayList<>(batch);
        for (float[][] sequence : rows) {
            List<Double> perStep = new ArrayList<>(sequence.length);
            for (float[] row : sequence) {
                perStep.add(stepTag ? twoWay(row[good], row[bad]) : head(row));
            }
            scores.add(perStep);
        }
        return scores;
    }

    /** Tokens the model reads to score these steps: what must fit its context. */
    public int length(String problem, List<String> steps) {
        return sequence(problem, steps, new int[steps.size()]).length;
    }

    /** {@code problem \n step1 MARKER \n ...} as token ids; {@code at} receives each marker's index. */
    private int[] sequence(String problem, List<String> steps, int[] at) {
        List<Integer> ids = new ArrayList<>();
        add(ids, encoder.encode(problem + "\n", true));
        for (int s = 0; s < at.length; s++) {
            add(ids, encoder.encode(steps.get(s), false));
            at[s] = ids.size();
            ids.add(marker);
            add(ids, encoder.encode("\n", false));
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The reward head's probability of class 1 for one hidden state. */
    private double head(float[] hidden) {
        double[] x = toDouble(hidden);
        if (model.extra("score.weight") == null) {
            x = linear(x, model.extra("score.0.weight"), model.extra("score.0.bias"));
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(0, x[i]);
            }
            x = linear(x, model.extra("score.2.weight"), model.extra("score.2.bias"));
        } else {
            x = linear(x, model.extra("score.weight"), model.extra("score.bias"));
        }
        return twoWay(x[1], x[0]);
    }

    /** exp(a) / (exp(a) + exp(b)), computed stably. */
    private static double twoWay(double a, double b) {
        return 1 / (1 + Math.exp(b - a));
    }

    private static double[] linear(double[] x, float[] weight, float[] bias) {
        int out = weight.length / x.length;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias[o];
            for (int i = 0; i < x.length; i++) {
                s += weight[o * x.length + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private static double[] toDouble(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return d;
    }

    private static void add(List<Integer> ids, int[] more) {
        for (int id : more) {
            ids.add(id);
        }
    }
}
