package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
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

    static float[] random(java.util.Random random, int dimension) {
        float[] v = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    @Test
    void should_find_nearly_every_true_neighbour_when_the_quantized_first_pass_keeps_few_candidates() throws IOException {
        int dimension = 48;
        java.util.Random random = new java.util.Random(5);
        try (MemoryStore approximate = LuceneStore.open(folder, dimension, "", new LuceneStore.Tuning(150));
             MemoryStore exact = new InMemoryStore(dimension)) {
            for (int i = 0; i < 3000; i++) {
                float[] v = random(random, dimension);
                MemoryItem item = item("i" + i, i % 3 == 0 ? MemoryKind.CONCEPT : MemoryKind.EXPERIENTIAL, "team", "x",
                        Map.of());
                approximate.put(item, v);
                exact.put(item, v);
            }
            approximate.commit();
            double found = 0;
            double foundFiltered = 0;
            MemoryQuery.Filter concepts = new MemoryQuery.Filter(java.util.Set.of(MemoryKind.CONCEPT), java.util.Set.of(),
                    Map.of());
            for (int q = 0; q < 40; q++) {
                float[] probe = random(random, dimension);
                List<String> truth = ids(exact.search(new MemoryQuery("", probe, 10, MemoryQuery.Filter.ANY)));
                found += ids(approximate.search(new MemoryQuery("", probe, 10, MemoryQuery.Filter.ANY))).stream()
                        .filter(truth::contains).count();
                List<String> truthFiltered = ids(exact.search(new MemoryQuery("", probe, 10, concepts)));
                List<MemoryStore.Hit> filtered = approximate.search(new MemoryQuery("", probe, 10, concepts));
                assertThat(filtered).hasSize(10).allMatch(h -> h.item().kind() == MemoryKind.CONCEPT);
                foundFiltered += ids(filtered).stream().filter(truthFiltered::contains).count();
            }
            assertThat(found / 400).isGreaterThan(0.9);
            assertThat(foundFiltered / 400).isGreaterThan(0.9);
        }
    }

    @Test
    void should_read_search_and_extend_a_schema_1_store_whose_vectors_are_in_an_hnsw_field() throws IOException {
        try (FSDirectory dir = FSDirectory.open(folder);
             IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            Document doc = new Document();
            doc.add(new StringField("id", "old", Field.Store.YES));
            doc.add(new StringField("kind", "CONCEPT", Field.Store.YES));
            doc.add(new StringField("scope", "global", Field.Store.YES));
            doc.add(new TextField("text", "Check units before adding", Field.Store.YES));
            doc.add(new StoredField("created", 1_700_000_000_000L));
            doc.add(new StoredField("tags", "{}"));
            doc.add(new KnnFloatVectorField("vector", new float[] {0, 0, 1, 0}, VectorSimilarityFunction.DOT_PRODUCT));
            writer.addDocument(doc);
            writer.setLiveCommitData(Map.of("reverb.memory.schema", "1", "reverb.memory.dimension", "4").entrySet());
            writer.commit();
        }
        try (MemoryStore store = LuceneStore.open(folder, DIM)) {
            assertThat(store.vector("old").orElseThrow()).containsExactly(0, 0, 1, 0);
            store.put(APPLES, new float[] {1, 0, 0, 0});
            store.commit();
            assertThat(ids(store.search(new MemoryQuery("", new float[] {0, 0.1f, 1, 0}, 2, MemoryQuery.Filter.ANY))))
                    .containsExactly("old", "a");
            assertThat(ids(store.search(new MemoryQuery("", new float[] {1, 0, 0.1f, 0}, 2, MemoryQuery.Filter.ANY))))
                    .containsExactly("a", "old");
        }
        assertThat(LuceneStore.schemaVersion(folder)).isEqualTo(LuceneStore.SCHEMA_VERSION);
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
