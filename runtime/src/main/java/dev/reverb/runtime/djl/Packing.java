package dev.reverb.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Where the real tokens of a left-padded chunk ({@code [batch][steps]}, {@code valid} false for
 * padding) lie once packed one after another, row by row: the forward pass computes every
 * per-token operation (embedding, norms, projections, RoPE, MLP) on the packed tokens only, and
 * moves them into the padded layout for attention and the KV cache, then back. Prefilling
 * sequences of different lengths then costs their tokens, not the batch times the longest.
 *
 * <p>Attention of a prefill (an empty cache) runs in two bands: rows whose tokens fit in the last
 * {@code half} steps attend among those steps only (a quarter of the work), the others over all
 * steps. The columns a short row skips are masked for it anyway.
 *
 * @param tokens  real tokens in the chunk
 * @param padded  for each padded slot ({@code b * steps + t}), the packed token it is read from;
 *                a padding slot reads its row's first token (masked everywhere, never seen)
 * @param slots   for each packed token, its padded slot
 * @param last    for each row, the packed index of its last token
 * @param shorter the rows that fit in the last {@code half} steps (empty: one band)
 * @param longer  the other rows
 * @param half    the steps of the short band
 * @param back    for each packed token, where attention leaves it: the short band's
 *                {@code [shorter, half]} slots, then the long band's {@code [longer, steps]} ones
 */
record Packing(int tokens, long[] padded, long[] slots, long[] last, long[] shorter, long[] longer, int half, long[] back) {

    /** One attention pass: queries {@code [rows, heads, steps, hd]}, keys and values, mask; {@code [rows, steps, width]}. */
    interface Attention {
        NDArray attend(NDArray q, NDArray keys, NDArray values, NDArray mask, int rows, int steps);
    }

    /** The packing of a chunk in which every row's real tokens are one run ending at its last step. */
    static Packing of(boolean[][] valid) {
        int batch = valid.length;
        int steps = valid[0].length;
        int half = (steps + 1) / 2;
        long[] padded = new long[batch * steps];
        long[] last = new long[batch];
        int[] length = new int[batch];
        int count = 0;
        int shortRows = 0;
        for (int b = 0; b < batch; b++) {
            for (boolean v : valid[b]) {
                length[b] += v ? 1 : 0;
            }
            if (length[b] == 0 || !valid[b][steps - 1]) {
                throw new IllegalArgumentException("row " + b + " does not end with a real token");
            }
            count += length[b];
            shortRows += length[b] <= half ? 1 : 0;
        }
        long[] shorter = new long[shortRows];
        long[] longer = new long[batch - shortRows];
        long[] back = new long[count];
        long[] slots = new long[count];
        int at = 0;
        int s = 0;
        int l = 0;
        for (int b = 0; b < batch; b++) {
            boolean isShort = length[b] <= half;
            if (isShort) {
                shorter[s] = b;
            } else {
                longer[l] = b;
            }
            int first = at;
            for (int t = 0; t < steps; t++) {
                if (valid[b][t]) {
                    slots[at] = (long) b * steps + t;
                    back[at] = isShort ? (long) s * half + t - (steps - half) : (long) shortRows * half + (long) l * steps + t;
                    padded[b * steps + t] = at++;
                } else {
                    padded[b * steps + t] = first;
                }
            }
            last[b] = at - 1;
            if (isShort) {
                s++;
            } else {
                l++;
            }
        }
        return new Packing(count, padded, slots, last, shorter, longer, half, back);
    }

    /** The values of the real tokens of a chunk laid out {@code [batch * steps]}, packed. */
    long[] pick(long[] values) {
        long[] out = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
            out[i] = values[(int) slots[i]];
        }
        return out;
    }

    /** This packing's index tensors, for one forward pass (owned by {@code manager}). */
    Tensors on(NDManager manager, int batch, int steps) {
        return new Tensors(manager.create(padded), manager.create(back),
                shorter.length == 0 ? null : manager.create(shorter), manager.create(longer), batch, steps);
    }

    /** The index tensors of a packing, and the moves between the packed and the padded layouts. */
    final class Tensors {
        private final NDArray padded;
        private final NDArray back;
        private final NDArray shorter;
        private final NDArray longer;
        private final int batch;
        private final int steps;

        private Tensors(NDArray padded, NDArray back, NDArray shorter, NDArray longer, int batch, int steps) {
            this.padded = padded;
            this.back = back;
            this.shorter = shorter;
            this.longer = longer;
            this.batch = batch;
            this.steps = steps;
        }

        int batch() {
            return batch;
        }

        int steps() {
            return steps;
        }

        /** [1, tokens, heads, hd] to [batch, steps, heads, hd]. */
        NDArray spread(NDArray x) {
            Shape s = x.getShape();
            return x.reshape(s.get(1), s.get(2), s.get(3)).get(new NDIndex("{}", padded)).reshape(batch, steps, s.get(2), s.get(3));
        }

        /**
         * Attention of the padded rows ({@code q} {@code [batch, heads, steps, hd]}, keys and values
         * of an empty cache's first chunk), in two bands when some rows are short; the result is
         * packed again: {@code [1, tokens, width]}.
         */
        NDArray attend(Attention attention, NDArray q, NDArray keys, NDArray values, NDArray mask) {
            NDArray both;
            if (shorter == null) {
                both = attention.attend(q, keys, values, mask, batch, steps);
            } else {
                int from = steps - half;
                NDIndex rows = new NDIndex("{}, :, " + from + ":, :", shorter);
                NDArray near = attention.attend(q.get(rows), keys.get(rows), values.get(rows),
                        mask.get(new NDIndex("{}, :, :, " + from + ":, " + from + ":", shorter)), (int) shorter.size(), half);
                NDIndex far = new NDIndex("{}", longer);
                NDArray all = attention.attend(q.get(far), keys.get(far), values.get(far), mask.get(far),
                        (int) longer.size(), steps);
                long width = all.getShape().get(2);
                both = NDArrays.concat(new NDList(near.reshape(-1, width), all.reshape(-1, width)), 0);
            }
            long width = both.getShape().get(both.getShape().dimension() - 1);
            return both.reshape(-1, width).get(new NDIndex("{}", back)).reshape(1, tokens, width);
        }
    }
}
