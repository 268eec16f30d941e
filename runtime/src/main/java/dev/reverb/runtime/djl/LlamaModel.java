package dev.reverb.runtime.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A Llama-family decoder (Llama 2/3, Mistral, Qwen2) written with DJL NDArray operations on the
 * PyTorch engine: RMSNorm, rotate-half RoPE, grouped-query attention with a KV cache, SwiGLU.
 * Sequences of different lengths share a batch through left padding and an attention mask.
 *
 * <p>Weights come from a local Hugging Face folder ({@code config.json} and one or more
 * {@code *.safetensors}, F32, F16 or BF16; read by {@link LlamaWeights}); nothing is downloaded. It computes in float32 or
 * float16. Not thread-safe: one thread drives a model.
 */
public final class LlamaModel implements AutoCloseable {

    static {
        EngineThreads.defaults(); // before anything here starts the engine
    }

    /** Added to the scores of keys a query must not see. */
    private static final float MASKED = -1e9f;

    private final HfConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final LlamaWeights weights;
    private final DecodeStats stats = new DecodeStats();

    private LlamaModel(HfConfig config, NDManager manager, DataType dtype, LlamaWeights weights) {
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        this.weights = weights;
    }

    /**
     * Loads a model folder.
     *
     * @param device where to run; see {@link #device(String)}
     * @param dtype  float32, bfloat16 or float16
     */
    public static LlamaModel load(Path dir, Device device, DataType dtype) throws IOException {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("the engine computes in float32 or float16, not " + dtype);
        }
        HfConfig config = HfConfig.read(dir);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return new LlamaModel(config, manager, dtype, LlamaWeights.load(dir, config, manager, dtype));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The PyTorch engine's CPU threads, as "intra-op N, inter-op M" (starts the engine); see {@link EngineThreads}. */
    public static String engineThreads() {
        Engine.getEngine("PyTorch");
        return "intra-op " + ai.djl.pytorch.jni.JniUtils.getNumThreads() + ", inter-op "
                + ai.djl.pytorch.jni.JniUtils.getNumInteropThreads();
    }

