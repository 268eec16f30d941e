package dev.reverb.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeedsTest {

    /** The hash as it was first written: FNV-1a over each part's UTF-8 bytes, SplitMix64 after each part. */
    private static long reference(long base, Object... parts) {
        long h = base ^ 0x9E3779B97F4A7C15L;
        for (Object part : parts) {
            for (byte b : String.valueOf(part).getBytes(StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= 0x100000001B3L;
            }
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h = h ^ (h >>> 31);
        }
        return h;
    }

    @Test
    void should_give_the_seeds_of_the_byte_hash_when_parts_are_ascii_or_not() {
        List<Object[]> cases = List.of(
                new Object[] {"ep-00001", "debater-1", 2, "REVISE"},
                new Object[] {"épisode", "agent-λ", "😀", 0L},
                new Object[] {null, "", 3.5, 'x'},
                new Object[] {});
        for (Object[] parts : cases) {
            assertThat(Seeds.mix(42L, parts)).isEqualTo(reference(42L, parts));
        }
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = random.nextInt(12); j > 0; j--) {
                text.append((char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0xD7FF)));
            }
            assertThat(Seeds.mix(i, text.toString(), i)).isEqualTo(reference(i, text.toString(), i));
        }
    }

    @Test
    void should_give_the_seeds_of_mix_when_parts_are_mixed_one_by_one_as_text_or_numbers() {
        long[] numbers = {0, 1, 9, 10, 99, 100, 12345, -1, -70, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long number : numbers) {
            long state = Seeds.then(Seeds.then(Seeds.start(7L), "ep-1"), number);
            assertThat(state).as("%d", number).isEqualTo(reference(7L, "ep-1", number));
            assertThat(Seeds.then(state, "slip")).isEqualTo(Seeds.mix(7L, "ep-1", number, "slip"));
            assertThat(Seeds.uniformOf(state)).isEqualTo(Seeds.uniform(7L, "ep-1", number));
        }
        for (int i = 0; i < 2000; i++) {
            assertThat(Seeds.then(Seeds.start(i), i * 37L)).isEqualTo(reference(i, i * 37));
        }
    }
}
