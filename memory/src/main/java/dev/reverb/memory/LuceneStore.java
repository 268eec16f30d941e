package dev.reverb.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
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
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The persistent store: one Apache Lucene index holding each item's stored fields, its text for
 * BM25 and its embedding (searched by {@link VectorScan}), in a folder on disk. Lucene commits are
 * atomic, so a process killed at any point leaves the index as of its last commit;
 * {@link #commit()} is the durability point. The index records its schema version and embedding dimension in its commit
 * data: a store from an older Reverb opens (and is upgraded) in a newer one, a newer one is refused.
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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() { };

    private static final String ID = "id";
    private static final String KIND = "kind";
    private static final String SCOPE = "scope";
    private static final String TEXT = "text";
    private static final String CREATED = "created";
    private static final String TAGS_JSON = "tags";
    private static final String TAG_PREFIX = "tag.";

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

    private final int dimension;
    private final String embedding;
    private final Tuning tuning;
    private final VectorScan scan;
    private final FSDirectory directory;
    private final Analyzer analyzer = new StandardAnalyzer();
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** Set by writes; the next read refreshes its view first (refreshing on every write would flush tiny segments). */
    private volatile boolean stale;

    private LuceneStore(Path folder, int dimension, String embedding, Tuning tuning) throws IOException {
        this.dimension = dimension;
        this.tuning = tuning;
        this.scan = new VectorScan(dimension);
        Description found = describe(folder);
        if (found.schema() > SCHEMA_VERSION) {
            throw new IOException("the memory store at " + folder + " has schema " + found.schema()
                    + ", newer than this Reverb's " + SCHEMA_VERSION + "; use a newer Reverb");
        }
        if (found.dimension() > 0 && found.dimension() != dimension) {
            throw new IOException("the memory store at " + folder + " holds embeddings of dimension "
                    + found.dimension() + ", not " + dimension + " (was it made with another embedding model?)");
        }
        if (!found.embedding().isEmpty() && !embedding.isEmpty() && !found.embedding().equals(embedding)) {
            throw new IOException("the memory store at " + folder + " was embedded with " + found.embedding()
                    + ", not " + embedding + "; vectors of different models cannot be compared");
        }
        this.embedding = embedding.isEmpty() ? found.embedding() : embedding;
        Files.createDirectories(folder);
        this.directory = FSDirectory.open(folder);
        this.writer = new IndexWriter(directory, new IndexWriterConfig(analyzer)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(256));
        writer.setLiveCommitData(Map.of(SCHEMA_KEY, Integer.toString(SCHEMA_VERSION),
                DIMENSION_KEY, Integer.toString(dimension), EMBEDDING_KEY, this.embedding).entrySet());
        this.searchers = new SearcherManager(writer, null);
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
     * Opens the store in {@code folder}, creating it when empty.
     *
     * @param embedding the embedding model's name, recorded and checked on later opens; empty to skip
     * @throws IOException when the folder holds a store of a newer schema, another dimension or
     *                     another embedding model
     */
    public static LuceneStore open(Path folder, int dimension, String embedding) throws IOException {
        return open(folder, dimension, embedding, Tuning.DEFAULT);
    }

    /** {@link #open(Path, int, String)} with a vector index tuned otherwise. */
    public static LuceneStore open(Path folder, int dimension, String embedding, Tuning tuning) throws IOException {
        return new LuceneStore(folder, dimension, embedding, tuning);
    }

    /** {@link #open(Path, int, String)} without recording an embedding model. */
    public static LuceneStore open(Path folder, int dimension) throws IOException {
        return open(folder, dimension, "");
    }

    /** Opens a store that exists, with its own dimension and embedding model. */
    public static LuceneStore openExisting(Path folder) throws IOException {
        Description found = describe(folder);
        if (found.dimension() == 0) {
            throw new IOException("no memory store at " + folder);
        }
        return open(folder, found.dimension(), found.embedding());
    }

    /** Reads a folder's store description without opening it; all zero and empty when there is no store. */
    public static Description describe(Path folder) throws IOException {
        Map<String, String> data = commitData(folder);
        return new Description(Integer.parseInt(data.getOrDefault(SCHEMA_KEY, "0")),
                Integer.parseInt(data.getOrDefault(DIMENSION_KEY, "0")), data.getOrDefault(EMBEDDING_KEY, ""));
    }

    /** The schema version of the store in a folder, 0 when there is none yet. */
    public static int schemaVersion(Path folder) throws IOException {
        return describe(folder).schema();
    }

    /** The name of the embedding model this store's vectors come from, empty when unknown. */
    public String embedding() {
        return embedding;
    }

    private static Map<String, String> commitData(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return Map.of();
        }
        try (FSDirectory dir = FSDirectory.open(folder)) {
            if (!DirectoryReader.indexExists(dir)) {
                return Map.of();
            }
            return SegmentInfos.readLatestCommit(dir).getUserData();
        }
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void put(MemoryItem item, float[] vector) throws IOException {
        Document doc = new Document();
        doc.add(new StringField(ID, item.id(), Field.Store.YES));
        doc.add(new StringField(KIND, item.kind().name(), Field.Store.YES));
        doc.add(new StringField(SCOPE, item.scope(), Field.Store.YES));
        doc.add(new TextField(TEXT, item.text(), Field.Store.YES));
        doc.add(new StoredField(CREATED, item.createdAt().toEpochMilli()));
        doc.add(new StoredField(TAGS_JSON, JSON.writeValueAsString(item.tags())));
        item.tags().forEach((k, v) -> doc.add(new StringField(TAG_PREFIX + k, v, Field.Store.NO)));
        doc.add(new BinaryDocValuesField(VectorScan.FIELD, new BytesRef(VectorScan.encode(Vectors.unit(vector, dimension)))));
        writer.updateDocument(new Term(ID, item.id()), doc);
        stale = true;
    }

    @Override
    public Optional<MemoryItem> get(String id) throws IOException {
        IndexSearcher searcher = acquire();
        try {
            TopDocs top = searcher.search(new TermQuery(new Term(ID, id)), 1);
            return top.scoreDocs.length == 0 ? Optional.empty()
                    : Optional.of(item(searcher.storedFields().document(top.scoreDocs[0].doc)));
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
        boolean existed = get(id).isPresent();
        writer.deleteDocuments(new Term(ID, id));
        stale = true;
        return existed;
    }

    @Override
    public List<Hit> search(MemoryQuery query) throws IOException {
        Query filter = filter(query.filter());
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
            Query text = textQuery(query.text());
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
            for (ScoreDoc d : searcher.search(filter(filter), total).scoreDocs) {
                items.add(item(searcher.storedFields().document(d.doc)));
            }
            return items;
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public void commit() throws IOException {
        writer.commit();
    }

    @Override
    public void close() throws IOException {
        try {
            writer.commit();
            searchers.close();
            writer.close();
        } finally {
            directory.close();
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
            hits.add(new Hit(item(searcher.storedFields().document(d.doc)), d.score));
        }
        return hits;
    }

    private static Query filter(MemoryQuery.Filter f) {
        BooleanQuery.Builder all = new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST);
        if (!f.kinds().isEmpty()) {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            f.kinds().forEach(k -> any.add(new TermQuery(new Term(KIND, k.name())), BooleanClause.Occur.SHOULD));
            all.add(any.build(), BooleanClause.Occur.FILTER);
        }
        if (!f.scopes().isEmpty()) {
            BooleanQuery.Builder any = new BooleanQuery.Builder();
            f.scopes().forEach(s -> any.add(new TermQuery(new Term(SCOPE, s)), BooleanClause.Occur.SHOULD));
            all.add(any.build(), BooleanClause.Occur.FILTER);
        }
        f.tags().forEach((k, v) -> all.add(new TermQuery(new Term(TAG_PREFIX + k, v)), BooleanClause.Occur.FILTER));
        return all.build();
    }

    /** The analysed words of the text as a disjunction of term queries (BM25), or null when there are none. */
    private Query textQuery(String text) throws IOException {
        if (text.isBlank()) {
            return null;
        }
        BooleanQuery.Builder words = new BooleanQuery.Builder();
        int count = 0;
        try (TokenStream tokens = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken() && count < IndexSearcher.getMaxClauseCount()) {
                words.add(new TermQuery(new Term(TEXT, term.toString())), BooleanClause.Occur.SHOULD);
                count++;
            }
            tokens.end();
        }
        return count == 0 ? null : words.build();
    }

    private static MemoryItem item(Document doc) {
        Map<String, String> tags;
        try {
            tags = JSON.readValue(doc.get(TAGS_JSON), TAGS);
        } catch (JsonProcessingException e) {
            tags = new HashMap<>();
        }
        return new MemoryItem(doc.get(ID), MemoryKind.valueOf(doc.get(KIND)), doc.get(SCOPE), doc.get(TEXT),
                Instant.ofEpochMilli(doc.getField(CREATED).numericValue().longValue()), tags);
    }
}
