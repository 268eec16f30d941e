package dev.reverb.runtime.memory;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.reverb.memory.Embedder;

/** Any LangChain4j {@link EmbeddingModel} as the memory's {@link Embedder}. */
public final class LangChain4jEmbedder implements Embedder {

    private final EmbeddingModel model;
    private final int dimension;

    public LangChain4jEmbedder(EmbeddingModel model) {
        this.model = model;
        this.dimension = model.dimension();
    }

    /** The default: all-MiniLM-L6-v2 (384 dimensions), run in process from inside its jar. */
    public static LangChain4jEmbedder miniLm() {
        return new LangChain4jEmbedder(new AllMiniLmL6V2EmbeddingModel());
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] embed(String text) {
        return model.embed(text).content().vector();
    }
}
