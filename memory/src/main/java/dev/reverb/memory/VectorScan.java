package dev.reverb.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongToIntFunction;
import java.util.stream.IntStream;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.FixedBitSet;

/**
 * Nearest-neighbour search over every vector of an index, made fast by quantization, in three
 * passes: (1) each stored vector is kept, per segment, as one sign bit per dimension around the
 * segment's mean, and the query as four bit planes; a few popcounts per vector estimate each dot
 * product and keep the best {@code candidates}; (2) those are re-ranked by their int8 copies;
 * (3) the best few by the exact float vectors. Unlike a graph index it needs no build work per
 * insert, and its recall does not fall on hard, high-dimensional data. The codes of a segment are
 * computed when a search first meets it and dropped when the segment is.
 *
 * <p>Vectors are stored as little-endian float32 binary doc values in {@link #FIELD}; stores of
 * schema 1 kept them in the HNSW field {@link #LEGACY_FIELD}, which is still read.
 */
final class VectorScan {

    static final String FIELD = "vec";
    static final String LEGACY_FIELD = "vector";

    /** Vectors scanned per task when a segment is split across threads. */
    private static final int CHUNK = 65_536;
    private static final int QUERY_BITS = 4;

    private final int dimension;
    private final int words;
    private final Map<Object, Segment> segments = new ConcurrentHashMap<>();

    VectorScan(int dimension) {
        this.dimension = dimension;
        this.words = (dimension + 63) / 64;
    }

