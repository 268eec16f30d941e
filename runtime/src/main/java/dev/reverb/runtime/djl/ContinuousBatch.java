package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Continuous batching: a fixed number of slots (the rows of one {@link KvCache}) decoded one token
 * per step together. A sequence that ends (end-of-sequence token, stop condition, token limit)
 * leaves its slot at once; sequences waiting for a slot are prefilled together and join at the
 * next step, right-aligned with the running rows, each with its own RoPE positions and a mask
 * that hides every other sequence's columns. A sequence's tokens therefore do not depend on what
 * shares its steps. Not thread-safe: one thread drives it, like the model.
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

    private record Row<T>(Sequence sequence, T tag) {
    }

    private final LlamaModel model;
    private final int slots;
    private final List<Row<T>> rows = new ArrayList<>();
    private KvCache cache;
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
        return rows.size();
    }

    /** Slots free for new sequences. */
    int free() {
        return slots - rows.size();
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
            float[][] logits = Generator.prefill(model, fresh, entries.stream().map(Entry::prompt).toList());
            forwards++;
            List<Finished<T>> finished = new ArrayList<>();
            List<Row<T>> going = sample(joining, logits, finished);
            if (going.isEmpty()) {
                fresh.close();
                return finished;
            }
            fresh.keep(indexes(joining, going));
            if (cache == null) {
                cache = fresh;
            } else {
                cache.merge(fresh);
            }
            fresh = null;
            rows.addAll(going);
            return finished;
        } finally {
            if (fresh != null && fresh != cache) {
                fresh.close();
            }
        }
    }

    /** Decodes one token for every running sequence; returns those that ended. */
    List<Finished<T>> step() {
        if (rows.isEmpty()) {
            return List.of();
        }
        int[][] next = new int[rows.size()][1];
        boolean[][] feed = new boolean[rows.size()][1];
        for (int b = 0; b < rows.size(); b++) {
            next[b][0] = rows.get(b).sequence().last();
            feed[b][0] = true;
        }
        float[][] logits = model.forward(cache, next, feed);
        forwards++;
        List<Finished<T>> finished = new ArrayList<>();
        List<Row<T>> going = sample(rows, logits, finished);
        retain(going);
        return finished;
    }

    /** Drops the running sequences whose tag matches (their callers gave up), freeing their slots. */
    void drop(Predicate<T> gone) {
        List<Row<T>> going = rows.stream().filter(r -> !gone.test(r.tag())).toList();
        if (going.size() != rows.size()) {
            retain(going);
        }
    }

    /** Every running sequence's tag; the batch is left empty (after a failure, say). */
    List<T> clear() {
        List<T> tags = rows.stream().map(Row::tag).toList();
        rows.clear();
        closeCache();
        return tags;
    }

    private List<Row<T>> sample(List<Row<T>> from, float[][] logits, List<Finished<T>> finished) {
        List<Row<T>> going = new ArrayList<>(from.size());
        for (int b = 0; b < from.size(); b++) {
            Row<T> row = from.get(b);
            if (row.sequence().accept(logits[b])) {
                finished.add(new Finished<>(row.tag(), row.sequence().output()));
            } else {
                going.add(row);
            }
        }
        return going;
    }

    private void retain(List<Row<T>> going) {
        if (going.isEmpty()) {
            rows.clear();
            closeCache();
            return;
        }
        if (going.size() != rows.size()) {
            cache.keep(indexes(rows, going));
            cache.trim();
            rows.clear();
            rows.addAll(going);
        }
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
