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
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;

/**
 * The persistent store: one Apache Lucene index holding each item's stored fields, its text for
 * BM25 and its embedding in an HNSW graph, in a folder on disk. Lucene commits are atomic, so a
 * process killed at any point leaves the index as of its last commit; {@link #commit()} is the
 * durability point. The index records its schema version and embedding dimension in its commit
 * data: a store from an older Reverb opens (and is upgraded) in a newer one, a newer one is refused.
 */
public final class LuceneStore implements MemoryStore {

    /** The schema this code writes. Version 1: the fields below. */
    public static final int SCHEMA_VERSION = 1;

    private static final String SCHEMA_KEY = "reverb.memory.schema";
    private static final String DIMENSION_KEY = "reverb.memory.dimension";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() { };

    private static final String ID = "id";
    private static final String KIND = "kind";
    private static final String SCOPE = "scope";
    private static final String TEXT = "text";
    private static final String CREATED = "created";
    private static final String TAGS_JSON = "tags";
    private static final String TAG_PREFIX = "tag.";
    private static final String VECTOR = "vector";

    private final int dimension;
    private final FSDirectory directory;
    private final Analyzer analyzer = new StandardAnalyzer();
    private final IndexWriter writer;
    private final SearcherManager searchers;

    private LuceneStore(Path folder, int dimension) throws IOException {
        this.dimension = dimension;
        Files.createDirectories(folder);
        this.directory = FSDirectory.open(folder);
        int stored = storedDimension(folder);
        if (stored > 0 && stored != dimension) {
            directory.close();
            throw new IOException("the memory store at " + folder + " holds embeddings of dimension " + stored
                    + ", not " + dimension + " (was it made with another embedding model?)");
        }
        this.writer = new IndexWriter(directory, new IndexWriterConfig(analyzer)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
        writer.setLiveCommitData(Map.of(SCHEMA_KEY, Integer.toString(SCHEMA_VERSION),
                DIMENSION_KEY, Integer.toString(dimension)).entrySet());
        this.searchers = new SearcherManager(writer, null);
    }

    /**
     * Opens the store in {@code folder}, creating it when empty.
     *
     * @throws IOException when the folder holds a store of a newer schema or another dimension
     */
    public static LuceneStore open(Path folder, int dimension) throws IOException {
        return new LuceneStore(folder, dimension);
    }

    /** The schema version of the store in a folder, 0 when there is none yet. */
    public static int schemaVersion(Path folder) throws IOException {
        return Integer.parseInt(commitData(folder).getOrDefault(SCHEMA_KEY, "0"));
    }

    private static int storedDimension(Path folder) throws IOException {
        Map<String, String> data = commitData(folder);
        int schema = Integer.parseInt(data.getOrDefault(SCHEMA_KEY, "0"));
        if (schema > SCHEMA_VERSION) {
            throw new IOException("the memory store at " + folder + " has schema " + schema
                    + ", newer than this Reverb's " + SCHEMA_VERSION + "; use a newer Reverb");
        }
        return Integer.parseInt(data.getOrDefault(DIMENSION_KEY, "0"));
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
        doc.add(new KnnFloatVectorField(VECTOR, Vectors.unit(vector, dimension), VectorSimilarityFunction.DOT_PRODUCT));
        writer.updateDocument(new Term(ID, item.id()), doc);
        searchers.maybeRefresh();
    }

    @Override
    public Optional<MemoryItem> get(String id) throws IOException {
        IndexSearcher searcher = searchers.acquire();
        try {
            TopDocs top = searcher.search(new TermQuery(new Term(ID, id)), 1);
            return top.scoreDocs.length == 0 ? Optional.empty()
                    : Optional.of(item(searcher.storedFields().document(top.scoreDocs[0].doc)));
        } finally {
            searchers.release(searcher);
        }
    }

    @Override
    public boolean delete(String id) throws IOException {
        boolean existed = get(id).isPresent();
        writer.deleteDocuments(new Term(ID, id));
        searchers.maybeRefresh();
        return existed;
    }

    @Override
    public List<Hit> search(MemoryQuery query) throws IOException {
        Query filter = filter(query.filter());
        IndexSearcher searcher = searchers.acquire();
        try {
            List<Hit> byVector = null;
            if (query.vector() != null) {
                float[] target = Vectors.unit(query.vector(), dimension);
                byVector = hits(searcher, searcher.search(new KnnFloatVectorQuery(VECTOR, target, query.k(), filter),
                        query.k()));
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
        IndexSearcher searcher = searchers.acquire();
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

    private static List<Hit> hits(IndexSearcher searcher, TopDocs top) throws IOException {
        List<Hit> hits = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc d : top.scoreDocs) {
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
