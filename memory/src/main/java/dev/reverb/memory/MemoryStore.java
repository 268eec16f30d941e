package dev.reverb.memory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where memory items live, each with its embedding. Implementations are safe for one writer
 * and many concurrent readers. Writes become durable at {@link #commit()}; a write is
 * acknowledged once the commit after it has returned.
 */
public interface MemoryStore extends AutoCloseable {

    /** One retrieved item and its relevance (higher is more relevant; comparable within one search). */
    record Hit(MemoryItem item, double score) {
    }

    /** The embedding dimension every vector of this store has. */
    int dimension();

    /** Adds the item, or replaces the item with the same id. */
    void put(MemoryItem item, float[] vector) throws IOException;

    Optional<MemoryItem> get(String id) throws IOException;

    /** The stored (unit-length) embedding of an item. */
    Optional<float[]> vector(String id) throws IOException;

    /** Removes an item; false when there was none with that id. */
    boolean delete(String id) throws IOException;

    /** The most relevant items for the query, best first, at most {@code query.k()}. */
    List<Hit> search(MemoryQuery query) throws IOException;

    /** Every item the filter admits, in no particular order (for export, stats and pruning). */
    List<MemoryItem> list(MemoryQuery.Filter filter) throws IOException;

    /** Makes every write so far durable. */
    void commit() throws IOException;

    @Override
    void close() throws IOException;
}
