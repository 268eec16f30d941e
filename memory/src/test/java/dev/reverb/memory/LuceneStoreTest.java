package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;

class LuceneStoreTest extends MemoryStoreContract {

    @Override
    MemoryStore open(Path folder, int dimension) throws IOException {
        return LuceneStore.open(folder, dimension);
    }

    @Override
    boolean persistent() {
        return true;
    }

    @Test
    void should_record_its_schema_version_and_refuse_another_dimension_when_reopened() throws IOException {
        try (MemoryStore store = filled(open(folder, DIM))) {
            store.commit();
        }
        assertThat(LuceneStore.schemaVersion(folder)).isEqualTo(LuceneStore.SCHEMA_VERSION);
        assertThatThrownBy(() -> LuceneStore.open(folder, 8)).hasMessageContaining("dimension 4, not 8");
    }

    @Test
    void should_record_the_embedding_model_and_refuse_vectors_of_another_one() throws IOException {
        try (MemoryStore store = filled(LuceneStore.open(folder, DIM, "model-a"))) {
            store.commit();
        }
        assertThat(LuceneStore.describe(folder)).isEqualTo(new LuceneStore.Description(LuceneStore.SCHEMA_VERSION, DIM, "model-a"));
        assertThatThrownBy(() -> LuceneStore.open(folder, DIM, "model-b")).hasMessageContaining("embedded with model-a");
        try (LuceneStore store = LuceneStore.openExisting(folder)) {
            assertThat(store.dimension()).isEqualTo(DIM);
            assertThat(store.embedding()).isEqualTo("model-a");
            assertThat(store.get("a")).isPresent();
        }
        assertThatThrownBy(() -> LuceneStore.openExisting(folder.resolve("none"))).hasMessageContaining("no memory store");
    }

    @Test
    void should_refuse_a_store_written_by_a_newer_schema() throws IOException {
        try (FSDirectory dir = FSDirectory.open(folder);
             IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            writer.setLiveCommitData(Map.of("reverb.memory.schema", "99", "reverb.memory.dimension", "4").entrySet());
            writer.commit();
        }
        assertThatThrownBy(() -> LuceneStore.open(folder, DIM)).hasMessageContaining("schema 99, newer than");
    }

    @Test
    void should_open_a_store_from_before_versioning_and_upgrade_it() throws IOException {
        try (FSDirectory dir = FSDirectory.open(folder);
             IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            writer.commit();
        }
        assertThat(LuceneStore.schemaVersion(folder)).isZero();
        try (MemoryStore store = filled(open(folder, DIM))) {
            assertThat(store.get("a")).isPresent();
        }
        assertThat(LuceneStore.schemaVersion(folder)).isEqualTo(LuceneStore.SCHEMA_VERSION);
    }
}
