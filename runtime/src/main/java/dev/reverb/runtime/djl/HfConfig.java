package dev.reverb.runtime.djl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The parts of a Hugging Face {@code config.json} a Llama-family decoder needs: Llama 2/3,
 * Mistral and Qwen2/Qwen2.5 (q/k/v bias), grouped-query attention, RoPE, tied or untied embeddings.
 */
public record HfConfig(String modelType, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
                       int headDim, int vocabSize, double rmsNormEps, double ropeTheta, boolean tieEmbeddings,
                       boolean attentionBias, int bosTokenId, List<Integer> eosTokenIds, int maxPositions) {

    /** The {@code model_type} values this engine runs. */
    public static final Set<String> SUPPORTED = Set.of("llama", "mistral", "qwen2");

    public HfConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + heads + ") must be a multiple of "
                    + "num_key_value_heads (" + kvHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for RoPE, was " + headDim);
        }
    }

    public static HfConfig read(Path modelDir) throws IOException {
        Path file = modelDir.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException("not a Hugging Face model folder (no config.json): " + modelDir);
        }
        JsonNode c = new ObjectMapper().readTree(file.toFile());
        String type = c.path("model_type").asText("");
        if (!SUPPORTED.contains(type)) {
            throw new IllegalArgumentException("unsupported architecture '" + type + "' ("
                    + c.path("architectures") + ") in " + file + "; supported model_type values: "
                    + String.join(", ", SUPPORTED.stream().sorted().toList()));
        }
        int hidden = c.path("hidden_size").asInt();
        int heads = c.path("num_attention_heads").asInt();
        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(id -> eos.add(id.asInt()));
        } else if (e.isNumber()) {
            eos.add(e.asInt());
        }
        return new HfConfig(type, hidden, c.path("intermediate_size").asInt(), c.path("num_hidden_layers").asInt(),
                heads, c.path("num_key_value_heads").asInt(heads),
                c.hasNonNull("head_dim") ? c.path("head_dim").asInt() : hidden / heads,
                c.path("vocab_size").asInt(), c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000.0), c.path("tie_word_embeddings").asBoolean(false),
                c.path("attention_bias").asBoolean(type.equals("qwen2")), c.path("bos_token_id").asInt(1), eos,
                c.path("max_position_embeddings").asInt(4096));
    }
}
