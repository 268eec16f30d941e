package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both PRM conventions on tiny random checkpoints, against the plain-Java reference forward. */
class ProcessRewardModelTest {

    @TempDir
    Path tmp;

    /** One token per character; the special tokens add BOS (1). */
    static final ProcessRewardModel.Encoder CHARS = (text, special) -> {
        List<Integer> ids = new ArrayList<>();
        if (special) {
            ids.add(1);
        }
        text.chars().forEach(c -> ids.add(3 + c % 58));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    };

    static final List<String> PROBLEMS = List.of("2+2?", "Tom has 3 apples.");
    static final List<List<String>> STEPS = List.of(List.of("2+2=4", "so 4"), List.of("3-1=2", "2*2=4", "ans 4"));

    /** The token ids the PRM builds for one pair, up to and including step {@code upTo}'s marker. */
    static int[] prefix(String problem, List<String> steps, int upTo, int marker) {
        List<Integer> ids = new ArrayList<>();
        for (int id : CHARS.encode(problem + "\n", true)) {
            ids.add(id);
        }
        for (int s = 0; s <= upTo; s++) {
            for (int id : CHARS.encode(steps.get(s), false)) {
                ids.add(id);
            }
            ids.add(marker);
            if (s < upTo) {
                for (int id : CHARS.encode("\n", false)) {
                    ids.add(id);
                }
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void should_score_with_the_label_tokens_at_each_step_tag_when_the_style_is_step_tag() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 13);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            ProcessRewardModel prm = new ProcessRewardModel(model, CHARS,
                    new ProcessRewardModel.Settings(ProcessRewardModel.Style.STEP_TAG, "#", "+", "-"));
            int tag = CHARS.encode("#", false)[0];
            int good = CHARS.encode("+", false)[0];
            int bad = CHARS.encode("-", false)[0];

            List<List<Double>> scores = prm.score(PROBLEMS, STEPS);

            for (int b = 0; b < PROBLEMS.size(); b++) {
                assertThat(scores.get(b)).hasSize(STEPS.get(b).size());
                for (int s = 0; s < STEPS.get(b).size(); s++) {
                    double[] logits = ckpt.referenceLogits(prefix(PROBLEMS.get(b), STEPS.get(b), s, tag));
                    double expected = Math.exp(logits[good]) / (Math.exp(logits[good]) + Math.exp(logits[bad]));
                    assertThat(scores.get(b).get(s)).as("pair %d step %d", b, s).isCloseTo(expected, within(1e-4))
                            .isBetween(0.0, 1.0);
                }
            }
            assertThat(prm.score(PROBLEMS.subList(1, 2), STEPS.subList(1, 2)).get(0))
                    .usingElementComparator((x, y) -> Math.abs(x - y) < 1e-5 ? 0 : 1).isEqualTo(scores.get(1));
        }
    }

    @Test
    void should_read_the_reward_head_at_each_separator_when_the_style_is_reward_head() throws Exception {
        for (boolean twoLayer : new boolean[] {false, true}) {
            TinyCheckpoint ckpt = TinyCheckpoint.random("qwen2", 2, false, true, 17).withRewardHead(twoLayer, 5);
            try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("h" + twoLayer)), Device.cpu(), DataType.FLOAT32)) {
                ProcessRewardModel prm = new ProcessRewardModel(model, CHARS,
                        new ProcessRewardModel.Settings(ProcessRewardModel.Style.REWARD_HEAD, "|", null, null));
                int separator = CHARS.encode("|", false)[0];

                List<List<Double>> scores = prm.score(PROBLEMS, STEPS);

                for (int b = 0; b < PROBLEMS.size(); b++) {
                    for (int s = 0; s < STEPS.get(b).size(); s++) {
                        double expected = ckpt.referenceReward(prefix(PROBLEMS.get(b), STEPS.get(b), s, separator));
                        assertThat(scores.get(b).get(s)).as("two-layer %s pair %d step %d", twoLayer, b, s)
                                .isCloseTo(expected, within(1e-4));
                    }
                }
            }
        }
    }

    @Test
    void should_explain_what_is_missing_when_the_setup_cannot_score() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 13);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            assertThatThrownBy(() -> new ProcessRewardModel(model, CHARS,
                    new ProcessRewardModel.Settings(ProcessRewardModel.Style.REWARD_HEAD, "|", null, null)))
                    .hasMessageContaining("score.weight");
            assertThatThrownBy(() -> new ProcessRewardModel(model, CHARS,
                    new ProcessRewardModel.Settings(ProcessRewardModel.Style.STEP_TAG, "ки", "+", "-")))
                    .hasMessageContaining("must be one token");
        }
    }
}
