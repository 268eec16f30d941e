package dev.reverb.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.memory.Insights;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.memory.MemoryStore;
import dev.reverb.runtime.memory.LangChain4jEmbedder;
import dev.reverb.runtime.scenario.Durations;
import dev.reverb.runtime.scenario.Scenario;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.apache.lucene.store.LockObtainFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reverb memory ...}: look into, move and prune a memory store. */
@Command(name = "memory", description = "Inspect, export, import and prune a memory store.",
        subcommands = {MemoryCommand.Stats.class, MemoryCommand.Search.class, MemoryCommand.Show.class,
                MemoryCommand.Export.class, MemoryCommand.Import.class, MemoryCommand.Prune.class})
final class MemoryCommand {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The first line of an export: what the vectors are. */
    static final String EXPORT_FORMAT = "reverb-memory-export";

    private MemoryCommand() {
    }

    /** Opens an existing store, with a clear message when there is none or a run holds it. */
    static LuceneStore open(Path dir) throws IOException {
        try {
            return LuceneStore.openExisting(dir);
        } catch (LockObtainFailedException e) {
            throw new IOException("the memory store at " + dir + " is in use (is a run using it?); try again when it ends");
        }
    }

    abstract static class StoreCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "The memory folder (memory.folder of a scenario).")
        Path dir;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    /** Filters shared by search, export and prune. */
    static final class Filters {
        @Option(names = "--kind", description = "experiential, reflective or concept.")
        List<String> kinds = new ArrayList<>();

        @Option(names = "--scope", description = "e.g. team:quickstart, agent:solver, global.")
        List<String> scopes = new ArrayList<>();

        @Option(names = "--env", description = "Only items of this environment.")
        String environment;

        @Option(names = "--verdict", description = "correct or incorrect.")
        String verdict;

        MemoryQuery.Filter filter() {
            Set<MemoryKind> k = new java.util.HashSet<>();
            kinds.forEach(s -> k.add(kind(s)));
            Map<String, String> tags = new HashMap<>();
            if (environment != null) {
                tags.put("environment", environment);
            }
            if (verdict != null) {
                tags.put("verdict", verdict);
            }
            return new MemoryQuery.Filter(k, Set.copyOf(scopes), tags);
        }

        static MemoryKind kind(String s) {
            try {
                return MemoryKind.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown kind '" + s + "' (experiential, reflective, concept)");
            }
        }
    }

    @Command(name = "stats", description = "Counts per kind and scope, and the store's schema and embedding model.")
    static final class Stats extends StoreCommand {
        @Override
        public Integer call() throws IOException {
            LuceneStore.Description d = LuceneStore.describe(dir);
            try (LuceneStore store = open(dir)) {
                List<MemoryItem> items = store.list(MemoryQuery.Filter.ANY);
                PrintWriter out = out();
                out.printf(Locale.ROOT, "%s: %d items; schema %d, %d-dimensional vectors from %s%n", dir, items.size(),
                        d.schema(), d.dimension(), d.embedding().isEmpty() ? "an unrecorded model" : d.embedding());
                Map<String, Integer> counts = new TreeMap<>();
                items.forEach(i -> counts.merge(i.kind().name().toLowerCase(Locale.ROOT) + "\t" + i.scope(), 1, Integer::sum));
                out.printf("%-14s %-32s %8s%n", "kind", "scope", "items");
                counts.forEach((key, n) -> {
                    String[] parts = key.split("\t", 2);
                    out.printf("%-14s %-32s %8d%n", parts[0], parts[1], n);
                });
                items.stream().map(MemoryItem::createdAt).min(Comparator.naturalOrder()).ifPresent(first ->
                        out.printf("oldest %s, newest %s%n", first,
                                items.stream().map(MemoryItem::createdAt).max(Comparator.naturalOrder()).orElseThrow()));
                List<MemoryItem> insights = Insights.ordered(items.stream().filter(i -> i.kind() == MemoryKind.CONCEPT).toList());
                if (!insights.isEmpty()) {
                    out.println("insights (importance):");
                    insights.stream().limit(10).forEach(i -> out.printf("  %3d  %s%n", Insights.importance(i),
                            oneLine(i.text(), 100)));
                }
            }
            return 0;
        }
    }

    @Command(name = "search", description = "The items most relevant to a text, with scores (hybrid: vectors and BM25).")
    static final class Search extends StoreCommand {
        @Parameters(index = "1", paramLabel = "QUERY")
        String query;

        @Option(names = {"-k", "--top"}, defaultValue = "10", description = "How many (default: ${DEFAULT-VALUE}).")
        int k;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Override
        public Integer call() throws IOException {
            try (LuceneStore store = open(dir)) {
                float[] vector = null;
                if (store.embedding().equals(Scenario.EmbeddingConfig.MINILM)) {
                    vector = LangChain4jEmbedder.miniLm().embed(query);
                } else {
                    spec.commandLine().getErr().println("note: the store's vectors come from '" + store.embedding()
                            + "', which this command cannot run; ranking by words (BM25) only");
                }
                List<MemoryStore.Hit> hits = store.search(new MemoryQuery(query, vector, k, filters.filter()));
                PrintWriter out = out();
                for (int r = 0; r < hits.size(); r++) {
                    MemoryItem i = hits.get(r).item();
                    out.printf(Locale.ROOT, "%2d. %.4f  %-12s %-24s %s%n      %s%n", r + 1, hits.get(r).score(),
                            i.kind().name().toLowerCase(Locale.ROOT), i.scope(), i.id(), oneLine(i.text(), 110));
                }
                if (hits.isEmpty()) {
                    out.println("no items match");
                }
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One item in full.")
    static final class Show extends StoreCommand {
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws IOException {
            try (LuceneStore store = open(dir)) {
                MemoryItem item = store.get(id).orElse(null);
                if (item == null) {
                    spec.commandLine().getErr().println("error: no item '" + id + "' in " + dir);
                    return 1;
                }
                out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fields(item)));
                out().println();
                out().println(item.text());
            }
            return 0;
        }
    }

    @Command(name = "export", description = "Every item, with its vector, as JSONL (sorted by id; import reads it back exactly).")
    static final class Export extends StoreCommand {
        @Option(names = {"-o", "--output"}, description = "The file to write (default: standard output).")
        Path output;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Override
        public Integer call() throws IOException {
            try (LuceneStore store = open(dir);
                 Writer w = output == null ? new NonClosing(out()) : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                List<MemoryItem> items = new ArrayList<>(store.list(filters.filter()));
                items.sort(Comparator.comparing(MemoryItem::id));
                w.write(JSON.writeValueAsString(JSON.createObjectNode().put("format", EXPORT_FORMAT).put("version", 1)
                        .put("dimension", store.dimension()).put("embedding", store.embedding())) + "\n");
                for (MemoryItem item : items) {
                    w.write(JSON.writeValueAsString(line(item, store.vector(item.id()).orElseThrow())) + "\n");
                }
                if (output != null) {
                    spec.commandLine().getErr().printf("exported %d items to %s%n", items.size(), output);
                }
            }
            return 0;
        }
    }

    @Command(name = "import", description = "Add the items of an export (an item with the same id is replaced).")
    static final class Import extends StoreCommand {
        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String first = in.readLine();
                JsonNode header = first == null ? null : parse(first);
                if (header == null || !EXPORT_FORMAT.equals(header.path("format").asText())) {
                    err.println("error: " + file + ":1: not a reverb memory export (no header line)");
                    return 1;
                }
                int imported = 0;
                int bad = 0;
                try (LuceneStore store = LuceneStore.open(dir, header.path("dimension").asInt(),
                        header.path("embedding").asText(""))) {
                    String text;
                    int number = 1;
                    while ((text = in.readLine()) != null) {
                        number++;
                        if (text.isBlank()) {
                            continue;
                        }
                        try {
                            JsonNode node = parse(text);
                            if (node == null) {
                                throw new IllegalArgumentException("not JSON");
                            }
                            store.put(item(node), vector(node, store.dimension()));
                            imported++;
                        } catch (RuntimeException e) {
                            bad++;
                            err.printf("%s:%d: skipped: %s%n", file, number, e.getMessage());
                        }
                    }
                    store.commit();
                }
                out().printf("imported %d items into %s%s%n", imported, dir, bad == 0 ? "" : "; skipped " + bad + " bad line(s)");
                return bad == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "prune", description = "Delete items by age or, for insights, by importance.")
    static final class Prune extends StoreCommand {
        @Option(names = "--older-than", description = "Items created longer ago than this, e.g. 30d, 12h.")
        String olderThan;

        @Option(names = "--max-importance", description = "Insights whose importance is at most this.")
        Integer maxImportance;

        @Option(names = "--dry-run", description = "Only count what would be deleted.")
        boolean dryRun;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Filters filters = new Filters();

        @Override
        public Integer call() throws IOException {
            if (olderThan == null && maxImportance == null) {
                spec.commandLine().getErr().println("error: give --older-than and/or --max-importance");
                return 2;
            }
            Predicate<MemoryItem> doomed = filters.filter()::admits;
            if (olderThan != null) {
                Instant cutoff = Instant.now().minus(Durations.parse(olderThan));
                doomed = doomed.and(i -> i.createdAt().isBefore(cutoff));
            }
            if (maxImportance != null) {
                int max = maxImportance;
                doomed = doomed.and(i -> i.kind() == MemoryKind.CONCEPT && Insights.importance(i) <= max);
            }
            try (LuceneStore store = open(dir)) {
                List<MemoryItem> selected = store.list(MemoryQuery.Filter.ANY).stream().filter(doomed).toList();
                if (!dryRun) {
                    for (MemoryItem item : selected) {
                        store.delete(item.id());
                    }
                    store.commit();
                }
                out().printf("%s %d items%n", dryRun ? "would delete" : "deleted", selected.size());
            }
            return 0;
        }
    }

    /** An item's fields but its text, as JSON. */
    static ObjectNode fields(MemoryItem item) {
        ObjectNode node = JSON.createObjectNode().put("id", item.id())
                .put("kind", item.kind().name().toLowerCase(Locale.ROOT)).put("scope", item.scope())
                .put("created_at", item.createdAt().toString());
        node.set("tags", JSON.valueToTree(new TreeMap<>(item.tags())));
        return node;
    }

    static ObjectNode line(MemoryItem item, float[] vector) {
        ObjectNode node = fields(item).put("text", item.text());
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        node.put("vector", Base64.getEncoder().encodeToString(bytes.array()));
        return node;
    }

    static MemoryItem item(JsonNode node) {
        for (String field : List.of("id", "kind", "scope", "created_at", "text", "vector")) {
            if (!node.path(field).isTextual()) {
                throw new IllegalArgumentException("missing field '" + field + "'");
            }
        }
        Map<String, String> tags = new HashMap<>();
        node.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        return new MemoryItem(node.path("id").asText(), Filters.kind(node.path("kind").asText()), node.path("scope").asText(),
                node.path("text").asText(), Instant.parse(node.path("created_at").asText()), tags);
    }

    static float[] vector(JsonNode node, int dimension) {
        byte[] raw = Base64.getDecoder().decode(node.path("vector").asText());
        if (raw.length != dimension * 4) {
            throw new IllegalArgumentException("vector has " + raw.length / 4 + " dimensions, the store " + dimension);
        }
        float[] v = new float[dimension];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String oneLine(String text, int max) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max - 3) + "...";
    }

    /** A writer over the command's output that flushes instead of closing it. */
    private static final class NonClosing extends BufferedWriter {
        NonClosing(PrintWriter out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
