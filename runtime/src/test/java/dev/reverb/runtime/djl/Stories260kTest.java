package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real trained weights: stories260K against llama2.c's own C inference (expected.json). */
class Stories260kTest {

    static final Path DIR = Path.of(System.getProperty("reverb.shared", "../../shared"), "models/stories260k");
    static LlamaModel model;
    static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        Assumptions.assumeTrue(Files.exists(DIR.resolve("model.safetensors")), "stories260k not present at " + DIR);
        model = LlamaModel.load(DIR, Device.cpu(), DataType.FLOAT32);
        expected = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @Test
    void should_match_llama2c_prompt_logits_and_greedy_tokens_when_decoding_every_case() {
        double worst = 0;
        for (JsonNode c : expected.path("cases")) {
            int[] prompt = ints(c.path("prompt_ids"));
            int[] greedy = ints(c.path("greedy_ids"));
            try (KvCache cache = model.newCache(1)) {
                boolean[][] valid = {new boolean[prompt.length]};
                java.util.Arrays.fill(valid[0], true);
                float[] logits = model.forward(cache, new int[][] {prompt}, valid)[0];
                JsonNode reference = c.path("prompt_logits");
                for (int i = 0; i < reference.size(); i++) {
                    worst = Math.max(worst, Math.abs(logits[i] - reference.get(i).asDouble()));
                }
                int[] produced = new int[greedy.length];
                for (int s = 0; s < greedy.length; s++) {
                    produced[s] = Sampler.argmax(logits);
                    logits = model.forward(cache, new int[][] {{produced[s]}}, new boolean[][] {{true}})[0];
                }
                assertThat(produced).as(c.path("name").asText()).containsExactly(greedy);
            }
        }
        assertThat(worst).isLessThan(1e-3);
    }
}
