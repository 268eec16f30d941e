package dev.reverb.runtime.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys and values of every layer for a batch of sequences, {@code [batch, kvHeads, length,
 * headDim]} each, with which cached positions are real tokens (not left padding) and the next
 * RoPE position of each sequence. Close it to free its memory.
 *
 * <p>For continuous batching its rows change while it lives: {@link #keep} drops the rows of
 * sequences that ended, {@link #merge} adds freshly prefilled ones (right-aligned with the rows
 * already there, their earlier columns masked), and {@link #trim} drops the leading columns no
 * row uses any more. Each row's real tokens stay one run of columns ending at the last one.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[][] entries;
    private int batch;
    private int[] nextPosition;
    private List<boolean[]> valid = new ArrayList<>();
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

    /** Keeps only the given rows, in that order (at least one). */
    void keep(int[] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("keep at least one row");
        }
        boolean same = rows.length == batch;
        for (int i = 0; same && i < rows.length; i++) {
            same = rows[i] == i;
        }
        if (same) {
            return;
        }
        long[] index = new long[rows.length];
        int[] positions = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            index[i] = rows[i];
            positions[i] = nextPosition[rows[i]];
        }
        if (entries[0][0] != null) {
            try (NDArray at = manager.create(index)) {
                replace(e -> e.get(new NDIndex("{}", at)));
            }
        }
        List<boolean[]> kept = new ArrayList<>(valid.size());
        for (boolean[] column : valid) {
            boolean[] c = new boolean[rows.length];
            for (int i = 0; i < rows.length; i++) {
                c[i] = column[rows[i]];
            }
            kept.add(c);
        }
        valid = kept;
        nextPosition = positions;
        batch = rows.length;
    }

    /**
     * Appends the rows of {@code other} (same model, same device) after these, aligning both at
     * their last column: the shorter one gets masked leading columns. {@code other} is closed.
     */
    void merge(KvCache other) {
        try (other) {
            int total = Math.max(length, other.length);
            pad(total - length);
            other.pad(total - other.length);
            for (int l = 0; l < entries.length; l++) {
                for (int k = 0; k < 2; k++) {
                    NDArray both = NDArrays.concat(new NDList(entries[l][k], other.entries[l][k]), 0);
                    both.attach(manager);
                    entries[l][k].close();
                    entries[l][k] = both;
                }
            }
            for (int t = 0; t < total; t++) {
                boolean[] column = java.util.Arrays.copyOf(valid.get(t), batch + other.batch);
                System.arraycopy(other.valid.get(t), 0, column, batch, other.batch);
                valid.set(t, column);
            }
            nextPosition = java.util.Arrays.copyOf(nextPosition, batch + other.batch);
            System.arraycopy(other.nextPosition, 0, nextPosition, batch, other.batch);
            batch += other.batch;
        }
    }

    /** Puts {@code columns} masked zero columns before the cached ones. */
    private void pad(int columns) {
        if (columns <= 0) {
            return;
        }
        replace(e -> {
            Shape s = e.getShape();
            NDArray zeros = manager.zeros(new Shape(s.get(0), s.get(1), columns, s.get(3)), e.getDataType());
            NDArray padded = NDArrays.concat(new NDList(zeros, e), 2);
            zeros.close();
            return padded;
        });
        List<boolean[]> columnsBefore = new ArrayList<>(columns + valid.size());
        for (int t = 0; t < columns; t++) {
            columnsBefore.add(new boolean[batch]);
        }
        columnsBefore.addAll(valid);
        valid = columnsBefore;
        length += columns;
    }

    /** Drops the leading columns that no row uses (a real token of no row). */
    void trim() {
        int unused = 0;
        while (unused < length && none(valid.get(unused))) {
            unused++;
        }
        if (unused == 0 || unused == length) {
            return;
        }
        int from = unused;
        replace(e -> e.get(new NDIndex(":, :, " + from + ":, :")));
        valid = new ArrayList<>(valid.subList(from, length));
        length -= from;
    }

    private static boolean none(boolean[] column) {
        for (boolean b : column) {
            if (b) {
                return false;
            }
        }
        return true;
    }

    private void replace(java.util.function.UnaryOperator<NDArray> change) {
        for (NDArray[] layer : entries) {
            for (int k = 0; k < 2; k++) {
                NDArray changed = change.apply(layer[k]);
                changed.attach(manager);
                layer[k].close();
                layer[k] = changed;
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
