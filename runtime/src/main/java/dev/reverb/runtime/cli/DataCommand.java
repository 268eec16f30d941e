package dev.reverb.runtime.cli;

import dev.reverb.runtime.data.DataException;
import dev.reverb.runtime.data.DataFetcher;
import dev.reverb.runtime.data.DataFile;
import dev.reverb.runtime.data.Dataset;
import dev.reverb.runtime.data.Datasets;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reverb data ...}: fetch the public datasets the shipped scenarios read, pinned by SHA-256,
 * into the project's {@code data/} folder (or any other), and show what is there.
 */
@Command(name = "data", description = "Get the public datasets (GSM8K, MATH-500, HumanEval, Game of 24), pinned by SHA-256.",
        subcommands = {DataCommand.Get.class, DataCommand.ListCommand.class})
final class DataCommand {

    /** Exit code when a file could not be fetched or its digest was not the pinned one. */
    static final int FETCH_FAILED = 1;
    /** Exit code for an unknown dataset name or source. */
    static final int BAD_INPUT = 2;

    private DataCommand() {
    }

    @Command(name = "get", description = "Download datasets from their canonical sources, check their pinned SHA-256 "
            + "and write them to DIR/NAME/FILE; a file already there with the right digest is kept.")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "NAME", description = "gsm8k, math500, humaneval, game24, or all.")
        List<String> names = new ArrayList<>();

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data",
                description = "The data folder (default: ${DEFAULT-VALUE}, under the current folder: run from the "
                        + "project root, where the shipped scenarios look).")
        Path dir;

        @Option(names = "--source", paramLabel = "URL",
                description = "A mirror laid out like the data folder (NAME/FILE): an http(s) or file address, or a "
                        + "local folder such as ../shared/data. Digests are checked all the same.")
        String source;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "Connect and response timeout (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Set<Dataset> chosen = new LinkedHashSet<>();
            for (String name : names) {
                String n = name.toLowerCase(Locale.ROOT);
                if (n.equals("all")) {
                    chosen.addAll(Datasets.ALL);
                } else if (Datasets.named(n).isPresent()) {
                    chosen.add(Datasets.named(n).get());
                } else {
                    err.println("error: unknown dataset '" + name + "' (known: " + Datasets.names() + ", all)");
                    return BAD_INPUT;
                }
            }
            URI mirror;
            try {
                mirror = mirror(source);
            } catch (IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return BAD_INPUT;
            }
            Path folder = dir.toAbsolutePath().normalize();
            DataFetcher fetcher = new DataFetcher(Duration.ofSeconds(Math.max(1, timeoutSeconds)));
            int failed = 0;
            for (Dataset d : chosen) {
                try {
                    DataFetcher.Outcome o = fetcher.fetch(d.data(), folder, mirror);
                    out.println(describe(d, o));
                } catch (DataException e) {
                    err.println("error: " + d.name() + ": " + e.getMessage());
                    failed++;
                    continue;
                }
                if (d.licence() != null) {
                    try {
                        fetcher.fetch(d.licence(), folder, mirror);
                    } catch (DataException e) { // the data is usable without its licence file beside it
                        err.println("note: " + d.name() + ": licence not written: " + e.getMessage());
                    }
                }
            }
            if (failed > 0) {
                err.printf("%d of %d dataset(s) not fetched%s%n", failed, chosen.size(), mirror == null
                        ? "; without internet access, copy them from a mirror with --source (e.g. --source ../shared/data)"
                        : "");
                return FETCH_FAILED;
            }
            return 0;
        }

        private static String describe(Dataset d, DataFetcher.Outcome o) {
            String what = switch (o.status()) {
                case PRESENT -> "already present";
                case FETCHED -> "downloaded from " + o.from();
                case REPLACED -> "replaced a file with another digest by a download from " + o.from();
            };
            return String.format(Locale.ROOT, "%s: %s: %s (%,d bytes, sha256 %s)", d.name(), o.target(), what,
                    o.file().bytes(), o.file().sha256());
        }
    }

    /** A --source value as a base address: http(s)/file addresses as given, anything else a local folder. */
    static URI mirror(String source) {
        if (source == null || source.isBlank()) {
            return null;
        }
        String lower = source.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
            try {
                return URI.create(source);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--source is not a valid address: " + source);
            }
        }
        Path folder = Path.of(source).toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("--source " + folder + " is not a folder (nor an http, https or file address)");
        }
        return folder.toUri();
    }

    @Command(name = "list", description = "The datasets, where their files go, and whether they are there with the pinned digest.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR", defaultValue = "data", description = "The data folder (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path folder = dir.toAbsolutePath().normalize();
            for (Dataset d : Datasets.ALL) {
                DataFile f = d.data();
                Path target = folder.resolve(f.path());
                String state;
                if (!Files.isRegularFile(target)) {
                    state = "missing (reverb data get " + d.name() + ")";
                } else {
                    try {
                        state = f.sha256().equals(DataFetcher.sha256(target)) ? "ok, pinned digest"
                                : "DIFFERENT digest from the pinned one (reverb data get " + d.name() + " replaces it)";
                    } catch (DataException e) {
                        state = "unreadable: " + e.getMessage();
                    }
                }
                out.printf("%-10s %-52s %s%n           %s%n", d.name(), target, state, d.description());
            }
            return 0;
        }
    }
}
