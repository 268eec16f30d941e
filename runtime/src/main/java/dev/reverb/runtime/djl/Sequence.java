package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One sequence being decoded: its sampling parameters, its own seeded random source, the tokens
 * it has produced, and why it ended. Static and continuous batching both decode through it, so a
 * sequence ends by the same rules (end-of-sequence token, stop condition, token limit, context)
 * whatever shares its batch.
 */
final class Sequence {

    private final int[] prompt;
    private final Generator.Params params;
    private final Random random;
    private final int budget;
    private final List<Integer> tokens = new ArrayList<>();
    private String finish;
    private int last = -1;

    /**
     * @param context the model's context: prompt and new tokens together stay within it
     */
    Sequence(int[] prompt, Generator.Params params, int context) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("a prompt is empty");
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException("a prompt of " + prompt.length
                    + " tokens leaves no room in the context of " + context + " tokens");
        }
        this.prompt = prompt;
        this.params = params;
        this.random = new Random(params.seed());
        // positions are per sequence, so a sequence's room does not depend on what shares the batch
        this.budget = context - prompt.length;
    }

    int[] prompt() {
        return prompt;
    }

    /**
     * Samples the next token from the logits after this sequence's last token, records it, and
     * says whether the sequence has ended.
     */
    boolean accept(float[] logits) {
        if (finish != null) {
            throw new IllegalStateException("the sequence has ended: " + finish);
        }
        int token = Sampler.sample(logits, params.temperature(), params.topK(), params.topP(), random);
        if (params.eos().contains(token)) {
            finish = "eos";
        } else {
            tokens.add(token);
            last = token;
            if (params.stop().test(tokens)) {
                finish = "stop";
            } else if (tokens.size() >= Math.min(params.maxTokens(), budget)) {
                finish = "length";
            }
        }
        return finish != null;
    }

    /** The token to feed next: the last one sampled. */
    int last() {
        return last;
    }

    boolean finished() {
        return finish != null;
    }

    Generator.Output output() {
        return new Generator.Output(tokens, prompt.length, finish);
    }
}