    static byte[] encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }

    /** One segment's vectors in quantized form; index i describes the document {@code docs[i]}. */
    private record Segment(int[] docs, long[] bits, short[] ones, float[] scale, byte[] int8, float[] int8Scale,
                           float[] mean) {
    }

    /** The vectors of one segment, read in increasing document order, from whichever field holds them. */
    private static final class Source {
        private final BinaryDocValues values;
        private final FloatVectorValues legacy;
        private final int dimension;

        private Source(BinaryDocValues values, FloatVectorValues legacy, int dimension) {
            this.values = values;
            this.legacy = legacy;
            this.dimension = dimension;
        }

        static Source of(LeafReader reader, int dimension) throws IOException {
            BinaryDocValues values = reader.getBinaryDocValues(FIELD);
            FloatVectorValues legacy = reader.getFloatVectorValues(LEGACY_FIELD);
            return values == null && legacy == null ? null : new Source(values, legacy, dimension);
        }

        /** The vector of {@code doc}, or null; calls must come in increasing document order. */
        float[] at(int doc) throws IOException {
            if (values != null && values.advanceExact(doc)) {
                BytesRef b = values.binaryValue();
                if (b.length != 4 * dimension) {
                    throw wrongSize(doc, b.length + " bytes, not " + 4 * dimension);
                }
                float[] v = new float[dimension];
                ByteBuffer.wrap(b.bytes, b.offset, b.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                return v;
            }
            if (legacy != null && (legacy.docID() == doc || legacy.docID() < doc && legacy.advance(doc) == doc)) {
                float[] v = legacy.vectorValue();
                if (v.length != dimension) {
                    throw wrongSize(doc, v.length + " dimensions, not " + dimension);
                }
                return v.clone();
            }
            return null;
        }

        private static StoreException wrongSize(int doc, String found) {
            return new StoreException("the memory store is damaged: the vector of document " + doc + " has "
                    + found + "; run `reverb memory check` on its folder");
        }
    }

    /** The stored vector of one document of a segment, or null. */
    float[] vector(LeafReader reader, int doc) throws IOException {
        Source source = Source.of(reader, dimension);
        return source == null ? null : source.at(doc);
    }

    /**
     * The {@code k} documents nearest {@code target} (a unit vector) among those the filter admits,
     * best first, scored {@code (1 + dot) / 2}.
     *
     * @param filter     null to admit every live document
     * @param candidates how many survive the first pass, given how many vectors the filter admits
     */
    List<ScoreDoc> search(IndexSearcher searcher, float[] target, int k, Query filter, LongToIntFunction candidates)
            throws IOException {
        Weight weight = filter == null ? null
                : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        List<Segment> quantized = new ArrayList<>();
        List<Bits> admitted = new ArrayList<>();
        List<int[]> chunks = new ArrayList<>(); // {leaf, from, to}
        for (int l = 0; l < leaves.size(); l++) {
            LeafReaderContext leaf = leaves.get(l);
            Segment s = segment(leaf.reader());
            quantized.add(s);
            admitted.add(admitted(leaf, weight));
            int n = s == null ? 0 : s.docs().length;
            for (int from = 0; from < n; from += CHUNK) {
                chunks.add(new int[] {l, from, Math.min(n, from + CHUNK)});
            }
        }
        // Pass 1: every admitted vector's estimate from its sign codes; the best ones go on.
        long[] planes = new long[QUERY_BITS * words]; // word w of plane p at w * QUERY_BITS + p
        float low = Float.POSITIVE_INFINITY;
        float high = Float.NEGATIVE_INFINITY;
        for (float x : target) {
            low = Math.min(low, x);
            high = Math.max(high, x);
        }
        float step = high > low ? (high - low) / ((1 << QUERY_BITS) - 1) : 1f;
        for (int d = 0; d < dimension; d++) {
            int level = Math.round((target[d] - low) / step);
            for (int p = 0; p < QUERY_BITS; p++) {
                if ((level >> p & 1) != 0) {
                    planes[(d >> 6) * QUERY_BITS + p] |= 1L << (d & 63);
                }
            }
        }
        double qSum = 0;
        for (float x : target) {
            qSum += x;
        }
        float querySum = (float) qSum;
        float[] offsets = new float[quantized.size()];
        for (int l = 0; l < quantized.size(); l++) {
            offsets[l] = quantized.get(l) == null ? 0 : Vectors.dot(target, quantized.get(l).mean());
        }
        Estimator estimator = new Estimator(planes, low, step, querySum, offsets, words);
        long[] entries = candidates(quantized, admitted, leaves, chunks, estimator, candidates);
        // Pass 2: int8 re-ranking of the candidates, the query quantized to int8 as well.
        int keep = Math.max(4 * k, 40);
        float queryMax = Math.max(Math.abs(low), Math.abs(high));
        float queryScale = queryMax == 0 ? 1 : queryMax / 127f;
        byte[] query8 = new byte[dimension];
        for (int d = 0; d < dimension; d++) {
            query8[d] = (byte) Math.round(target[d] / queryScale);
        }
        List<Heap> seconds = IntStream.range(0, 2).parallel().mapToObj(part -> {
            Heap heap = new Heap(keep);
            for (int e = part; e < entries.length; e += 2) {
                int leaf = Heap.leaf(entries[e]);
                int i = Heap.index(entries[e]);
                Segment s = quantized.get(leaf);
                heap.offer(dot8(query8, s.int8(), i * dimension) * s.int8Scale()[i], leaf, i);
            }
            return heap;
        }).toList();
        long[] finalists = Heap.merge(seconds, keep).entries();
        // Pass 3: exact dot products from the stored floats, in document order per segment.
        Arrays.sort(finalists);
        List<ScoreDoc> exact = new ArrayList<>();
        int e = 0;
        while (e < finalists.length) {
            int leaf = Heap.leaf(finalists[e]);
            LeafReaderContext context = leaves.get(leaf);
            Source source = Source.of(context.reader(), dimension);
            int[] docs = quantized.get(leaf).docs();
            for (; e < finalists.length && Heap.leaf(finalists[e]) == leaf; e++) {
                int doc = docs[Heap.index(finalists[e])];
                float[] vector = source.at(doc);
                if (vector != null) {
                    exact.add(new ScoreDoc(context.docBase + doc, (1 + Vectors.dot(target, vector)) / 2));
                }
            }
        }
        exact.sort(Comparator.comparingDouble((ScoreDoc d) -> -d.score).thenComparingInt(d -> d.doc));
        return exact.subList(0, Math.min(k, exact.size()));
    }

    /**
     * The first pass's estimate of a dot product: q . x = q . mean + q . (x - mean), the latter
     * taken as the vector's mean absolute deviation times q . sign(x - mean) = 2 * (the sum of q
     * over the set bits) - the sum of q, with q in four bit planes.
     */
    private record Estimator(long[] planes, float low, float step, float querySum, float[] offsets, int words) {
        float estimate(int leaf, Segment s, int i) {
            long[] bits = s.bits();
            int base = i * words;
            int weighted = 0;
            for (int w = 0; w < words; w++) {
                long b = bits[base + w];
                int p = w * QUERY_BITS;
                weighted += Long.bitCount(b & planes[p]) + (Long.bitCount(b & planes[p + 1]) << 1)
                        + (Long.bitCount(b & planes[p + 2]) << 2) + (Long.bitCount(b & planes[p + 3]) << 3);
            }
            return offsets[leaf] + s.scale()[i] * (2 * (low * s.ones()[i] + step * weighted) - querySum);
        }
    }

    /**
     * The entries (segment, index) of about the {@code wanted} best estimates, at least that many
     * when there are, in one pass: the cut-off is read beforehand from the estimates of a sample,
     * and lowered for another pass in the rare case too few vectors clear it.
     */
    private static long[] candidates(List<Segment> quantized, List<Bits> admitted, List<LeafReaderContext> leaves,
                                     List<int[]> chunks, Estimator estimator, LongToIntFunction wantedOf) {
        long total = 0;
        long admittedTotal = 0;
        for (int l = 0; l < quantized.size(); l++) {
            Segment s = quantized.get(l);
            int n = s == null ? 0 : s.docs().length;
            Bits ok = admitted.get(l);
            total += n;
            admittedTotal += ok == null ? n : ok instanceof FixedBitSet set ? set.cardinality()
                    : Math.min(n, leaves.get(l).reader().numDocs());
        }
        int wanted = wantedOf.applyAsInt(admittedTotal);
        float[] sample = new float[4096];
        int m = 0;
        if (admittedTotal > wanted) {
            long stride = Math.max(1, total / sample.length);
            for (int l = 0; l < quantized.size(); l++) {
                Segment s = quantized.get(l);
                Bits ok = admitted.get(l);
                for (int i = 0; s != null && i < s.docs().length && m < sample.length; i += stride) {
                    if (ok == null || ok.get(s.docs()[i])) {
                        sample[m++] = estimator.estimate(l, s, i);
                    }
                }
            }
            Arrays.sort(sample, 0, m);
        }
        double share = 1.25 * wanted / Math.max(1, admittedTotal);
        while (true) {
            int rank = (int) Math.floor(m * (1 - share));
            float cut = admittedTotal <= wanted || rank <= 0 ? Float.NEGATIVE_INFINITY : sample[rank];
            List<long[]> parts = IntStream.range(0, chunks.size()).parallel().mapToObj(c -> {
                int[] chunk = chunks.get(c);
                Segment s = quantized.get(chunk[0]);
                Bits ok = admitted.get(chunk[0]);
                long[] out = new long[64];
                int n = 0;
                for (int i = chunk[1]; i < chunk[2]; i++) {
                    if ((ok == null || ok.get(s.docs()[i])) && estimator.estimate(chunk[0], s, i) >= cut) {
                        if (n == out.length) {
                            out = Arrays.copyOf(out, n * 2);
                        }
                        out[n++] = (long) chunk[0] << 32 | i;
                    }
                }
                return Arrays.copyOf(out, n);
            }).toList();
            int found = parts.stream().mapToInt(a -> a.length).sum();
            if (found >= wanted || cut == Float.NEGATIVE_INFINITY) {
                long[] all = new long[found];
                int at = 0;
                for (long[] part : parts) {
                    System.arraycopy(part, 0, all, at, part.length);
                    at += part.length;
                }
                return all;
            }
            share *= 2;
        }
    }

    /** The integer dot product of the query and one stored int8 vector, with independent sums for speed. */
    private static int dot8(byte[] query, byte[] all, int base) {
        int a = 0;
        int b = 0;
        int c = 0;
        int d = 0;
        int n = query.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            a += query[i] * all[base + i];
            b += query[i + 1] * all[base + i + 1];
            c += query[i + 2] * all[base + i + 2];
            d += query[i + 3] * all[base + i + 3];
        }
        for (; i < n; i++) {
            a += query[i] * all[base + i];
        }
        return a + b + c + d;
    }

    private static Bits admitted(LeafReaderContext leaf, Weight weight) throws IOException {
        Bits live = leaf.reader().getLiveDocs();
        if (weight == null) {
            return live;
        }
        FixedBitSet bits = new FixedBitSet(Math.max(1, leaf.reader().maxDoc()));
        Scorer scorer = weight.scorer(leaf);
        if (scorer != null) {
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live == null || live.get(doc)) {
                    bits.set(doc);
                }
            }
        }
        return bits;
    }

    private Segment segment(LeafReader reader) throws IOException {
        Object key = reader.getCoreCacheHelper() == null ? reader : reader.getCoreCacheHelper().getKey();
        Segment cached = segments.get(key);
        if (cached != null) {
            return cached;
        }
        Segment built = quantize(reader);
        if (built != null && segments.putIfAbsent(key, built) == null && reader.getCoreCacheHelper() != null) {
            reader.getCoreCacheHelper().addClosedListener(segments::remove);
        }
        return built;
    }

    /** Two passes over the segment's vectors: their mean, then each one's codes around it. */
    private Segment quantize(LeafReader reader) throws IOException {
        Source source = Source.of(reader, dimension);
        if (source == null) {
            return null;
        }
        int maxDoc = reader.maxDoc();
        double[] sum = new double[dimension];
        int n = 0;
        for (int doc = 0; doc < maxDoc; doc++) {
            float[] v = source.at(doc);
            if (v != null) {
                n++;
                for (int d = 0; d < dimension; d++) {
                    sum[d] += v[d];
                }
            }
        }
        float[] mean = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            mean[d] = n == 0 ? 0 : (float) (sum[d] / n);
        }
        int[] docs = new int[n];
        long[] bits = new long[n * words];
        short[] ones = new short[n];
        float[] scale = new float[n];
        byte[] int8 = new byte[n * dimension];
        float[] int8Scale = new float[n];
        source = Source.of(reader, dimension);
        int i = 0;
        for (int doc = 0; doc < maxDoc && i < n; doc++) {
            float[] v = source.at(doc);
            if (v == null) {
                continue;
            }
            docs[i] = doc;
            double spread = 0;
            float max = 0;
            for (int d = 0; d < dimension; d++) {
                float centred = v[d] - mean[d];
                spread += Math.abs(centred);
                if (centred > 0) {
                    bits[i * words + (d >> 6)] |= 1L << (d & 63);
                    ones[i]++;
                }
                max = Math.max(max, Math.abs(v[d]));
            }
            scale[i] = (float) (spread / dimension);
            float s = max == 0 ? 1 : max / 127f;
            int8Scale[i] = s;
            for (int d = 0; d < dimension; d++) {
                int8[i * dimension + d] = (byte) Math.round(v[d] / s);
            }
            i++;
        }
        return new Segment(docs, bits, ones, scale, int8, int8Scale, mean);
    }

    /**
     * The best {@code capacity} (score, segment, index) triples seen, as a min-heap on the score;
     * an entry packs the segment and the index into one long so the finalists sort in segment
     * and document order.
     */
    private static final class Heap {
        private final int capacity;
        private final float[] scores;
        private final long[] entries;
        private int size;

        Heap(int capacity) {
            this.capacity = capacity;
            this.scores = new float[capacity];
            this.entries = new long[capacity];
        }

        static int leaf(long entry) {
            return (int) (entry >>> 32);
        }

        static int index(long entry) {
            return (int) entry;
        }

        void offer(float score, int leaf, int index) {
            long entry = (long) leaf << 32 | index;
            if (size < capacity) {
                int at = size++;
                while (at > 0 && scores[(at - 1) / 2] > score) {
                    scores[at] = scores[(at - 1) / 2];
                    entries[at] = entries[(at - 1) / 2];
                    at = (at - 1) / 2;
                }
                scores[at] = score;
                entries[at] = entry;
            } else if (score > scores[0]) {
                int at = 0;
                while (true) {
                    int child = 2 * at + 1;
                    if (child >= size) {
                        break;
                    }
                    if (child + 1 < size && scores[child + 1] < scores[child]) {
                        child++;
                    }
                    if (scores[child] >= score) {
                        break;
                    }
                    scores[at] = scores[child];
                    entries[at] = entries[child];
                    at = child;
                }
                scores[at] = score;
                entries[at] = entry;
            }
        }

        long[] entries() {
            return Arrays.copyOf(entries, size);
        }

        static Heap merge(List<Heap> heaps, int capacity) {
            Heap all = new Heap(capacity);
            for (Heap h : heaps) {
                for (int i = 0; i < h.size; i++) {
                    all.offer(h.scores[i], leaf(h.entries[i]), index(h.entries[i]));
                }
            }
            return all;
        }
    }
}
