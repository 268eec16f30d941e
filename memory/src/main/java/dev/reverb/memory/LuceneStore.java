package dev.reverb.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * The persistent store: one Apache Lucene index holding each item's stored fields, its text for
 * BM25 and its embedding (searched by {@link VectorScan}), in a folder on disk. Lucene commits are
 * atomic, so a process killed at any point leaves the index as of its last commit;
 * {@link #commit()} is the durability point. The index records its schema version and embedding dimension in its commit
 * data: a store from an older Reverb opens (and is upgraded) in a newer one, a newer one is refused. Every open
 * verifies the store's files against their checksums first ({@link StoreCheck}); {@link #openReadOnly} writes
 * nothing at all, and an open that changes nothing commits nothing. Every failure is a {@link StoreException}
 * whose message names the store and the cause.
 */
public final class LuceneStore implements MemoryStore {

    /**
     * The schema this code writes. Version 1 held vectors in an HNSW field; version 2 holds them
     * as binary doc values searched by {@link VectorScan}. Both are read.
     */
    public static final int SCHEMA_VERSION = 2;

    private static final String SCHEMA_KEY = "reverb.memory.schema";
    private static final String DIMENSION_KEY = "reverb.memory.dimension";
    private static final String EMBEDDING_KEY = "reverb.memory.embedding";
    private static final String ID = ItemDocuments.ID;

    /**
     * How vector search trades speed for recall.
     *
     * @param candidates vectors kept by the first, quantized pass of each search and re-ranked;
     *                   0 (the default) keeps {@code max(2000, 10 sqrt(n))} of n searchable
     *                   vectors, so a store of up to 2000 items is searched exactly
     */
    public record Tuning(int candidates) {
        public static final Tuning DEFAULT = new Tuning(0);

        public Tuning {
            if (candidates < 0) {
                throw new IllegalArgumentException("candidates must be >= 0, was " + candidates);
            }
        }

        int candidatesFor(long searchable) {
            return candidates > 0 ? candidates : (int) Math.max(2000, Math.ceil(10 * Math.sqrt(searchable)));
        }
    }

    private final Path folder;
    private final int schema;
    private final int dimension;
    private final String embedding;
    private final Tuning tuning;
    private final VectorScan scan;
    private final FSDirectory directory;
    private final Analyzer analyzer = new StandardAnalyzer();
    /** Null when the store was opened read-only. */
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** Set by writes; the next read refreshes its view first (refreshing on every write would flush tiny segments). */
    private volatile boolean stale;

    private LuceneStore(Path folder, Description found, int dimension, String embedding, Tuning tuning, boolean readOnly)
            throws IOException {
        this.folder = folder;
        this.schema = readOnly ? found.schema() : SCHEMA_VERSION;
        this.dimension = dimension;
        this.tuning = tuning;
        this.scan = new VectorScan(dimension);
        if (dimension < 1) {
            throw new StoreException("the memory store at " + folder + " needs an embedding dimension of at least 1, not "
                    + dimension);
        }
        if (found.schema() > SCHEMA_VERSION) {
            throw new StoreException("the memory store at " + folder + " has schema " + found.schema()
                    + ", newer than this Reverb's " + SCHEMA_VERSION + "; use a newer Reverb");
        }
        if (found.dimension() > 0 && found.dimension() != dimension) {
            throw new StoreException("the memory store at " + folder + " holds embeddings of dimension "
                    + found.dimension() + ", not " + dimension + " (was it made with another embedding model?)");
        }
        if (!found.embedding().isEmpty() && !embedding.isEmpty() && !found.embedding().equals(embedding)) {
            throw new StoreException("the memory store at " + folder + " was embedded with " + found.embedding()
                    + ", not " + embedding + "; vectors of different models cannot be compared");
        }
        this.embedding = embedding.isEmpty() ? found.embedding() : embedding;
        if (!readOnly) {
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new StoreException("cannot create the memory folder " + folder + ": " + StoreCheck.reason(e), e);
            }
        }
        FSDirectory dir = FSDirectory.open(folder);
        IndexWriter w = null;
        try {
            if (readOnly) {
                this.searchers = new SearcherManager(DirectoryReader.open(dir), null);
            } else {
                w = new IndexWriter(dir, new IndexWriterConfig(analyzer)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                        .setRAMBufferSizeMB(256));
                Description wanted = new Description(SCHEMA_VERSION, dimension, this.embedding);
                if (!wanted.equals(found)) { // a commit data change is a change: set it only when needed
                    w.setLiveCommitData(Map.of(SCHEMA_KEY, Integer.toString(SCHEMA_VERSION),
                            DIMENSION_KEY, Integer.toString(dimension), EMBEDDING_KEY, this.embedding).entrySet());
                }
                this.searchers = new SearcherManager(w, null);
            }
        } catch (IOException | RuntimeException e) {
            try {
                if (w != null) {
                    w.rollback();
                }
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            dir.close();
            throw StoreCheck.openFailed(folder, e);
        }
        this.directory = dir;
        this.writer = w;
    }

    /**
     * What a folder holds.
     *
     * @param schema    the store's schema version, 0 when there is no store (or one from before versioning)
     * @param dimension its embedding dimension, 0 when unknown
     * @param embedding the name of the embedding model that made its vectors, empty when unknown
     */
    public record Description(int schema, int dimension, String embedding) {
    }

    /**
     * Opens the store in {@code folder}, creating it when empty. The files of the store are verified
     * first ({@link StoreCheck}).
     *
     * @param embedding the embedding model's name, recorded and checked on later opens; empty to skip
     * @throws StoreException when the folder is a file, holds a damaged store, a store of a newer schema,
     *                        another dimension or another embedding model, or a run holds it
     */
    public static LuceneStore open(Path folder, int dimension, String embedding) throws IOException {
        return open(folder, dimension, embedding, Tuning.DEFAULT);
    }

    /** {@link #open(Path, int, String)} with a vector index tuned otherwise. */
    public static LuceneStore open(Path folder, int dimension, String embedding, Tuning tuning) throws IOException {
        return new LuceneStore(folder, describe(folder), dimension, embedding, tuning, false);
    }

    /** {@link #open(Path, int, String)} without recording an embedding model. */
    public static LuceneStore open(Path folder, int dimension) throws IOException {
        return open(folder, dimension, "");
    }

    /** Opens a store that exists, with its own dimension and embedding model. */
    public static LuceneStore openExisting(Path folder) throws IOException {
        Description found = existing(folder);
        return new LuceneStore(folder, found, found.dimension(), found.embedding(), Tuning.DEFAULT, false);
    }

    /**
     * Opens a store that exists for reading only: no lock is taken and nothing in the folder is
     * written (its files are byte for byte the same after {@link #close()}); a run may hold it meanwhile.
     * {@link #put}, {@link #delete} and {@link #commit} throw {@link StoreException}.
     */
    public static LuceneStore openReadOnly(Path folder) throws IOException {
        Description found = existing(folder);
        return new LuceneStore(folder, found, found.dimension(), found.embedding(), Tuning.DEFAULT, true);
    }

    private static Description existing(Path folder) throws IOException {
        Description found = describe(folder);
        if (found.dimension() == 0) {
            throw new StoreException("no memory store at " + folder + ": " + (Files.exists(folder)
                    ? "the folder holds no Reverb memory index" : "the folder does not exist"));
        }
        return found;
    }

    /**
     * Reads a folder's store description without opening it; all zero and empty when there is no
     * store. The store's files are verified ({@link StoreCheck}).
     *
     * @throws StoreException when {@code folder} is a file or the store in it is damaged
     */
    public static Description describe(Path folder) throws IOException {
        Map<String, String> data = commitData(folder);
        try {
            return new Description(Integer.parseInt(data.getOrDefault(SCHEMA_KEY, "0")),
                    Integer.parseInt(data.getOrDefault(DIMENSION_KEY, "0")), data.getOrDefault(EMBEDDING_KEY, ""));
        } catch (NumberFormatException e) {
            throw new StoreException("the memory store at " + folder + " has an unreadable description " + data
                    + " in its commit", e);
        }
    }

    /** The schema version of the store in a folder, 0 when there is none yet. */
    public static int schemaVersion(Path folder) throws IOException {
        return describe(folder).schema();
    }

    /** The schema of the store as open: its own when read-only, {@link #SCHEMA_VERSION} once a writer has it. */
    public int schema() {
        return schema;
    }

    /** The name of the embedding model this store's vectors come from, empty when unknown. */
    public String embedding() {
        return embedding;
    }

    private static Map<String, String> commitData(Path folder) throws IOException {
        StoreCheck.requireFolder(folder);
        if (!Files.isDirectory(folder)) {
            return Map.of();
        }
        try (FSDirectory dir = FSDirectory.open(folder)) {
            if (StoreCheck.verify(folder, dir, StoreCheck.FULL_CHECK_BYTES) == null) {
                return Map.of();
            }
            try {
                return SegmentInfos.readLatestCommit(dir).getUserData();
            } catch (IOException | RuntimeException e) {
                throw StoreCheck.damaged(folder, StoreCheck.fileOf(e, "the commit"), e);
            }
        }
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void put(MemoryItem item, float[] vector) throws IOException {
        writable();
        writer.updateDocument(new Term(ID, item.id()), ItemDocuments.document(item, Vectors.unit(vector, dimension)));
        stale = true;
    }

    @Override
    public Optional<MemoryItem> get(String id) throws IOException {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(new TermQuery(new Term(ID, id)), 1);
            return top.scoreDocs.length == 0 ? Optional.empty()
                    : Optional.of(ItemDocuments.item(searcher.storedFields().document(top.scoreDocs[0].doc)));
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public Optional<float[]> vector(String id) throws IOException {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(new TermQuery(new Term(ID, id)), 1);
            if (top.scoreDocs.length == 0) {
                return Optional.empty();
            }
            int doc = top.scoreDocs[0].doc;
            LeafReaderContext leaf = searcher.getIndexReader().leaves()
                    .get(ReaderUtil.subIndex(doc, searcher.getIndexReader().leaves()));
            return Optional.ofNullable(scan.vector(leaf.reader(), doc - leaf.docBase));
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public boolean delete(String id) throws IOException {
        writable();
        boolean existed = get(id).isPresent();
        writer.deleteDocuments(new Term(ID, id));
        stale = true;
        return existed;
    }

    @Override
    public List<Hit> search(MemoryQuery query) throws IOException {
        Query filter = ItemDocuments.filter(query.filter());
        IndexSearcher searcher = acquire();
        try {
            List<Hit> byVector = null;
            if (query.vector() != null) {
                float[] target = Vectors.unit(query.vector(), dimension);
                boolean everything = query.filter().kinds().isEmpty() && query.filter().scopes().isEmpty()
                        && query.filter().tags().isEmpty();
                byVector = hits(searcher, scan.search(searcher, target, query.k(), everything ? null : filter,
                        n -> Math.max(query.k(), tuning.candidatesFor(n))));
            }
            List<Hit> byText = null;
            Query text = ItemDocuments.textQuery(analyzer, query.text());
            if (text != null) {
                BooleanQuery filtered = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST)
                        .add(filter, BooleanClause.Occur.FILTER).build();
                byText = hits(searcher, searcher.search(filtered, query.k()));
            } else if (byVector == null) {
                byText = List.of();
            }
            return Fusion.fuse(byVector, byText, query.k());
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public List<MemoryItem> list(MemoryQuery.Filter filter) throws IOException {
        IndexSearcher searcher = acquire();
        try {
            List<MemoryItem> items = new ArrayList<>();
            int total = Math.max(1, searcher.getIndexReader().numDocs());
            for (ScoreDoc d : searcher.search(ItemDocuments.filter(filter), total).scoreDocs) {
                items.add(ItemDocuments.item(searcher.storedFields().document(d.doc)));
            }
            return items;
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public void commit() throws IOException {
        writable();
        writer.commit();
    }

    @Override
    public void close() throws IOException {
        try {
            if (writer != null) {
                writer.commit();
            }
            searchers.close();
            if (writer != null) {
                writer.close();
            }
        } finally {
            directory.close();
        }
    }

    private void writable() throws StoreException {
        if (writer == null) {
            throw new StoreException("the memory store at " + folder + " is open read-only");
        }
    }

    private IndexSearcher acquire() throws IOException {
        if (stale) {
            stale = false;
            searchers.maybeRefreshBlocking();
        }
        return searchers.acquire();
    }

    private static List<Hit> hits(IndexSearcher searcher, TopDocs top) throws IOException {
        return hits(searcher, List.of(top.scoreDocs));
    }

    private static List<Hit> hits(IndexSearcher searcher, List<ScoreDoc> docs) throws IOException {
        List<Hit> hits = new ArrayList<>(docs.size());
        for (ScoreDoc d : docs) {
            hits.add(new Hit(ItemDocuments.item(searcher.storedFields().document(d.doc)), d.score));
        }
        return hits;
    }
}
