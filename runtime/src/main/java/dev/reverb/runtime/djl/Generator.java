package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Batched decoding: prompts of different lengths are left-padded into one batch, prefilled
 * together, then decoded one token per step with the KV cache until every sequence has hit an
 * end-of-sequence token, a stop condition, or its token limit. Each sequence has its own
 * sampling parameters and its own seeded random source, so a result does not depend on what
 * else shares the batch.
 */
public final class Generator {

    /**
     * How one sequence is decoded.
     *
     * @param maxTokens   most new tokens
     * @param temperature 0 for greedy
     * @param topK        0 for no limit
     * @param topP        1 for no limit
     * @param seed        seeds this sequence's sampling
     * @param eos         token ids that end the sequence (not part of the output)
     * @param stop        ends the sequence when it holds for the tokens generated so far
     */
    public record Params(int maxTokens, double temperature, int topK, double topP, long seed, Set<Integer> eos,
                         Predicate<List<Integer>> stop) {
        public Params {
            eos = Set.copyOf(eos);
            Objects.requireNonNull(stop, "stop");
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1");
            }
        }

        public static Params greedy(int maxTokens, Set<Integer> eos) {
            return new Params(maxTokens, 0, 0, 1, 0, eos, tokens -> false);
        }
    }

    /** What one sequence produced and why it ended ({@code eos}, {@code stop} or {@code length}). */
    public record Output(List<Integer> tokens, int promptTokens, String finish) {
        public Output {
            tokens = List.copyOf(tokens);
        }
    }

    private Generator() {
    }

    public static List<Output> generate(LlamaModel model, List<int[]> prompts, List<Params> params) {
        int batch = prompts.size();
        if (batch == 0 || params.size() != batch) {
            throw new IllegalArgumentException("need one Params per prompt and at least one prompt");
        }
        int context = model.config().maxPositions();
        List<Sequence> sequences = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            sequences.add(new Sequence(prompts.get(b), params.get(b), context));
        }
        try (KvCache cache = model.newCache(batch)) {
            float[][] logits = prefill(model, cache, prompts);
            int active = batch;
            while (true) {
                int[][] next = new int[batch][1];
                boolean[][] feed = new boolean[batch][1];
                for (int b = 0; b < batch; b++) {
                    Sequence s = sequences.get(b);
                    if (s.finished()) {
                        continue;
                    }
                    if (s.accept(logits[b])) {
                        active--;
                    } else {
                        next[b][0] = s.last();
                        feed[b][0] = true;
                    }
                }
                if (active == 0) {
                    break;
                }
                logits = model.forward(cache, next, feed);
            }
        }
        return sequences.stream().map(Sequence::output).toList();
    }

    /**
     * Feeds prompts of different lengths, left-padded to the longest, into an empty cache of as
     * many sequences, and returns the logits after each prompt's last token.
     */
    static float[][] prefill(LlamaModel model, KvCache cache, List<int[]> prompts) {
        return prefill(model, cache, prompts, false);
    }

    /**
     * {@link #prefill}, with the per-token operations on the prompts' real tokens alone when
     * {@code packed} (see {@link LlamaModel#forwardPacked}): the padding costs attention only.
     */
    static float[][] prefill(LlamaModel model, KvCache cache, List<int[]> prompts, boolean packed) {
        int batch = prompts.size();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int[][] tokens = new int[batch][longest];
        boolean[][] valid = new boolean[batch][longest];
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            int offset = longest - prompt.length;
            System.arraycopy(prompt, 0, tokens[b], offset, prompt.length);
            java.util.Arrays.fill(valid[b], offset, longest, true);
        }
        return packed ? model.forwardPacked(cache, tokens, valid) : model.forward(cache, tokens, valid);
    }
}
