package dev.reverb.runtime.djl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a tiny random-weight Hugging Face checkpoint (config.json + model.safetensors, F32) and
 * computes its forward pass in plain Java (double precision, no DJL) as an independent reference.
 */
final class TinyCheckpoint {

    final HfConfig config;
    final Map<String, float[]> tensors = new LinkedHashMap<>();
    final Map<String, int[]> shapes = new LinkedHashMap<>();

    private TinyCheckpoint(HfConfig config) {
        this.config = config;
    }

    /** A checkpoint with the given architecture switches and seeded random weights. */
    static TinyCheckpoint random(String type, int kvHeads, boolean tied, boolean bias, long seed) {
        HfConfig c = new HfConfig(type, 32, 48, 2, 4, kvHeads, 8, 61, 1e-5, 10000.0, tied, bias, 1,
                java.util.List.of(2), 128);
        TinyCheckpoint ckpt = new TinyCheckpoint(c);
        Random r = new Random(seed);
        int h = c.hiddenSize();
        int kv = c.kvHeads() * c.headDim();
        ckpt.put("model.embed_tokens.weight", r, 0.5, c.vocabSize(), h);
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            ckpt.norm(p + "input_layernorm.weight", r, h);
            ckpt.put(p + "self_attn.q_proj.weight", r, 0.2, c.heads() * c.headDim(), h);
            ckpt.put(p + "self_attn.k_proj.weight", r, 0.2, kv, h);
            ckpt.put(p + "self_attn.v_proj.weight", r, 0.2, kv, h);
            if (bias) {
                ckpt.put(p + "self_attn.q_proj.bias", r, 0.1, c.heads() * c.headDim());
                ckpt.put(p + "self_attn.k_proj.bias", r, 0.1, kv);
                ckpt.put(p + "self_attn.v_proj.bias", r, 0.1, kv);
            }
            ckpt.put(p + "self_attn.o_proj.weight", r, 0.2, h, c.heads() * c.headDim());
            ckpt.norm(p + "post_attention_layernorm.weight", r, h);
            ckpt.put(p + "mlp.gate_proj.weight", r, 0.2, c.intermediateSize(), h);
            ckpt.put(p + "mlp.up_proj.weight", r, 0.2, c.intermediateSize(), h);
            ckpt.put(p + "mlp.down_proj.weight", r, 0.2, h, c.intermediateSize());
        }
        ckpt.norm("model.norm.weight", r, h);
        if (!tied) {
            ckpt.put("lm_head.weight", r, 0.5, c.vocabSize(), h);
        }
        return ckpt;
    }

    private void put(String name, Random r, double scale, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (r.nextGaussian() * scale);
        }
        tensors.put(name, values);
        shapes.put(name, shape);
    }

    private void norm(String name, Random r, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (1 + 0.1 * r.nextGaussian());
        }
        tensors.put(name, values);
        shapes.put(name, new int[] {size});
    }

    /** The same checkpoint with every weight rounded to the nearest bfloat16 (so BF16 storage is exact). */
    TinyCheckpoint roundedToBf16() {
        TinyCheckpoint copy = new TinyCheckpoint(config);
        tensors.forEach((name, values) -> {
            float[] rounded = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                int bits = Float.floatToIntBits(values[i]);
                rounded[i] = Float.intBitsToFloat((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000);
            }
            copy.tensors.put(name, rounded);
            copy.shapes.put(name, shapes.get(name));
        });
        return copy;
    }

    /** Writes config.json and model.safetensors (F32) into {@code dir}. */
    Path write(Path dir) throws IOException {
        return write(dir, false);
    }

    /**
     * Writes the checkpoint sharded as Hugging Face does: tensors split over two
     * {@code model-0000N-of-00002.safetensors} files and a {@code model.safetensors.index.json}.
     */
    Path writeSharded(Path dir) throws IOException {
        Path whole = write(dir.resolveSibling(dir.getFileName() + "-whole"));
        Files.createDirectories(dir);
        Files.copy(whole.resolve("config.json"), dir.resolve("config.json"));
        List<String> names = new java.util.ArrayList<>(tensors.keySet());
        int half = names.size() / 2;
        ObjectNode index = new ObjectMapper().createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        for (int shard = 0; shard < 2; shard++) {
            String file = "model-0000" + (shard + 1) + "-of-00002.safetensors";
            TinyCheckpoint part = new TinyCheckpoint(config);
            for (String name : shard == 0 ? names.subList(0, half) : names.subList(half, names.size())) {
                part.tensors.put(name, tensors.get(name));
                part.shapes.put(name, shapes.get(name));
                map.put(name, file);
            }
            Path partDir = part.write(dir.resolveSibling(dir.getFileName() + "-part" + shard));
            Files.move(partDir.resolve("model.safetensors"), dir.resolve(file));
        }
        new ObjectMapper().writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
        return dir;
    }

    /** Writes config.json and model.safetensors with BF16 tensors (the top 16 bits of each float). */
    Path writeBf16(Path dir) throws IOException {
        return write(dir, true);
    }

    private Path write(Path dir, boolean bf16) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = json.createObjectNode();
        cfg.putArray("architectures").add(config.modelType().equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        cfg.put("model_type", config.modelType()).put("hidden_size", config.hiddenSize())
                .put("intermediate_size", config.intermediateSize()).put("num_hidden_layers", config.layers())
                .put("num_attention_heads", config.heads()).put("num_key_value_heads", config.kvHeads())
                .put("head_dim", config.headDim()).put("vocab_size", config.vocabSize())
                .put("rms_norm_eps", config.rmsNormEps()).put("rope_theta", config.ropeTheta())
                .put("tie_word_embeddings", config.tieEmbeddings()).put("attention_bias", config.attentionBias())
                .put("bos_token_id", 1).put("eos_token_id", 2).put("max_position_embeddings", config.maxPositions());
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), cfg);

        ObjectNode header = json.createObjectNode();
        long offset = 0;
        for (Map.Entry<String, float[]> t : tensors.entrySet()) {
            ObjectNode entry = header.putObject(t.getKey());
            entry.put("dtype", bf16 ? "BF16" : "F32");
            var shape = entry.putArray("shape");
            for (int d : shapes.get(t.getKey())) {
                shape.add(d);
            }
            long size = t.getValue().length * (bf16 ? 2L : 4L);
            entry.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        byte[] head = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (head.length + 7) / 8 * 8;
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.safetensors"))) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            out.write(" ".repeat(padded - head.length).getBytes(StandardCharsets.US_ASCII));
            for (float[] values : tensors.values()) {
                ByteBuffer buffer = ByteBuffer.allocate(values.length * (bf16 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    if (bf16) {
                        buffer.putShort((short) (Float.floatToIntBits(v) >>> 16));
                    } else {
                        buffer.putFloat(v);
                    }
                }
                out.write(buffer.array());
            }
        }
        return dir;
    }

    // ---------------------------------------------------------------- reference forward

    private double[] w(String name) {
        float[] f = tensors.get(name);
        if (f == null) {
            return null;
        }
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** out[o] = sum_i W[o, i] x[i] (+ b[o]) for a row-major [out, in] matrix. */
    private static double[] linear(double[] x, double[] weight, double[] bias, int out) {
        int in = x.length;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias[o];
            for (int i = 0; i < in; i++) {
                s += weight[o * in + i] * x[i];
            }
            y[o] = s;
        }
        return y;
    }

    private double[] rms(double[] x, double[] weight) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        double scale = 1 / Math.sqrt(ms / x.length + config.rmsNormEps());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * scale * weight[i];
        }
        return y;
    }

    private void rope(double[] v, int heads, int pos) {
        int hd = config.headDim();
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < half; j++) {
                double angle = pos * Math.pow(config.ropeTheta(), -2.0 * j / hd);
                double a = v[h * hd + j];
                double b = v[h * hd + j + half];
                v[h * hd + j] = a * Math.cos(angle) - b * Math.sin(angle);
                v[h * hd + j + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
    }

    /** Adds a 2-class reward head: {@code score.weight}/{@code score.bias}, or the two-layer {@code score.0/2} form. */
    TinyCheckpoint withRewardHead(boolean twoLayer, long seed) {
        Random r = new Random(seed);
        int h = config.hiddenSize();
        if (twoLayer) {
            put("score.0.weight", r, 0.3, h, h);
            put("score.0.bias", r, 0.1, h);
            put("score.2.weight", r, 0.5, 2, h);
            put("score.2.bias", r, 0.1, 2);
        } else {
            put("score.weight", r, 0.5, 2, h);
            put("score.bias", r, 0.1, 2);
        }
        return this;
    }

    /** The reward head's probability of class 1 after the last token of {@code ids}. */
    double referenceReward(int[] ids) {
        double[] x = referenceHidden(ids);
        if (tensors.containsKey("score.weight")) {
            x = linear(x, w("score.weight"), w("score.bias"), 2);
        } else {
            x = linear(x, w("score.0.weight"), w("score.0.bias"), config.hiddenSize());
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.max(0, x[i]);
            }
            x = linear(x, w("score.2.weight"), w("score.2.bias"), 2);
        }
        return Math.exp(x[1]) / (Math.exp(x[0]) + Math.exp(x[1]));
    }

    /** The logits after the last token of {@code ids}, computed token by token in double precision. */
    double[] referenceLogits(int[] ids) {
        double[] head = config.tieEmbeddings() ? w("model.embed_tokens.weight") : w("lm_head.weight");
        return linear(referenceHidden(ids), head, null, config.vocabSize());
    }

    /** The final normalised hidden state after the last token of {@code ids}. */
    double[] referenceHidden(int[] ids) {
        HfConfig c = config;
        int h = c.hiddenSize();
        int hd = c.headDim();
        int kvDim = c.kvHeads() * hd;
        double[] embed = w("model.embed_tokens.weight");
        double[][][] keys = new double[c.layers()][ids.length][];
        double[][][] values = new double[c.layers()][ids.length][];
        double[] x = null;
        for (int t = 0; t < ids.length; t++) {
            x = new double[h];
            System.arraycopy(embed, ids[t] * h, x, 0, h);
            for (int l = 0; l < c.layers(); l++) {
                String p = "model.layers." + l + ".";
                double[] n = rms(x, w(p + "input_layernorm.weight"));
                double[] q = linear(n, w(p + "self_attn.q_proj.weight"), w(p + "self_attn.q_proj.bias"), c.heads() * hd);
                double[] k = linear(n, w(p + "self_attn.k_proj.weight"), w(p + "self_attn.k_proj.bias"), kvDim);
                double[] v = linear(n, w(p + "self_attn.v_proj.weight"), w(p + "self_attn.v_proj.bias"), kvDim);
                rope(q, c.heads(), t);
                rope(k, c.kvHeads(), t);
                keys[l][t] = k;
                values[l][t] = v;
                double[] attended = new double[c.heads() * hd];
                for (int head = 0; head < c.heads(); head++) {
                    int kvHead = head / (c.heads() / c.kvHeads());
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) {
                            s += q[head * hd + d] * keys[l][j][kvHead * hd + d];
                        }
                        scores[j] = s / Math.sqrt(hd);
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int d = 0; d < hd; d++) {
                            attended[head * hd + d] += scores[j] / sum * values[l][j][kvHead * hd + d];
                        }
                    }
                }
                double[] o = linear(attended, w(p + "self_attn.o_proj.weight"), null, h);
                for (int i = 0; i < h; i++) {
                    x[i] += o[i];
                }
                double[] n2 = rms(x, w(p + "post_attention_layernorm.weight"));
                double[] gate = linear(n2, w(p + "mlp.gate_proj.weight"), null, c.intermediateSize());
                double[] up = linear(n2, w(p + "mlp.up_proj.weight"), null, c.intermediateSize());
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                double[] down = linear(gate, w(p + "mlp.down_proj.weight"), null, h);
                for (int i = 0; i < h; i++) {
                    x[i] += down[i];
                }
            }
        }
        return rms(x, w("model.norm.weight"));
    }
}
