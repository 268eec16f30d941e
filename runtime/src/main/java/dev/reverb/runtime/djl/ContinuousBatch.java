package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Continuous batching: a fixed number of slots (the rows of one {@link KvCache}) decoded one token
 * per step together. A sequence that ends (end-of-sequence token, stop condition, token limit)
 * leaves its slot at once; sequences waiting for a slot are prefilled together (packed: their
 * padding costs attention only, see {@link Packing}) and join at the next step, right-aligned with the running rows, each with its own RoPE positions and a mask
 * that hides every other sequence's columns. A sequence's tokens therefore do not depend on what
 * shares its steps. The rows of ended sequences are fed padding that no other row sees; joining
 * sequences are written into them in place. Rows are removed from the cache (which copies it) only
 * when over a quarter of them are dead, or when joining sequences do not fit the dead rows. Not
 * thread-safe: one thread drives it, like the model.
 *
 * @param <T> what the caller attaches to a sequence to recognise it when it ends
 */
final class ContinuousBatch<T> implements AutoCloseable {

    /** A sequence that ended, with its caller's tag. */
    record Finished<T>(T tag, Generator.Output output) {
    }

    /** A sequence to decode: its prompt, how it is decoded, and the caller's tag. */
    record Entry<T>(int[] prompt, Generator.Params params, T tag) {
    }

    /** A cache row: a running sequence, or a dead one (ended or dropped) until the next compaction. */
    private static final class Row<T> {
        final Sequence sequence;
        final T tag;
        boolean dead;

        Row(Sequence sequence, T tag) {
            this.sequence = sequence;
            this.tag = tag;
        }
    }

    private final LlamaModel model;
    private final int slots;
    private final List<Row<T>> rows = new ArrayList<>();
    private KvCache cache;
    private int live;
    private long forwards;

