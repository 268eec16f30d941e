package dev.reverb.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Llama-family checkpoint as {@link LlamaModel}'s forward pass reads it: the Hugging Face tensor
 * names resolved once, projections transposed for {@code x.matMul(w)}, the output head (tied to the
 * embedding or not) and the RoPE tables precomputed. Tensors the decoder does not use (a reward
 * head, say) are kept as float32 {@code extras}.
 *
 * @param lmHeadT  the output head, transposed: {@code [hidden, vocab]}
 * @param cosTable RoPE cosines per position: {@code [maxPositions, headDim]}, as is {@code sinTable}
 */
record LlamaWeights(NDArray embed, NDArray lmHeadT, NDArray finalNorm, List<Layer> layers, NDArray cosTable,
                    NDArray sinTable, Map<String, float[]> extras) {

    /** One decoder layer's tensors; the biases are null where the checkpoint has none (Llama) and set for Qwen2. */
    record Layer(NDArray inputNorm, NDArray qT, NDArray kT, NDArray vT, NDArray oT, NDArray qBias,
                 NDArray kBias, NDArray vBias, NDArray postNorm, NDArray gateT, NDArray upT, NDArray downT) {
    }

    LlamaWeights {
        layers = List.copyOf(layers);
        extras = Map.copyOf(extras);
    }

    /** Reads the folder's safetensors shards into {@code manager} as {@code dtype}. */
    static LlamaWeights load(Path dir, HfConfig config, NDManager manager, DataType dtype) throws IOException {
        Map<String, NDArray> weights = new HashMap<>();
        for (Path file : shards(dir)) {
            weights.putAll(Safetensors.read(file, manager, dtype));
        }
        return of(config, manager, dtype, weights);
    }

    private static LlamaWeights of(HfConfig config, NDManager manager, DataType dtype, Map<String, NDArray> weights) {
        Map<String, NDArray> w = new HashMap<>(weights);
        NDArray embed = take(w, "model.embed_tokens.weight");
        NDArray head = config.tieEmbeddings() || !w.containsKey("lm_head.weight") ? embed : take(w, "lm_head.weight");
        w.remove("lm_head.weight");
        NDArray finalNorm = take(w, "model.norm.weight");
        List<Layer> layers = new ArrayList<>(config.layers());
        for (int i = 0; i < config.layers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new Layer(take(w, p + "input_layernorm.weight"),
                    take(w, p + "self_attn.q_proj.weight").transpose(), take(w, p + "self_attn.k_proj.weight").transpose(),
                    take(w, p + "self_attn.v_proj.weight").transpose(), take(w, p + "self_attn.o_proj.weight").transpose(),
                    w.remove(p + "self_attn.q_proj.bias"), w.remove(p + "self_attn.k_proj.bias"), w.remove(p + "self_attn.v_proj.bias"),
                    take(w, p + "post_attention_layernorm.weight"), take(w, p + "mlp.gate_proj.weight").transpose(),
                    take(w, p + "mlp.up_proj.weight").transpose(), take(w, p + "mlp.down_proj.weight").transpose()));
        }
        int half = config.headDim() / 2;
        float[] cos = new float[config.maxPositions() * config.headDim()];
        float[] sin = new float[cos.length];
        for (int pos = 0; pos < config.maxPositions(); pos++) {
            for (int j = 0; j < half; j++) {
                double angle = pos * Math.pow(config.ropeTheta(), -2.0 * j / config.headDim());
                int at = pos * config.headDim() + j;
                cos[at] = cos[at + half] = (float) Math.cos(angle);
                sin[at] = sin[at + half] = (float) Math.sin(angle);
            }
        }
        Map<String, float[]> extras = new HashMap<>();
        for (Map.Entry<String, NDArray> extra : w.entrySet()) {
            extras.put(extra.getKey(), extra.getValue().toType(DataType.FLOAT32, false).toFloatArray());
        }
        Shape table = new Shape(config.maxPositions(), config.headDim());
        return new LlamaWeights(embed, head.transpose(), finalNorm, layers,
                manager.create(cos, table).toType(dtype, false), manager.create(sin, table).toType(dtype, false), extras);
    }

    private static Set<Path> shards(Path dir) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
            map.forEach(file -> files.add(dir.resolve(file.asText())));
        } else if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            files.add(dir.resolve("model.safetensors"));
        }
        if (files.isEmpty()) {
            throw new IOException("no model.safetensors (or model.safetensors.index.json) in " + dir);
        }
        return files;
    }

    /** Removes a used tensor from {@code weights}, so that what remains are the checkpoint's extras. */
    private static NDArray take(Map<String, NDArray> weights, String name) {
        NDArray w = weights.remove(name);
        if (w == null) {
            throw new IllegalArgumentException("the checkpoint has no tensor '" + name + "'");
        }
        return w;
    }
}
