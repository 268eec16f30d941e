package dev.reverb.memory;

import static dev.reverb.memory.MemoryStoreContract.APPLES;
import static dev.reverb.memory.MemoryStoreContract.filled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, misplaced and read-only stores: each failure is a StoreException naming the store and the cause. */
class StoreDamageTest {

    static final int DIM = MemoryStoreContract.DIM;

    @TempDir
    Path tmp;

    Path store() throws IOException {
        Path folder = tmp.resolve("store");
        filled(LuceneStore.open(folder, DIM, "model-a")).close();
        return folder;
    }

    static Map<String, String> fingerprint(Path folder) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path p : all.toList()) {
                files.put(p.getFileName().toString(), HexFormat.of().formatHex(sha256(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void should_leave_every_file_byte_identical_when_opened_read_only_or_opened_and_left_unchanged() throws IOException {
        Path folder = store();
        Map<String, String> before = fingerprint(folder);

        try (LuceneStore store = LuceneStore.openReadOnly(folder)) {
            assertThat(store.list(MemoryQuery.Filter.ANY)).hasSize(3);
            assertThat(store.get("a")).contains(APPLES);
            assertThat(store.vector("a")).isPresent();
            assertThat(store.search(new MemoryQuery("apples", new float[] {1, 0, 0, 0}, 2, MemoryQuery.Filter.ANY)))
                    .first().satisfies(hit -> assertThat(hit.item().id()).isEqualTo("a"));
            assertThatThrownBy(() -> store.put(APPLES, new float[] {1, 0, 0, 0})).isInstanceOf(StoreException.class)
                    .hasMessageContaining("is open read-only");
            assertThatThrownBy(store::commit).isInstanceOf(StoreException.class);
        }
        assertThat(fingerprint(folder)).isEqualTo(before);
        try (LuceneStore store = LuceneStore.openExisting(folder)) {
            assertThat(store.list(MemoryQuery.Filter.ANY)).hasSize(3);
        }
        assertThat(fingerprint(folder)).as("an open that changes nothing commits nothing").isEqualTo(before);
        try (LuceneStore store = LuceneStore.openReadOnly(folder); LuceneStore writer = LuceneStore.openExisting(folder)) {
            assertThat(store.list(MemoryQuery.Filter.ANY)).as("a reader needs no lock while a writer holds it").hasSize(3);
            assertThat(writer.dimension()).isEqualTo(DIM);
        }
    }

    @Test
    void should_say_a_file_is_not_a_folder_and_name_what_is_missing() throws IOException {
        Path file = Files.writeString(tmp.resolve("memory"), "not a store");

        for (ThrowingOpen open : List.<ThrowingOpen>of(f -> LuceneStore.open(f, DIM), LuceneStore::openExisting,
                LuceneStore::openReadOnly, LuceneStore::describe, StoreCheck::check)) {
            assertThatThrownBy(() -> open.open(file)).isInstanceOf(StoreException.class)
                    .hasMessage(file + " is a file, not a folder: a memory store is a folder (memory.folder)");
        }
        assertThatThrownBy(() -> LuceneStore.open(file.resolve("inner"), DIM)).isInstanceOf(StoreException.class)
                .hasMessage("cannot create the memory folder " + file.resolve("inner") + ": Not a directory");
        assertThatThrownBy(() -> LuceneStore.openReadOnly(tmp.resolve("none"))).isInstanceOf(StoreException.class)
                .hasMessage("no memory store at " + tmp.resolve("none") + ": the folder does not exist");
        Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> LuceneStore.openReadOnly(tmp.resolve("empty")))
                .hasMessage("no memory store at " + tmp.resolve("empty") + ": the folder holds no Reverb memory index");
    }

    @FunctionalInterface
    interface ThrowingOpen {
        Object open(Path folder) throws IOException;
    }

    /** Each way a file can be damaged. */
    static final Map<String, UnaryOperator<byte[]>> DAMAGE = Map.of(
            "a flipped byte", b -> {
                byte[] c = b.clone();
                c[c.length / 2] ^= 0x10;
                return c;
            },
            "cut in half", b -> java.util.Arrays.copyOf(b, b.length / 2),
            "emptied", b -> new byte[0],
            "random bytes", b -> {
                byte[] c = new byte[b.length];
                new Random(b.length).nextBytes(c);
                return c;
            },
            "bytes appended", b -> {
                byte[] c = java.util.Arrays.copyOf(b, b.length + 5);
                c[b.length] = 42;
                return c;
            });

    @Test
    void should_refuse_with_the_file_and_cause_when_any_file_of_the_store_is_damaged_in_any_way() throws IOException {
        Path folder = store();
        List<String> names = new ArrayList<>(fingerprint(folder).keySet());
        names.remove("write.lock");
        assertThat(names).isNotEmpty();
        List<String> seen = new ArrayList<>();
        for (String name : names) {
            Path file = folder.resolve(name);
            byte[] intact = Files.readAllBytes(file);
            for (Map.Entry<String, UnaryOperator<byte[]>> damage : DAMAGE.entrySet()) {
                Files.write(file, damage.getValue().apply(intact));
                for (ThrowingOpen open : List.<ThrowingOpen>of(LuceneStore::openReadOnly, f -> LuceneStore.open(f, DIM),
                        StoreCheck::check)) {
                    assertThatThrownBy(() -> open.open(folder)).as(name + " " + damage.getKey())
                            .isInstanceOf(StoreException.class)
                            .hasMessageStartingWith("the memory store at " + folder + " is damaged: ")
                            .hasMessageContaining("run `reverb memory check " + folder + "`");
                }
                seen.add(name + " " + damage.getKey());
            }
            Files.delete(file);
            assertThatThrownBy(() -> LuceneStore.openReadOnly(folder)).as(name + " deleted")
                    .isInstanceOf(StoreException.class).hasMessageContaining("is damaged");
            assertThatThrownBy(() -> LuceneStore.open(folder, DIM)).as(name + " deleted")
                    .isInstanceOf(StoreException.class).hasMessageContaining("is damaged");
            Files.write(file, intact);
        }
        assertThat(LuceneStore.openReadOnly(folder).list(MemoryQuery.Filter.ANY)).hasSize(3);
        assertThat(seen).hasSize(names.size() * DAMAGE.size());
    }

    @Test
    void should_name_the_file_and_say_the_checksum_fails_when_a_byte_in_the_middle_changed() throws IOException {
        Path folder = store();
        String biggest = fingerprint(folder).keySet().stream().filter(n -> n.startsWith("_"))
                .max(java.util.Comparator.comparingLong(n -> folder.resolve(n).toFile().length())).orElseThrow();
        byte[] bytes = Files.readAllBytes(folder.resolve(biggest));
        bytes[bytes.length / 2] ^= 1;
        Files.write(folder.resolve(biggest), bytes);

        assertThatThrownBy(() -> LuceneStore.openReadOnly(folder)).hasMessage("the memory store at " + folder
                + " is damaged: " + biggest + ": its checksum does not match (the bytes were changed after it was"
                + " written); run `reverb memory check " + folder + "` to verify every file, and restore the folder"
                + " from a backup or an export");
    }

    @Test
    void should_check_only_footers_above_the_size_limit_and_every_byte_in_a_full_check() throws IOException {
        Path folder = store();
        try (FSDirectory dir = FSDirectory.open(folder)) {
            StoreCheck.Result quick = StoreCheck.verify(folder, dir, 0);
            assertThat(quick.full()).isFalse();
            assertThat(quick.bytes()).isPositive();
        }
        assertThat(StoreCheck.check(folder).full()).isTrue();
        String data = fingerprint(folder).keySet().stream().filter(n -> n.endsWith(".cfs")).findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(folder.resolve(data));
        bytes[bytes.length / 2] ^= 1;
        Files.write(folder.resolve(data), bytes);
        try (FSDirectory dir = FSDirectory.open(folder)) {
            assertThat(StoreCheck.verify(folder, dir, 0).full()).as("a footer check misses a changed byte").isFalse();
        }
        assertThatThrownBy(() -> StoreCheck.check(folder)).hasMessageContaining(data + ": its checksum does not match");
        Files.write(folder.resolve(data), java.util.Arrays.copyOf(bytes, bytes.length - 3));
        try (FSDirectory dir = FSDirectory.open(folder)) {
            assertThatThrownBy(() -> StoreCheck.verify(folder, dir, 0)).hasMessageContaining(data + ": its end is not a Lucene footer");
        }
    }

    @Test
    void should_refuse_segment_files_without_a_commit_instead_of_starting_afresh_over_them() throws IOException {
        Path folder = store();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) {
                Files.delete(p);
            }
        }
        assertThatThrownBy(() -> LuceneStore.open(folder, DIM)).isInstanceOf(StoreException.class)
                .hasMessageContaining("is damaged: it holds index files").hasMessageContaining("no segments_N commit file");
        assertThat(Files.list(folder).map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("_"));
    }

    @Test
    void should_refuse_a_stored_vector_of_the_wrong_size_with_a_message() throws IOException {
        Path folder = tmp.resolve("odd");
        try (FSDirectory dir = FSDirectory.open(folder); IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            Document doc = new Document();
            doc.add(new StringField("id", "odd", Field.Store.YES));
            doc.add(new StringField("kind", "CONCEPT", Field.Store.YES));
            doc.add(new StringField("scope", "global", Field.Store.YES));
            doc.add(new TextField("text", "three floats", Field.Store.YES));
            doc.add(new StoredField("created", 1_700_000_000_000L));
            doc.add(new StoredField("tags", "{}"));
            doc.add(new BinaryDocValuesField("vec", new BytesRef(new byte[12])));
            writer.addDocument(doc);
            writer.setLiveCommitData(Map.of("reverb.memory.schema", "2", "reverb.memory.dimension", "4").entrySet());
            writer.commit();
        }
        try (LuceneStore store = LuceneStore.openReadOnly(folder)) {
            assertThatThrownBy(() -> store.search(new MemoryQuery("", new float[] {1, 0, 0, 0}, 1, MemoryQuery.Filter.ANY)))
                    .isInstanceOf(StoreException.class).hasMessageContaining("has 12 bytes, not 16");
        }
    }

    @Test
    void should_read_an_older_schema_as_it_is_when_read_only_and_upgrade_it_only_when_writing() throws IOException {
        Path folder = tmp.resolve("old");
        try (FSDirectory dir = FSDirectory.open(folder); IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            writer.setLiveCommitData(Map.of("reverb.memory.schema", "1", "reverb.memory.dimension", "4").entrySet());
            writer.commit();
        }
        Map<String, String> before = fingerprint(folder);
        try (LuceneStore store = LuceneStore.openReadOnly(folder)) {
            assertThat(store.schema()).isEqualTo(1);
        }
        assertThat(fingerprint(folder)).isEqualTo(before);
        try (LuceneStore store = LuceneStore.openExisting(folder)) {
            assertThat(store.schema()).isEqualTo(LuceneStore.SCHEMA_VERSION);
        }
        assertThat(LuceneStore.schemaVersion(folder)).isEqualTo(LuceneStore.SCHEMA_VERSION);
    }

    @Test
    void should_say_the_store_is_in_use_when_another_writer_holds_it() throws IOException {
        Path folder = store();
        try (LuceneStore first = LuceneStore.openExisting(folder)) {
            assertThatThrownBy(() -> LuceneStore.open(folder, DIM)).isInstanceOf(StoreException.class)
                    .hasMessage("the memory store at " + folder + " is in use by another process or run (its write lock"
                            + " is held); try again when it ends");
            assertThat(first.get("a")).isPresent();
        }
    }
}
