package dev.reverb.runtime.djl;

/**
 * Where the real tokens of a left-padded chunk ({@code [batch][steps]}, {@code valid} false for
 * padding) lie once packed one after another, row by row: the forward pass computes every
 * per-token operation (embedding, norms, projections, RoPE, MLP) on the packed tokens only, and
 * moves them into the padded layout for attention and the KV cache, then back. Prefilling
 * sequences of different lengths then costs their tokens, not the batch times the longest.
 *
 * @param tokens  real tokens in the chunk
 * @param padded  for each padded slot ({@code b * steps + t}), the packed token it is read from;
 *                a padding slot reads its row's first token (masked everywhere, never seen)
 * @param packed  for each packed token, its padded slot
 * @param last    for each row, the packed index of its last token
 */
record Packing(int tokens, long[] padded, long[] packed, long[] last) {

    /** The packing of a chunk in which every row's real tokens are one run ending at its last step. */
    static Packing of(boolean[][] valid) {
        int batch = valid.length;
        int steps = valid[0].length;
        long[] padded = new long[batch * steps];
        long[] last = new long[batch];
        int count = 0;
        for (boolean[] row : valid) {
            for (boolean v : row) {
                count += v ? 1 : 0;
            }
        }
        long[] packed = new long[count];
        int at = 0;
        for (int b = 0; b < batch; b++) {
            int first = at;
            for (int t = 0; t < steps; t++) {
                if (valid[b][t]) {
                    packed[at] = (long) b * steps + t;
                    padded[b * steps + t] = at++;
                }
            }
            if (at == first || !valid[b][steps - 1]) {
                throw new IllegalArgumentException("row " + b + " does not end with a real token");
            }
            for (int t = 0; t < steps; t++) {
                if (!valid[b][t]) {
                    padded[b * steps + t] = first;
                }
            }
            last[b] = at - 1;
        }
        return new Packing(count, padded, packed, last);
    }
}
