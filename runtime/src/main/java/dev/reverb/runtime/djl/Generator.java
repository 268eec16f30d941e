package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
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
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        int[][] tokens = new int[batch][longest];
        boolean[][] valid = new boolean[batch][longest];
        List<List<Integer>> outputs = new ArrayList<>();
        Random[] random = new Random[batch];
        String[] finish = new String[batch];
        int context = model.config().maxPositions();
        int[] budget = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            if (prompt.length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty");
            }
            if (prompt.length >= context) {
                throw new IllegalArgumentException("prompt " + b + " of " + prompt.length
                        + " tokens leaves no room in the context of " + context + " tokens");
            }
            // positions are per sequence, so a sequence's room does not depend on what shares the batch
            budget[b] = context - prompt.length;
            int offset = longest - prompt.length;
            System.arraycopy(prompt, 0, tokens[b], offset, prompt.length);
            for (int t = offset; t < longest; t++) {
                valid[b][t] = true;
            }
            outputs.add(new ArrayList<>());
            random[b] = new Random(params.get(b).seed());
        }
        try (KvCache cache = model.newCache(batch)) {
            float[][] logits = model.forward(cache, tokens, valid);
            int active = batch;
            for (int step = 0; active > 0; step++) {
                int[][] next = new int[batch][1];
                boolean[][] feed = new boolean[batch][1];
                for (int b = 0; b < batch; b++) {
                    if (finish[b] != null) {
                        continue;
                    }
                    Params p = params.get(b);
                    int token = Sampler.sample(logits[b], p.temperature(), p.topK(), p.topP(), random[b]);
                    if (p.eos().contains(token)) {
                        finish[b] = "eos";
                    } else {
                        outputs.get(b).add(token);
                        if (p.stop().test(outputs.get(b))) {
                            finish[b] = "stop";
                        } else if (outputs.get(b).size() >= Math.min(p.maxTokens(), budget[b])) {
                            finish[b] = "length";
                        }
                    }
                    if (finish[b] != null) {
                        active--;
                    } else {
                        next[b][0] = token;
                        feed[b][0] = true;
                    }
                }
                if (active > 0) {
                    logits = model.forward(cache, next, feed);
                }
            }
        }
        List<Output> results = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            results.add(new Output(outputs.get(b), prompts.get(b).length, finish[b]));
        }
        return results;
    }
}
