package dev.reverb.memory;

/**
 * Turns text into an embedding for retrieval. The runtime adapts any LangChain4j
 * {@code EmbeddingModel} (by default the in-process all-MiniLM-L6-v2) to this interface.
 */
public interface Embedder {

    /** The length of every vector this embedder returns. */
    int dimension();

    float[] embed(String text);
}
