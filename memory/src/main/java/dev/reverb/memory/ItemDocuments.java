package dev.reverb.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/** How {@link LuceneStore} lays a memory item out as a Lucene document, and the queries over those fields. */
final class ItemDocuments {

    static final String ID = "id";
    private static final String KIND = "kind";
    private static final String SCOPE = "scope";
    private static final String TEXT = "text";
    private static final String CREATED = "created";
    private static final String TAGS_JSON = "tags";
    private static final String TAG_PREFIX = "tag.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> TAGS = new TypeReference<>() { };

    private ItemDocuments() {
    }

    /** The document of an item with its (unit) vector. */
    static Document document(MemoryItem item, float[] unit) throws IOException {
        Document doc = new Document();
        doc.add(new StringField(ID, item.id(), Field.Store.YES));
        doc.add(new StringField(KIND, item.kind().name(), Field.Store.YES));
        doc.add(new StringField(SCOPE, item.scope(), Field.Store.YES));
        doc.add(new TextField(TEXT, item.text(), Field.Store.YES));
        doc.add(new StoredField(CREATED, item.createdAt().toEpochMilli()));
        doc.add(new StoredField(TAGS_JSON, JSON.writeValueAsString(item.tags())));
        item.tags().forEach((k, v) -> doc.add(new StringField(TAG_PREFIX + k, v, Field.Store.NO)));
        doc.add(new BinaryDocValuesField(VectorScan.FIELD, new BytesRef(VectorScan.encode(unit))));
        return doc;
    }

    static Query filter(MemoryQuery.Filter f) {
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
    static Query textQuery(Analyzer analyzer, String text) throws IOException {
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

    static MemoryItem item(Document doc) throws IOException {
        try {
            return parse(doc);
        } catch (RuntimeException e) {
            throw new StoreException("the memory store holds a document that is not a memory item (id "
                    + doc.get(ID) + "): " + e.getMessage(), e);
        }
    }

    private static MemoryItem parse(Document doc) {
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