    /** {@code cpu}, {@code cuda} (the first GPU), or {@code auto}: the GPU when the engine sees one. */
    public static Device device(String name) {
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "cuda", "gpu" -> {
                if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
                    throw new IllegalStateException("device: cuda was asked for, but the PyTorch engine sees no GPU "
                            + "(see README: CUDA natives)");
                }
                yield Device.gpu();
            }
            case "auto" -> Engine.getEngine("PyTorch").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("device must be cpu, cuda or auto, was '" + name + "'");
        };
    }

    /**
     * {@code float32} or {@code float16}. BF16 checkpoints load (widened exactly to float32), but
     * computing in {@code bfloat16} is refused: DJL 0.36's PyTorch engine aborts the JVM on any
     * bfloat16 array.
     */
    public static DataType dtype(String name) {
        return switch (name) {
            case "float32", "fp32" -> DataType.FLOAT32;
            case "float16", "fp16" -> DataType.FLOAT16;
            case "bfloat16", "bf16" -> throw new IllegalArgumentException("dtype bfloat16 is not available: DJL 0.36's "
                    + "PyTorch engine aborts on bfloat16 arrays; use float16 (GPU) or float32. BF16 checkpoints load as either.");
            default -> throw new IllegalArgumentException("dtype must be float32 or float16, was '" + name + "'");
        };
    }

    public HfConfig config() {
        return config;
    }

    /**
     * A checkpoint tensor the decoder does not use (a reward head, say), as float32 row-major
     * values, or null when there is none of that name.
     */
    public float[] extra(String name) {
        return weights.extras().get(name);
    }

    public Device device() {
        return manager.getDevice();
    }

    /** What this model's forward passes have cost so far. */
    public DecodeStats stats() {
        return stats;
    }

    /** A new, empty KV cache for a batch of {@code batch} sequences. */
    public KvCache newCache(int batch) {
        return new KvCache(manager.newSubManager(), config.layers(), batch);
    }

    /**
     * Feeds a chunk of tokens (the same count for every sequence; {@code valid[b][t]} false marks
     * left padding) after what the cache holds, appends their keys and values to the cache, and
     * returns the logits after each sequence's last token, as float32 {@code [batch][vocab]}.
     */
    public float[][] forward(KvCache cache, int[][] tokens, boolean[][] valid) {
        return run(cache, tokens, valid, null, hidden -> {
            NDArray logits = hidden.get(new NDIndex(":, -1, :")).matMul(weights.lmHeadT());
            return rows(logits, tokens.length, config.vocabSize());
        });
    }

    /**
     * Like {@link #forward}, but every per-token operation runs on the real tokens alone, packed
     * (see {@link Packing}); only attention and the cache see the padded layout. For prefilling
     * prompts of different lengths: the logits are those {@link #forward} returns.
     */
    public float[][] forwardPacked(KvCache cache, int[][] tokens, boolean[][] valid) {
        Packing packing = Packing.of(valid);
        return run(cache, tokens, valid, packing, hidden -> {
            NDArray last = hidden.reshape(packing.tokens(), config.hiddenSize())
                    .get(new NDIndex("{}", hidden.getManager().create(packing.last())));
            return rows(last.matMul(weights.lmHeadT()), tokens.length, config.vocabSize());
        });
    }

    /**
     * Runs whole sequences (left-padded, on a fresh cache) and returns, for each sequence, the
     * final normalised hidden states ({@code lmHead} false) or the logits ({@code lmHead} true)
     * at the given chunk positions: {@code [batch][positions[b].length][size]}.
     */
    public float[][][] at(int[][] tokens, boolean[][] valid, int[][] positions, boolean lmHead) {
        try (KvCache cache = newCache(tokens.length)) {
            return run(cache, tokens, valid, null, hidden -> {
                int steps = tokens[0].length;
                int total = java.util.Arrays.stream(positions).mapToInt(p -> p.length).sum();
                long[] flat = new long[total];
                int at = 0;
                for (int b = 0; b < positions.length; b++) {
                    for (int p : positions[b]) {
                        flat[at++] = (long) b * steps + p;
                    }
                }
                NDArray picked = hidden.reshape(tokens.length * steps, config.hiddenSize())
                        .get(new NDIndex("{}", hidden.getManager().create(flat)));
                int width = lmHead ? config.vocabSize() : config.hiddenSize();
                float[][] all = rows(lmHead ? picked.matMul(weights.lmHeadT()) : picked, total, width);
                float[][][] out = new float[tokens.length][][];
                at = 0;
                for (int b = 0; b < positions.length; b++) {
                    out[b] = java.util.Arrays.copyOfRange(all, at, at + positions[b].length);
                    at += positions[b].length;
                }
                return out;
            });
        }
    }

    private static float[][] rows(NDArray matrix, int count, int width) {
        float[] flat = matrix.toType(DataType.FLOAT32, false).toFloatArray();
        float[][] out = new float[count][width];
        for (int i = 0; i < count; i++) {
            System.arraycopy(flat, i * width, out[i], 0, width);
        }
        return out;
    }

    /**
     * Feeds a chunk through every layer, appending to the cache; {@code read} sees the final normed
     * hidden states: {@code [batch, steps, hidden]}, or {@code [1, tokens, hidden]} when packed.
     */
    private <R> R run(KvCache cache, int[][] tokens, boolean[][] valid, Packing packing,
                      java.util.function.Function<NDArray, R> read) {
        int batch = tokens.length;
        int steps = tokens[0].length;
        if (batch != cache.batch()) {
            throw new IllegalArgumentException("the cache holds " + cache.batch() + " sequences, got " + batch);
        }
        long start = System.nanoTime();
        int live = 0;
        for (boolean[] row : valid) {
            for (boolean v : row) {
                live += v ? 1 : 0;
            }
        }
        try (NDManager step = manager.newSubManager()) {
            int past = cache.length();
            long[] ids = new long[batch * steps];
            long[] positions = new long[batch * steps];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    ids[b * steps + t] = tokens[b][t];
                    boolean ok = valid[b][t];
                    positions[b * steps + t] = ok ? cache.nextPosition(b) : 0;
                    if (ok) {
                        cache.advance(b);
                    }
                }
            }
            float[] mask = cache.mask(valid, past, steps, MASKED);
            Packing.Tensors pack = null;
            int rowsIn = batch;
            int stepsIn = steps;
            if (packing != null) {
                // per-token operations run on the real tokens only: one row of packed tokens
                if (past > 0) {
                    throw new IllegalArgumentException("a packed chunk goes into an empty cache");
                }
                ids = packing.pick(ids);
                positions = packing.pick(positions);
                pack = packing.on(step, batch, steps);
                rowsIn = 1;
                stepsIn = packing.tokens();
            }
            NDArray x = weights.embed().get(new NDIndex("{}", step.create(ids))).reshape(rowsIn, stepsIn, config.hiddenSize());
            x.attach(step);
            NDArray pos = step.create(positions);
            NDArray cos = weights.cosTable().get(new NDIndex("{}", pos)).reshape(rowsIn, stepsIn, 1, config.headDim());
            NDArray sin = weights.sinTable().get(new NDIndex("{}", pos)).reshape(rowsIn, stepsIn, 1, config.headDim());
            cos.attach(step);
            sin.attach(step);
            NDArray attentionMask = step.create(mask, new Shape(batch, 1, 1, steps, past + steps)).toType(dtype, false);
            for (int l = 0; l < weights.layers().size(); l++) {
                x = layer(weights.layers().get(l), l, x, cos, sin, attentionMask, cache, pack, rowsIn, stepsIn);
            }
            cache.commit(past + steps);
            R result = read.apply(rmsNorm(x, weights.finalNorm()));
            stats.forward(batch, steps, rowsIn * stepsIn, live, past + steps, System.nanoTime() - start);
            return result;
        }
    }

    /** One decoder layer; {@code rowsIn} and {@code stepsIn} are x's shape: {@code 1} and the token count when packed. */
    private NDArray layer(LlamaWeights.Layer w, int index, NDArray x, NDArray cos, NDArray sin, NDArray mask, KvCache cache,
                          Packing.Tensors pack, int rowsIn, int stepsIn) {
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int hd = config.headDim();
        NDArray h = rmsNorm(x, w.inputNorm());
        NDArray q = bias(h.matMul(w.qT()), w.qBias()).reshape(rowsIn, stepsIn, heads, hd);
        NDArray k = bias(h.matMul(w.kT()), w.kBias()).reshape(rowsIn, stepsIn, kvHeads, hd);
        NDArray v = bias(h.matMul(w.vT()), w.vBias()).reshape(rowsIn, stepsIn, kvHeads, hd);
        q = rope(q, cos, sin);
        k = rope(k, cos, sin);
        int batch = rowsIn;
        int steps = stepsIn;
        if (pack != null) {
            q = pack.spread(q);
            k = pack.spread(k);
            v = pack.spread(v);
            batch = pack.batch();
            steps = pack.steps();
        }
        q = q.transpose(0, 2, 1, 3);
        k = k.transpose(0, 2, 1, 3);
        v = v.transpose(0, 2, 1, 3);
        NDArray keys = cache.append(index, 0, k);
        NDArray values = cache.append(index, 1, v);
        NDArray attended = pack == null ? attend(q, keys, values, mask, batch, steps)
                : pack.attend(this::attend, q, keys, values, mask);
        NDArray residual = x.add(attended.matMul(w.oT()));
        NDArray n = rmsNorm(residual, w.postNorm());
        NDArray gate = n.matMul(w.gateT());
        NDArray mlp = gate.mul(Activation.sigmoid(gate)).mul(n.matMul(w.upT())).matMul(w.downT());
        return residual.add(mlp);
    }

    /** Queries {@code [rows, heads, steps, hd]} against keys and values {@code [rows, kvHeads, keys, hd]}: {@code [rows, steps, width]}. */
    private NDArray attend(NDArray q, NDArray keys, NDArray values, NDArray mask, int rows, int steps) {
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int hd = config.headDim();
        int group = heads / kvHeads;
        long keyCount = keys.getShape().get(2);
        // the query heads of a key head are rows of one [group * steps, hd] matrix: plain batched
        // matmuls against that head's keys and values, no broadcast copies of the cache
        NDArray grouped = q.reshape(rows, kvHeads, group * steps, hd);
        NDArray scores = grouped.matMul(keys.transpose(0, 1, 3, 2)).mul(1.0 / Math.sqrt(hd))
                .reshape(rows, kvHeads, group, steps, keyCount).add(mask).softmax(-1)
                .reshape(rows, kvHeads, group * steps, keyCount);
        return scores.matMul(values).reshape(rows, heads, steps, hd).transpose(0, 2, 1, 3).reshape(rows, steps, heads * hd);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray x32 = x.toType(DataType.FLOAT32, false);
        NDArray normed = x32.div(x32.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt());
        return normed.toType(dtype, false).mul(weight);
    }

    private static NDArray bias(NDArray x, NDArray b) {
        return b == null ? x : x.add(b);
    }

    /** HF rotate-half RoPE on [batch, steps, heads, headDim]. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        int half = config.headDim() / 2;
        NDArray first = x.get(new NDIndex("..., :" + half));
        NDArray second = x.get(new NDIndex("..., " + half + ":"));
        NDArray rotated = NDArrays.concat(new NDList(second.neg(), first), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public void close() {
        manager.close();
    }
}
