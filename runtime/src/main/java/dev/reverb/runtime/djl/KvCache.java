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

    /**
     * Writes a layer's new keys (kind 0) or values (kind 1) after the cached ones, in place, and
     * returns all of them (a view, owned by {@code fresh}'s manager). The columns live in a buffer
     * with room to spare, so a step copies the cache only when that room runs out.
     */
    NDArray append(int layer, int kind, NDArray fresh) {
        Shape s = fresh.getShape();
        int need = length + (int) s.get(2);
        NDArray buffer = entries[layer][kind];
        if (buffer == null) {
            buffer = manager.zeros(new Shape(s.get(0), s.get(1), room(need), s.get(3)), fresh.getDataType());
        } else if (buffer.getShape().get(2) < need) {
            buffer = columns(buffer, 0, room(need));
            entries[layer][kind].close();
        }
        entries[layer][kind] = buffer;
        buffer.set(new NDIndex(":, :, " + length + ":" + need + ", :"), fresh);
        NDArray used = buffer.get(new NDIndex(":, :, :" + need + ", :"));
        used.attach(fresh.getManager());
        return used;
    }

    /** Columns to allocate for {@code need}: half as many again, so that growing is rare. */
    private static int room(int need) {
        return need + Math.max(16, need / 2);
    }

    /**
     * A new buffer of {@code capacity} columns holding {@code front} zero columns, then the
     * {@link #length} used columns of {@code e}, then zeros.
     */
    private NDArray columns(NDArray e, int front, int capacity) {
        Shape s = e.getShape();
        NDList parts = new NDList();
        if (front > 0) {
            parts.add(manager.zeros(new Shape(s.get(0), s.get(1), front, s.get(3)), e.getDataType()));
        }
        parts.add(e.get(new NDIndex(":, :, :" + length + ", :")));
        int back = capacity - front - length;
        if (back > 0) {
            parts.add(manager.zeros(new Shape(s.get(0), s.get(1), back, s.get(3)), e.getDataType()));
        }
        NDArray all = NDArrays.concat(parts, 2);
        all.attach(manager);
        parts.close();
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
            int capacity = room(total + 1);
            pad(total - length, capacity);
            other.pad(total - other.length, capacity);
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

    /**
     * Writes the rows of {@code other} (same model, same device, no longer than this) into rows
     * {@code slots} of this cache, in place, aligned at the last column; the columns before them
     * are masked for those rows. What the slots held before is forgotten. {@code other} is closed.
     */
    void place(int[] slots, KvCache other) {
        if (slots.length != other.batch || other.length > length) {
            throw new IllegalArgumentException(other.batch + " rows of " + other.length + " columns do not fit "
                    + slots.length + " slots of " + length + " columns");
        }
        long[] rows = new long[slots.length];
        for (int i = 0; i < slots.length; i++) {
            rows[i] = slots[i];
        }
        try (other; NDArray at = manager.create(rows)) {
            int from = length - other.length;
            // one indexed write per layer and kind, whatever the number of rows
            NDIndex into = new NDIndex("{}, :, " + from + ":" + length + ", :", at);
            NDIndex used = new NDIndex(":, :, :" + other.length + ", :");
            for (int l = 0; l < entries.length; l++) {
                for (int k = 0; k < 2; k++) {
                    try (NDArray fresh = other.entries[l][k].get(used)) {
                        entries[l][k].set(into, fresh);
                    }
                }
            }
            for (int i = 0; i < slots.length; i++) {
                for (int t = 0; t < length; t++) {
                    valid.get(t)[slots[i]] = t >= from && other.valid.get(t - from)[i];
                }
                nextPosition[slots[i]] = other.nextPosition[i];
            }
        }
    }

    /** Masks every cached column of row {@code b} (its sequence ended), so that {@link #trim} can drop them. */
    void forget(int b) {
        for (boolean[] column : valid) {
            column[b] = false;
        }
    }

    /** Puts {@code columns} masked zero columns before the cached ones, in buffers of {@code capacity} columns. */
    private void pad(int columns, int capacity) {
        if (columns <= 0 && entries[0][0].getShape().get(2) == capacity) {
            return;
        }
        int front = Math.max(0, columns);
        replace(e -> columns(e, front, capacity));
        List<boolean[]> columnsBefore = new ArrayList<>(front + valid.size());
        for (int t = 0; t < front; t++) {
            columnsBefore.add(new boolean[batch]);
        }
        columnsBefore.addAll(valid);
        valid = columnsBefore;
        length += front;
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
        replace(e -> e.get(new NDIndex(":, :, " + from + ":, :"))); // keeps the room after the used columns
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
