package dev.reverb.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.environments.DatasetLines;
import dev.reverb.memory.Insights;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.memory.MemoryStore;
import dev.reverb.memory.StoreCheck;
import dev.reverb.memory.StoreException;
import dev.reverb.runtime.memory.LangChain4jEmbedder;
import dev.reverb.runtime.scenario.Durations;
import dev.reverb.runtime.scenario.Scenario;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reverb memory ...}: look into, move, prune and check a memory store. {@code stats}, {@code search},
 * {@code show}, {@code export} and {@code check} open the store read-only (nothing in the folder changes);
 * every failure is one line {@code error: <sentence>} and exit code 2.
 */
@Command(name = "memory", description = "Inspect, export, import and prune a memory store.",
        subcommands = {MemoryCommand.Stats.class, MemoryCommand.Search.class, MemoryCommand.Show.class,
                MemoryCommand.Export.class, MemoryCommand.Import.class, MemoryCommand.Prune.class,
                MemoryCommand.Check.class})
final class MemoryCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    private MemoryCommand() {
    }

    /** The exit code of a command refused for bad input: a damaged or missing store, an unreadable file. */
    static final int BAD_INPUT = 2;

    abstract static class StoreCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "The memory folder (memory.folder of a scenario).")
        Path dir;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        /** The command's work; its exceptions become one-line errors with exit code 2. */
        abstract int run() throws IOException;

        @Override
        public final Integer call() {
            try {
                return run();
            } catch (StoreException | IllegalArgumentException e) {
                err().println("error: " + e.getMessage());
            } catch (IOException e) {
                err().println("error: memory " + spec.name() + " " + dir + " failed: " + describe(e));
            } catch (UncheckedIOException e) {
                err().println("error: memory " + spec.name() + " " + dir + " failed: " + describe(e.getCause()));
            } catch (RuntimeException e) { // Lucene meeting bytes it cannot decode in a store too large to verify on open
                err().println("error: memory " + spec.name() + " " + dir + " failed: " + e + "; the store may be damaged:"
                        + " run `reverb memory check " + dir + "`");
            }
            return BAD_INPUT;
        }
    }

    /** An I/O failure as words, with the file it concerns. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + DatasetLines.reason(e);
        }
        return DatasetLines.reason(e);
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
        int run() throws IOException {
            try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
                LuceneStore.Description d = new LuceneStore.Description(store.schema(), store.dimension(), store.embedding());
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
        int run() throws IOException {
            MemoryQuery.Filter filter = filters.filter();
            try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
                float[] vector = null;
                if (store.embedding().equals(Scenario.EmbeddingConfig.MINILM)) {
                    vector = LangChain4jEmbedder.miniLm().embed(query);
                } else {
                    spec.commandLine().getErr().println("note: the store's vectors come from '" + store.embedding()
                            + "', which this command cannot run; ranking by words (BM25) only");
                }
                List<MemoryStore.Hit> hits = store.search(new MemoryQuery(query, vector, k, filter));
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
        int run() throws IOException {
            try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
                MemoryItem item = store.get(id).orElse(null);
                if (item == null) {
                    spec.commandLine().getErr().println("error: no item '" + id + "' in " + dir);
                    return 1;
                }
                out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(MemoryExport.fields(item)));
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
        int run() throws IOException {
            try (LuceneStore store = LuceneStore.openReadOnly(dir);
                 Writer w = output == null ? new NonClosing(out()) : writer(output)) {
                List<MemoryItem> items = new ArrayList<>(store.list(filters.filter()));
                items.sort(Comparator.comparing(MemoryItem::id));
                w.write(JSON.writeValueAsString(MemoryExport.header(store.dimension(), store.embedding())) + "\n");
                for (MemoryItem item : items) {
                    float[] vector = store.vector(item.id()).orElseThrow(() -> new StoreException("the memory store at "
                            + dir + " is damaged: item " + item.id() + " has no vector; run `reverb memory check " + dir + "`"));
                    w.write(JSON.writeValueAsString(MemoryExport.line(item, vector)) + "\n");
                }
                if (output != null) {
                    spec.commandLine().getErr().printf("exported %d items to %s%n", items.size(), output);
                }
            }
            return 0;
        }
    }

    @Command(name = "import", description = "Add the items of an export (an item with the same id is replaced);"
            + " bad lines are reported with their numbers and skipped.")
    static final class Import extends StoreCommand {
        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Override
        int run() throws IOException {
            try (MemoryExport.Importer run = new MemoryExport.Importer(file, dir, err())) {
                try {
                    DatasetLines.scan(file, run);
                } catch (IOException e) {
                    throw new StoreException("cannot read " + file + ": " + DatasetLines.reason(e), e);
                } catch (MemoryExport.Refused e) {
                    err().println("error: " + e.getMessage());
                    return BAD_INPUT;
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                if (!run.started()) {
                    err().println("error: " + file + ": the file is empty; not a reverb memory export");
                    return BAD_INPUT;
                }
                run.finish();
                out().printf("imported %d items into %s%s%n", run.imported(), dir,
                        run.bad() == 0 ? "" : "; skipped " + run.bad() + " bad line(s)");
                return run.bad() == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "check", description = "Verify every byte of every file of the store against its checksum,"
            + " then read every item and vector.")
    static final class Check extends StoreCommand {
        @Override
        int run() throws IOException {
            StoreCheck.Result files = StoreCheck.check(dir);
            int items;
            try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
                List<MemoryItem> all = store.list(MemoryQuery.Filter.ANY);
                for (MemoryItem item : all) {
                    float[] vector = store.vector(item.id()).orElseThrow(() -> new StoreException("the memory store at "
                            + dir + " is damaged: item " + item.id() + " has no vector"));
                    for (float x : vector) {
                        if (!Float.isFinite(x)) {
                            throw new StoreException("the memory store at " + dir + " is damaged: the vector of item "
                                    + item.id() + " holds " + x);
                        }
                    }
                }
                items = all.size();
            }
            out().printf(Locale.ROOT, "%s: ok: %d files, %d bytes, every checksum matches; %d items, each with its vector%n",
                    dir, files.files(), files.bytes(), items);
            return 0;
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
        int run() throws IOException {
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
            try (LuceneStore store = LuceneStore.openExisting(dir)) {
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

    /** A writer for an export file, with a sentence when it cannot be created. */
    private static Writer writer(Path output) throws IOException {
        try {
            return Files.newBufferedWriter(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot write the export " + output + ": " + DatasetLines.reason(e), e);
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
