package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    static final float[] LOGITS = {1.0f, 3.0f, 2.5f, 2.9f, -1f};

    @Test
    void should_take_the_lowest_best_id_when_greedy() {
        assertThat(Sampler.argmax(new float[] {1, 5, 5, 2})).isEqualTo(1);
        assertThat(Sampler.sample(LOGITS, 0, 0, 1, new Random(1))).isEqualTo(1);
    }

    @Test
    void should_only_draw_from_the_k_best_when_top_k_is_set() {
        Set<Integer> seen = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            seen.add(Sampler.sample(LOGITS, 5.0, 2, 1, random));
        }
        assertThat(seen).containsExactlyInAnyOrder(1, 3);
        assertThat(Sampler.sample(LOGITS, 5.0, 1, 1, new Random(3))).isEqualTo(1);
    }

    @Test
    void should_only_draw_from_the_nucleus_when_top_p_is_set() {
        Set<Integer> seen = new HashSet<>();
        Random random = new Random(9);
        for (int i = 0; i < 2000; i++) {
            seen.add(Sampler.sample(LOGITS, 1.0, 0, 0.5, random));
        }
        // probabilities at T=1: id1 0.36, id3 0.33, id2 0.22 ...: the first two make up over half
        assertThat(seen).containsExactlyInAnyOrder(1, 3);
        Set<Integer> all = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            all.add(Sampler.sample(LOGITS, 1.0, 0, 1, random));
        }
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }
}
