package dev.reverb.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys and values of every layer for a batch of sequences, {@code [batch, kvHeads, length,
 * headDim]} each, with which cached positions are real tokens (not left padding) and the next
 * RoPE position of each sequence. Close it to free its memory.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[][] entries;
    private final int batch;
    private final int[] nextPosition;
    private final List<boolean[]> valid = new ArrayList<>();
    private int length;

    KvCache(NDManager manager, int layers, int batch) {
        this.manager = manager;
        this.entries = new NDArray[layers][2];
        this.batch = batch;
        this.nextPosition = new int[batch];
    }

    public int batch() {
        return batch;
    }

    /** Cached positions (padding included). */
    public int length() {
        return length;
    }

    int nextPosition(int b) {
        return nextPosition[b];
    }

    void advance(int b) {
        nextPosition[b]++;
    }

    /**
     * The additive attention mask of a chunk, {@code [batch, steps, past + steps]} flattened: a
     * query sees real keys up to its own index; a padding query sees only itself.
     */
    float[] mask(boolean[][] chunkValid, int past, int steps, float masked) {
        int keys = past + steps;
        float[] mask = new float[batch * steps * keys];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int self = past + t;
                for (int j = 0; j < keys; j++) {
                    boolean realKey = j < past ? valid.get(j)[b] : chunkValid[b][j - past];
                    boolean visible = j == self || (j <= self && realKey && chunkValid[b][t]);
                    mask[(b * steps + t) * keys + j] = visible ? 0f : masked;
                }
            }
        }
        for (int t = 0; t < steps; t++) {
            boolean[] column = new boolean[batch];
            for (int b = 0; b < batch; b++) {
                column[b] = chunkValid[b][t];
            }
            valid.add(column);
        }
        return mask;
    }

    /** Appends a layer's new keys (kind 0) or values (kind 1) and returns all of them. */
    NDArray append(int layer, int kind, NDArray fresh) {
        NDArray old = entries[layer][kind];
        NDArray all = old == null ? fresh.duplicate() : NDArrays.concat(new NDList(old, fresh), 2);
        all.attach(manager);
        if (old != null) {
            old.close();
        }
        entries[layer][kind] = all;
        return all;
    }

    void commit(int newLength) {
        length = newLength;
    }

    @Override
    public void close() {
        manager.close();
    }
}
