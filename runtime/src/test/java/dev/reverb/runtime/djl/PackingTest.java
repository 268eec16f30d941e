package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packed prefill: per-token operations on the real tokens only, attention in two bands. */
class PackingTest {

    @TempDir
    Path tmp;

    @Test
    void should_place_short_rows_in_the_last_half_band_when_packing_a_left_padded_chunk() {
        boolean[][] valid = {
            {false, false, false, true, true, true},  // 3 tokens: fits the last 3 steps
            {true, true, true, true, true, true},      // 6 tokens
            {false, false, false, false, false, true}, // 1 token
        };
        Packing p = Packing.of(valid);
        assertThat(p.tokens()).isEqualTo(10);
        assertThat(p.half()).isEqualTo(3);
        assertThat(p.shorter()).containsExactly(0, 2);
        assertThat(p.longer()).containsExactly(1);
        assertThat(p.slots()).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 11, 17);
        assertThat(p.last()).containsExactly(2, 8, 9);
        // short band [2 rows, 3 steps] first, then the long band [1 row, 6 steps]
        assertThat(p.back()).containsExactly(0, 1, 2, 6, 7, 8, 9, 10, 11, 5);
        // a padding slot reads its row's first token
        assertThat(p.padded()[0]).isEqualTo(0);
        assertThat(p.padded()[12]).isEqualTo(9);
        assertThat(p.pick(new long[] {0, 0, 0, 7, 8, 9, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 5}))
                .containsExactly(7, 8, 9, 1, 2, 3, 4, 5, 6, 5);
    }

    @Test
    void should_refuse_a_row_that_does_not_end_with_a_real_token_when_packing() {
        assertThatThrownBy(() -> Packing.of(new boolean[][] {{true, false}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0");
    }

    @Test
    void should_give_the_logits_and_cache_of_the_padded_prefill_when_prefilling_packed() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("qwen2", 2, false, true, 7);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            Random random = new Random(3);
            List<int[]> prompts = new ArrayList<>();
            for (int length : new int[] {2, 17, 9, 30, 1, 15}) {
                int[] prompt = new int[length];
                for (int t = 0; t < length; t++) {
                    prompt[t] = 1 + random.nextInt(60);
                }
                prompts.add(prompt);
            }
            try (KvCache padded = model.newCache(prompts.size()); KvCache packed = model.newCache(prompts.size())) {
                float[][] expected = Generator.prefill(model, padded, prompts, false);
                float[][] actual = Generator.prefill(model, packed, prompts, true);
                for (int b = 0; b < prompts.size(); b++) {
                    assertThat(LlamaModelTest.maxDiff(actual[b], expected[b])).as("row %d", b).isLessThan(1e-5);
                }
                // the caches hold the same keys and values: a next step agrees too
                int[][] next = new int[prompts.size()][1];
                boolean[][] feed = LlamaModelTest.all(prompts.size(), 1);
                for (int b = 0; b < next.length; b++) {
                    next[b][0] = Sampler.argmax(expected[b]);
                }
                float[][] after = model.forward(padded, next, feed);
                float[][] afterPacked = model.forward(packed, next, feed);
                for (int b = 0; b < prompts.size(); b++) {
                    assertThat(LlamaModelTest.maxDiff(afterPacked[b], after[b])).as("row %d", b).isLessThan(1e-5);
                }
            }
        }
    }
}
