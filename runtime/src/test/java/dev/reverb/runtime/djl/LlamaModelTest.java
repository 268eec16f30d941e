package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The DJL engine on tiny random checkpoints of each supported variant, against a plain-Java reference. */
class LlamaModelTest {

    @TempDir
    Path tmp;

    static final int[] PROMPT = {1, 17, 5, 42, 33, 8, 60, 12, 3};

    static boolean[][] all(int batch, int steps) {
        boolean[][] v = new boolean[batch][steps];
        for (boolean[] row : v) {
            Arrays.fill(row, true);
        }
        return v;
    }

    static float[] prefill(LlamaModel model, int[] ids) {
        try (KvCache cache = model.newCache(1)) {
            return model.forward(cache, new int[][] {ids}, all(1, ids.length))[0];
        }
    }

    static double maxDiff(float[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @ParameterizedTest(name = "{0} kv-heads={1} tied={2} bias={3}")
    @CsvSource({"llama, 2, true, false", "llama, 4, false, false", "qwen2, 2, false, true", "mistral, 1, true, false"})
    void should_agree_with_the_plain_java_reference_when_running_each_variant(String type, int kvHeads, boolean tied,
                                                                             boolean bias) throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random(type, kvHeads, tied, bias, 11);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve(type)), Device.cpu(), DataType.FLOAT32)) {
            assertThat(maxDiff(prefill(model, PROMPT), ckpt.referenceLogits(PROMPT))).isLessThan(1e-4);
        }
    }

    @Test
    void should_give_the_same_logits_when_decoding_with_the_cache_as_when_recomputing() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("qwen2", 2, false, true, 5);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32);
             KvCache cache = model.newCache(1)) {
            float[] logits = model.forward(cache, new int[][] {Arrays.copyOf(PROMPT, 4)}, all(1, 4))[0];
            for (int t = 4; t < PROMPT.length; t++) {
                logits = model.forward(cache, new int[][] {{PROMPT[t]}}, all(1, 1))[0];
            }
            assertThat(cache.length()).isEqualTo(PROMPT.length);
            assertThat(maxDiff(logits, prefill(model, PROMPT))).isLessThan(1e-5);
        }
    }

    @Test
    void should_give_each_sequence_its_own_result_when_batched_with_padding() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 3);
        List<int[]> prompts = List.of(new int[] {1, 5, 9}, PROMPT, new int[] {1, 44, 45, 46, 47, 20});
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            Set<Integer> noEos = Set.of();
            List<Generator.Params> greedy = List.of(Generator.Params.greedy(12, noEos), Generator.Params.greedy(7, noEos),
                    Generator.Params.greedy(12, noEos));
            List<Generator.Output> batched = Generator.generate(model, prompts, greedy);
            for (int i = 0; i < prompts.size(); i++) {
                Generator.Output alone = Generator.generate(model, List.of(prompts.get(i)), List.of(greedy.get(i))).get(0);
                assertThat(batched.get(i).tokens()).as("sequence " + i).isEqualTo(alone.tokens());
                assertThat(batched.get(i).promptTokens()).isEqualTo(prompts.get(i).length);
            }
            assertThat(batched.get(1).tokens()).hasSize(7);
            assertThat(batched.get(1).finish()).isEqualTo("length");
            double[] reference = ckpt.referenceLogits(prompts.get(0));
            try (KvCache cache = model.newCache(2)) {
                int[][] padded = {{0, 0, 0, 0, 0, 0, 1, 5, 9}, PROMPT};
                boolean[][] valid = all(2, PROMPT.length);
                Arrays.fill(valid[0], 0, 6, false);
                assertThat(maxDiff(model.forward(cache, padded, valid)[0], reference)).isLessThan(1e-4);
            }
        }
    }

    @Test
    void should_be_deterministic_when_greedy_and_reproducible_when_seeded() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 8);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            List<int[]> one = List.of(PROMPT);
            assertThat(Generator.generate(model, one, List.of(Generator.Params.greedy(10, Set.of()))))
                    .isEqualTo(Generator.generate(model, one, List.of(Generator.Params.greedy(10, Set.of()))));
            Generator.Params seeded = new Generator.Params(20, 1.0, 0, 1.0, 99, Set.of(), t -> false);
            Generator.Params other = new Generator.Params(20, 1.0, 0, 1.0, 100, Set.of(), t -> false);
            List<Integer> a = Generator.generate(model, one, List.of(seeded)).get(0).tokens();
            assertThat(Generator.generate(model, one, List.of(seeded)).get(0).tokens()).isEqualTo(a);
            assertThat(Generator.generate(model, one, List.of(other)).get(0).tokens()).isNotEqualTo(a);
        }
    }

    @Test
    void should_stop_at_eos_and_at_a_stop_condition_when_decoding() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 8);
        try (LlamaModel model = LlamaModel.load(ckpt.write(tmp.resolve("m")), Device.cpu(), DataType.FLOAT32)) {
            List<Integer> free = Generator.generate(model, List.of(PROMPT), List.of(Generator.Params.greedy(10, Set.of())))
                    .get(0).tokens();
            Generator.Output eos = Generator.generate(model, List.of(PROMPT),
                    List.of(Generator.Params.greedy(10, Set.of(free.get(3))))).get(0);
            assertThat(eos.finish()).isEqualTo("eos");
            assertThat(eos.tokens()).isEqualTo(free.subList(0, free.indexOf(free.get(3))));
            Generator.Output stopped = Generator.generate(model, List.of(PROMPT),
                    List.of(new Generator.Params(10, 0, 0, 1, 0, Set.of(), t -> t.size() == 2))).get(0);
            assertThat(stopped.finish()).isEqualTo("stop");
            assertThat(stopped.tokens()).isEqualTo(free.subList(0, 2));
        }
    }

    @Test
    void should_name_the_supported_architectures_when_loading_an_unknown_one() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("gpt2"));
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"architectures\": [\"GPT2LMHeadModel\"]}");
        assertThatThrownBy(() -> LlamaModel.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("unsupported architecture 'gpt2'").hasMessageContaining("llama, mistral, qwen2");
    }

    @Test
    void should_stay_close_to_float32_when_running_in_float16() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 21);
        Path dir = ckpt.write(tmp.resolve("m"));
        try (LlamaModel fp16 = LlamaModel.load(dir, Device.cpu(), LlamaModel.dtype("float16"))) {
            assertThat(maxDiff(prefill(fp16, PROMPT), ckpt.referenceLogits(PROMPT))).isLessThan(0.05);
        }
    }

    @Test
    void should_load_a_bf16_checkpoint_exactly_and_refuse_bf16_compute() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("qwen2", 2, false, true, 4).roundedToBf16();
        Path f32 = ckpt.write(tmp.resolve("f32"));
        Path bf16 = ckpt.writeBf16(tmp.resolve("bf16"));
        try (LlamaModel a = LlamaModel.load(f32, Device.cpu(), DataType.FLOAT32);
             LlamaModel b = LlamaModel.load(bf16, Device.cpu(), DataType.FLOAT32)) {
            assertThat(maxDiff(prefill(a, PROMPT), prefill(b, PROMPT))).isZero();
        }
        assertThatThrownBy(() -> LlamaModel.dtype("bfloat16")).hasMessageContaining("float16");
    }

    @Test
    void should_load_every_shard_when_the_checkpoint_is_sharded() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("qwen2", 2, false, true, 31);
        Path sharded = ckpt.writeSharded(tmp.resolve("sharded"));
        assertThat(sharded.resolve("model.safetensors")).doesNotExist();
        try (LlamaModel model = LlamaModel.load(sharded, Device.cpu(), DataType.FLOAT32)) {
            assertThat(maxDiff(prefill(model, PROMPT), ckpt.referenceLogits(PROMPT))).isLessThan(1e-4);
        }
    }

    @Test
    void should_render_the_models_own_chat_template_and_fall_back_without_one() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tpl"));
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}</s>{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"}
                """);
        List<dev.reverb.agents.model.ChatMessage> chat = List.of(dev.reverb.agents.model.ChatMessage.system("Be brief."),
                dev.reverb.agents.model.ChatMessage.user("2+2?"));

        assertThat(ChatTemplate.of(dir).render(chat)).isEqualTo("<s><|system|>Be brief.</s><|user|>2+2?</s><|assistant|>");
        assertThat(ChatTemplate.of(dir).hasTemplate()).isTrue();
        ChatTemplate none = ChatTemplate.of(Files.createDirectories(tmp.resolve("none")));
        assertThat(none.hasTemplate()).isFalse();
        assertThat(none.render(chat)).isEqualTo("System: Be brief.\n\nUser: 2+2?\n\nAssistant:");
    }
}