    ContinuousBatch(LlamaModel model, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1");
        }
        this.model = model;
        this.slots = slots;
    }

    /** Sequences decoding now. */
    int running() {
        return live;
    }

    /** Slots free for new sequences. */
    int free() {
        return slots - live;
    }

    /** Forward passes run so far (prefills and steps). */
    long forwards() {
        return forwards;
    }

    /**
     * Prefills up to {@link #free()} new sequences together, samples each one's first token, and
     * adds those that go on to the running rows. Returns those that ended at their first token.
     */
    List<Finished<T>> admit(List<Entry<T>> entries) {
        if (entries.isEmpty()) {
            return List.of();
        }
        if (entries.size() > free()) {
            throw new IllegalArgumentException(entries.size() + " sequences for " + free() + " free slots");
        }
        int context = model.config().maxPositions();
        List<Row<T>> joining = new ArrayList<>(entries.size());
        for (Entry<T> e : entries) {
            joining.add(new Row<>(new Sequence(e.prompt(), e.params(), context), e.tag()));
        }
        KvCache fresh = model.newCache(joining.size());
        try {
            float[][] logits = Generator.prefill(model, fresh, entries.stream().map(Entry::prompt).toList(), true);
            forwards++;
            List<Finished<T>> finished = new ArrayList<>();
            List<Row<T>> going = sample(joining, logits, finished);
            if (going.isEmpty()) {
                fresh.close();
                return finished;
            }
            long start = System.nanoTime();
            fresh.keep(indexes(joining, going));
            int[] slots = deadSlots(going.size());
            if (cache != null && slots != null && fresh.length() <= cache.length()) {
                // into the rows of ended sequences, in place: no copy of the rest of the cache
                cache.place(slots, fresh);
                model.stats().placed();
                for (int i = 0; i < slots.length; i++) {
                    rows.set(slots[i], going.get(i));
                }
                cache.trim();
            } else {
                compact();
                if (cache == null) {
                    cache = fresh;
                } else {
                    cache.merge(fresh);
                }
                rows.addAll(going);
            }
            fresh = null;
            model.stats().surgery(System.nanoTime() - start);
            live += going.size();
            return finished;
        } finally {
            if (fresh != null && fresh != cache) {
                fresh.close();
            }
        }
    }

    /** Decodes one token for every running sequence; returns those that ended. */
    List<Finished<T>> step() {
        if (live == 0) {
            return List.of();
        }
        int[][] next = new int[rows.size()][1];
        boolean[][] feed = new boolean[rows.size()][1];
        for (int b = 0; b < rows.size(); b++) {
            Row<T> row = rows.get(b);
            if (!row.dead) {
                next[b][0] = row.sequence.last();
                feed[b][0] = true;
            }
        }
        float[][] logits = model.forward(cache, next, feed);
        forwards++;
        List<Finished<T>> finished = new ArrayList<>();
        for (int b = 0; b < rows.size(); b++) {
            Row<T> row = rows.get(b);
            if (!row.dead && row.sequence.accept(logits[b])) {
                finished.add(new Finished<>(row.tag, row.sequence.output()));
                kill(row);
            }
        }
        tidy();
        return finished;
    }

    /** Drops the running sequences whose tag matches (their callers gave up), freeing their slots. */
    void drop(Predicate<T> gone) {
        for (Row<T> row : rows) {
            if (!row.dead && gone.test(row.tag)) {
                kill(row);
            }
        }
        tidy();
    }

    /** Every running sequence's tag; the batch is left empty (after a failure, say). */
    List<T> clear() {
        List<T> tags = rows.stream().filter(r -> !r.dead).map(r -> r.tag).toList();
        rows.clear();
        live = 0;
        closeCache();
        return tags;
    }

    private List<Row<T>> sample(List<Row<T>> from, float[][] logits, List<Finished<T>> finished) {
        List<Row<T>> going = new ArrayList<>(from.size());
        for (int b = 0; b < from.size(); b++) {
            Row<T> row = from.get(b);
            if (row.sequence.accept(logits[b])) {
                finished.add(new Finished<>(row.tag, row.sequence.output()));
            } else {
                going.add(row);
            }
        }
        return going;
    }

    private void kill(Row<T> row) {
        row.dead = true;
        live--;
        cache.forget(rows.indexOf(row));
    }

    /** The first {@code n} rows of ended sequences, or null when there are fewer. */
    private int[] deadSlots(int n) {
        int[] at = new int[n];
        int found = 0;
        for (int b = 0; b < rows.size() && found < n; b++) {
            if (rows.get(b).dead) {
                at[found++] = b;
            }
        }
        return found == n ? at : null;
    }

    /** Frees the cache when no row runs; compacts it when over a quarter of its rows are dead. */
    private void tidy() {
        if (live == 0) {
            rows.clear();
            closeCache();
        } else if (4 * (rows.size() - live) > rows.size()) {
            long start = System.nanoTime();
            compact();
            model.stats().surgery(System.nanoTime() - start);
        }
    }

    /** Removes the dead rows from the cache, and the columns no running row uses any more. */
    private void compact() {
        if (cache == null || live == rows.size()) {
            return;
        }
        List<Row<T>> going = rows.stream().filter(r -> !r.dead).toList();
        if (going.isEmpty()) {
            rows.clear();
            closeCache();
            return;
        }
        cache.keep(indexes(rows, going));
        cache.trim();
        rows.clear();
        rows.addAll(going);
    }

    /** The positions in {@code all} of the rows of {@code some}, which keeps their order. */
    private static <T> int[] indexes(List<Row<T>> all, List<Row<T>> some) {
        int[] at = new int[some.size()];
        int i = 0;
        for (int b = 0; b < all.size() && i < at.length; b++) {
            if (all.get(b) == some.get(i)) {
                at[i++] = b;
            }
        }
        return at;
    }

    private void closeCache() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
    }

    @Override
    public void close() {
        clear();
    }
}
