package dev.reverb.runtime.cli;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.memory.MemoryStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.lucene.util.VectorUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reverb bench memory}: the memory store at scale, with random unit vectors standing in
 * for embeddings (embedding time is not measured). For each size it reports insert throughput,
 * top-10 vector search latency (p50, p99, one query at a time after a warm-up) and recall@10
 * against exact search, and the same for LangChain4j's in-memory store in the same run.
 */
@Command(name = "memory", description = "Insert throughput, top-10 latency (p50, p99) and recall@10 of the memory "
        + "store at 100k and 1M random unit vectors, against exact search and LangChain4j's in-memory store.")
final class MemoryBench implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "100000,1000000",
            description = "Store sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--dimension", defaultValue = "384",
            description = "Vector dimension; 384 is all-MiniLM-L6-v2's (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Option(names = "--queries", defaultValue = "1000", description = "Timed queries per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--recall-queries", defaultValue = "200",
            description = "Queries whose results are checked against exact search (default: ${DEFAULT-VALUE}).")
    int recallQueries;

    @Option(names = "--langchain4j-queries", defaultValue = "100",
            description = "Timed queries on LangChain4j's in-memory store, which scans every vector (default: ${DEFAULT-VALUE}).")
    int langchainQueries;

    @Option(names = "--candidates", defaultValue = "0", description = "Vectors the quantized first pass keeps per search "
            + "(default: the store's, max(2000, 10 sqrt(n))).")
    int candidates;

    @Option(names = "--folder", description = "Where to build the stores (default: a temporary folder, deleted after).")
    Path folder;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the random vectors (default: ${DEFAULT-VALUE}).")
    long seed;

    private static final int K = 10;
    private static final int WARMUP = 200;

    /** Latency percentiles of one store and its recall. */
    private record Measured(double insertPerSecond, double p50Ms, double p99Ms, double recall) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path base = folder != null ? Files.createDirectories(folder) : Files.createTempDirectory("reverb-bench-memory");
        out.printf(Locale.ROOT, "memory bench: %d-dimensional random unit vectors, %d timed top-%d queries per size "
                        + "(recall on %d); %s candidates; %d cores, max heap %d MiB%n",
                dimension, queries, K, recallQueries,
                candidates == 0 ? "max(2000, 10 sqrt(n))" : Integer.toString(candidates),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        String last = "";
        try {
            for (int size : sizes) {
                float[][] vectors = randomUnit(size, new Random(seed));
                float[][] probes = randomUnit(queries, new Random(seed + 1));
                List<int[]> exact = exactTopK(vectors, Arrays.copyOf(probes, Math.min(recallQueries, queries)));
                Measured lucene = lucene(base.resolve("store-" + size), vectors, probes, exact);
                Measured langchain = langchain(vectors, probes, exact);
                out.printf(Locale.ROOT, "%s items: Reverb (Lucene store): insert %.0f items/s, top-%d p50 %.2f ms, "
                                + "p99 %.2f ms, recall@%d %.3f | LangChain4j in-memory: insert %.0f items/s, p50 %.2f ms, "
                                + "p99 %.2f ms, recall@%d %.3f | p99 speedup %.1fx%n",
                        label(size), lucene.insertPerSecond(), K, lucene.p50Ms(), lucene.p99Ms(), K, lucene.recall(),
                        langchain.insertPerSecond(), langchain.p50Ms(), langchain.p99Ms(), K, langchain.recall(),
                        langchain.p99Ms() / lucene.p99Ms());
                out.flush();
                last = String.format(Locale.ROOT, "%s: p99 %.2f ms, recall@%d %.3f", label(size), lucene.p99Ms(), K,
                        lucene.recall());
            }
        } finally {
            if (folder == null) {
                BenchRun.delete(base);
            }
        }
        out.println(last);
        return 0;
    }

    private Measured lucene(Path dir, float[][] vectors, float[][] probes, List<int[]> exact) throws IOException {
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        MemoryKind[] kinds = MemoryKind.values();
        try (MemoryStore store = LuceneStore.open(dir, dimension, "random-unit-" + dimension,
                new LuceneStore.Tuning(candidates))) {
            long start = System.nanoTime();
            for (int i = 0; i < vectors.length; i++) {
                store.put(new MemoryItem(Integer.toString(i), kinds[i % kinds.length], "global", "item " + i, created,
                        Map.of()), vectors[i]);
            }
            store.commit();
            double insert = vectors.length / ((System.nanoTime() - start) / 1e9);
            Function<float[], List<Integer>> search = q -> {
                try {
                    return store.search(new MemoryQuery("", q, K, MemoryQuery.Filter.ANY)).stream()
                            .map(h -> Integer.parseInt(h.item().id())).toList();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            };
            return measure(insert, probes, probes.length, exact, search);
        }
    }

    private Measured langchain(float[][] vectors, float[][] probes, List<int[]> exact) {
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        List<String> ids = IntStream.range(0, vectors.length).mapToObj(Integer::toString).toList();
        List<Embedding> embeddings = Stream.of(vectors).map(Embedding::from).toList();
        List<TextSegment> texts = ids.stream().map(id -> TextSegment.from("item " + id)).toList();
        long start = System.nanoTime();
        store.addAll(ids, embeddings, texts);
        double insert = vectors.length / ((System.nanoTime() - start) / 1e9);
        Function<float[], List<Integer>> search = q -> store.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(Embedding.from(q)).maxResults(K).build()).matches().stream()
                .map(EmbeddingMatch::embeddingId).map(Integer::parseInt).toList();
        return measure(insert, probes, Math.min(langchainQueries, probes.length), exact, search);
    }

    /** Times {@code timed} searches one at a time after a warm-up, and checks the first ones against exact. */
    private static Measured measure(double insert, float[][] probes, int timed, List<int[]> exact,
                                    Function<float[], List<Integer>> search) {
        for (int w = 0; w < Math.min(WARMUP, timed); w++) {
            search.apply(probes[(w * 7919) % probes.length]);
        }
        double[] latencies = new double[timed];
        double found = 0;
        int checked = 0;
        for (int q = 0; q < timed; q++) {
            long start = System.nanoTime();
            List<Integer> hits = search.apply(probes[q]);
            latencies[q] = (System.nanoTime() - start) / 1e6;
            if (q < exact.size()) {
                Set<Integer> truth = new HashSet<>();
                for (int id : exact.get(q)) {
                    truth.add(id);
                }
                found += hits.stream().filter(truth::contains).count();
                checked++;
            }
        }
        Arrays.sort(latencies);
        return new Measured(insert, percentile(latencies, 0.50), percentile(latencies, 0.99),
                checked == 0 ? Double.NaN : found / (checked * (double) K));
    }

    /** The exact top-k of each probe by dot product (the vectors are unit length), in parallel over probes. */
    private static List<int[]> exactTopK(float[][] vectors, float[][] probes) {
        return IntStream.range(0, probes.length).parallel().mapToObj(q -> {
            float[] probe = probes[q];
            int[] best = new int[K];
            float[] scores = new float[K];
            Arrays.fill(scores, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < vectors.length; i++) {
                float s = VectorUtil.dotProduct(probe, vectors[i]);
                if (s > scores[K - 1]) {
                    int at = K - 1;
                    while (at > 0 && scores[at - 1] < s) {
                        scores[at] = scores[at - 1];
                        best[at] = best[at - 1];
                        at--;
                    }
                    scores[at] = s;
                    best[at] = i;
                }
            }
            return best;
        }).toList();
    }

    private float[][] randomUnit(int count, Random random) {
        float[][] out = new float[count][dimension];
        for (float[] v : out) {
            double norm = 0;
            for (int d = 0; d < dimension; d++) {
                v[d] = (float) random.nextGaussian();
                norm += v[d] * v[d];
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dimension; d++) {
                v[d] *= scale;
            }
        }
        return out;
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String label(int size) {
        if (size >= 1_000_000 && size % 1_000_000 == 0) {
            return size / 1_000_000 + "M";
        }
        return size >= 1_000 && size % 1_000 == 0 ? size / 1_000 + "k" : Integer.toString(size);
    }

}
