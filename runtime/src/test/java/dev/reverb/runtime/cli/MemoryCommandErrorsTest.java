package dev.reverb.runtime.cli;

import static dev.reverb.runtime.cli.QuickstartTest.reverb;
import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reverb memory} on damaged, misplaced and malformed input: one {@code error:} line and exit 2, never a trace. */
class MemoryCommandErrorsTest {

    @TempDir
    Path tmp;

    Path store(String name) throws IOException {
        Path dir = tmp.resolve(name);
        try (LuceneStore s = LuceneStore.open(dir, 4, "toy-4")) {
            for (int i = 0; i < 3; i++) {
                s.put(new MemoryItem("item:" + i, MemoryKind.CONCEPT, "global", "Check units before step " + i,
                        Instant.ofEpochMilli(1_700_000_000_000L + i), Map.of("environment", "arithmetic")),
                        new float[] {1, i, 0, 0});
            }
        }
        return dir;
    }

    static Map<String, String> fingerprint(Path folder) throws IOException, NoSuchAlgorithmException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(folder)) {
            for (Path p : all.toList()) {
                files.put(p.getFileName().toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return files;
    }

    static void oneErrorLine(QuickstartTest.Cli cli, String expected) {
        assertThat(cli.code()).as(cli.err()).isEqualTo(2);
        assertThat(cli.err().lines().toList()).as(cli.err()).singleElement().asString().startsWith("error: ")
                .contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void should_leave_the_store_byte_identical_when_running_read_only_commands() throws Exception {
        Path dir = store("store");
        Map<String, String> before = fingerprint(dir);

        assertThat(reverb("memory", "stats", dir.toString()).out()).contains("3 items");
        assertThat(reverb("memory", "search", dir.toString(), "units").out()).contains("item:");
        assertThat(reverb("memory", "show", dir.toString(), "item:1").out()).contains("step 1");
        assertThat(reverb("memory", "export", dir.toString()).out()).contains("reverb-memory-export");
        assertThat(reverb("memory", "check", dir.toString()).out()).contains(": ok: ").contains("3 items");

        assertThat(fingerprint(dir)).isEqualTo(before);
    }

    @Test
    void should_report_a_damaged_store_from_every_command_and_check() throws Exception {
        Path dir = store("damaged");
        String biggest;
        try (Stream<Path> files = Files.list(dir)) {
            biggest = files.filter(p -> p.getFileName().toString().startsWith("_"))
                    .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow().getFileName().toString();
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(biggest));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(dir.resolve(biggest), bytes);
        String expected = "the memory store at " + dir + " is damaged: " + biggest + ": its checksum does not match";

        for (List<String> args : List.of(List.of("stats"), List.of("search", "x"), List.of("show", "item:1"), List.of("export"),
                List.of("check"), List.of("prune", "--older-than", "1d"))) {
            String[] all = Stream.concat(Stream.of("memory", args.get(0), dir.toString()), args.stream().skip(1))
                    .toArray(String[]::new);
            QuickstartTest.Cli cli = reverb(all);
            oneErrorLine(cli, expected);
            assertThat(cli.err()).contains("run `reverb memory check " + dir + "`");
        }
    }

    @Test
    void should_name_what_failed_and_why_instead_of_a_bare_path() throws IOException {
        Path dir = store("store");
        Path file = Files.writeString(tmp.resolve("afile"), "x");

        oneErrorLine(reverb("memory", "stats", file.toString()), file + " is a file, not a folder");
        oneErrorLine(reverb("memory", "import", file.toString(), tmp.resolve("none.jsonl").toString()),
                "cannot read " + tmp.resolve("none.jsonl") + ": no such file or folder");
        oneErrorLine(reverb("memory", "stats", tmp.resolve("nowhere").toString()),
                "no memory store at " + tmp.resolve("nowhere") + ": the folder does not exist");
        oneErrorLine(reverb("memory", "export", dir.toString(), "-o", tmp.resolve("no/such/dir/out.jsonl").toString()),
                "cannot write the export " + tmp.resolve("no/such/dir/out.jsonl") + ": no such file or folder");
        oneErrorLine(reverb("memory", "export", dir.toString(), "-o", tmp.toString()),
                "cannot write the export " + tmp + ": ");
        oneErrorLine(reverb("memory", "search", dir.toString(), "x", "--kind", "nonsense"), "unknown kind 'nonsense'");
    }

    @Test
    void should_import_the_rest_when_a_line_has_a_byte_that_is_not_utf8() throws IOException {
        Path dir = store("source");
        Path export = tmp.resolve("export.jsonl");
        assertThat(reverb("memory", "export", dir.toString(), "-o", export.toString()).code()).isZero();
        List<String> lines = Files.readAllLines(export);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            byte[] line = lines.get(i).getBytes(StandardCharsets.UTF_8);
            if (i == 2) {
                line[line.length / 2] = (byte) 0xC3; // starts a two-byte sequence that never ends
                line[line.length / 2 + 1] = '"';
            }
            bytes.writeBytes(line);
            bytes.write('\n');
        }
        bytes.writeBytes("{\"id\": \"x\", \"kind\": \"concept\", \"scope\": \"g\", \"created_at\": \"yesterday\", \"text\": \"t\", \"vector\": \"AAAA\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("{\"id\": \"y\", \"kind\": \"concept\", \"scope\": \"g\", \"created_at\": \"2026-01-01T00:00:00Z\", \"text\": \"t\", \"vector\": \"%%\"}\n"
                .getBytes(StandardCharsets.UTF_8));
        Files.write(export, bytes.toByteArray());

        QuickstartTest.Cli cli = reverb("memory", "import", tmp.resolve("copy").toString(), export.toString());

        assertThat(cli.code()).isEqualTo(1);
        assertThat(cli.out()).contains("imported 2 items").contains("skipped 3 bad line(s)");
        assertThat(cli.err()).contains(export + ":3: skipped: not valid UTF-8: byte 0xC3 at column")
                .contains(export + ":5: skipped: 'created_at' is not an instant")
                .contains(export + ":6: skipped: 'vector' is not base64");
        try (LuceneStore copy = LuceneStore.openReadOnly(tmp.resolve("copy"))) {
            assertThat(copy.list(MemoryQuery.Filter.ANY)).hasSize(2);
        }
    }

    @Test
    void should_refuse_an_import_whose_header_is_missing_or_wrong() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "");
        Path text = Files.writeString(tmp.resolve("notes.txt"), "just some notes\n");
        Path dimension = Files.writeString(tmp.resolve("dim.jsonl"),
                "{\"format\": \"reverb-memory-export\", \"version\": 1, \"dimension\": 10000000000}\n");
        Path binary = Files.write(tmp.resolve("bin.jsonl"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, '\n'});
        Path target = tmp.resolve("target");

        oneErrorLine(reverb("memory", "import", target.toString(), empty.toString()), empty + ": the file is empty");
        oneErrorLine(reverb("memory", "import", target.toString(), text.toString()),
                text + ":1: not a reverb memory export (its first line is not the export header)");
        oneErrorLine(reverb("memory", "import", target.toString(), dimension.toString()),
                dimension + ":1: the header's dimension must be a whole number from 1 to 65536, was 10000000000");
        oneErrorLine(reverb("memory", "import", target.toString(), binary.toString()),
                binary + ":1: not a reverb memory export: not valid UTF-8");
        assertThat(Files.exists(target)).as("nothing is created for a refused import").isFalse();
    }

    @Test
    void should_import_a_gzipped_export_and_locate_the_damage_when_it_is_cut() throws IOException {
        Path dir = store("zipped");
        Path export = tmp.resolve("export.jsonl");
        assertThat(reverb("memory", "export", dir.toString(), "-o", export.toString()).code()).isZero();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(Files.readAllBytes(export));
        }
        Path whole = Files.write(tmp.resolve("export.jsonl.gz"), bytes.toByteArray());
        Path cut = Files.write(tmp.resolve("cut.jsonl.gz"), java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() - 4));

        assertThat(reverb("memory", "import", tmp.resolve("a").toString(), whole.toString()).out()).contains("imported 3 items");
        QuickstartTest.Cli partial = reverb("memory", "import", tmp.resolve("b").toString(), cut.toString());
        assertThat(partial.code()).isEqualTo(1);
        assertThat(partial.out()).contains("imported 3 items").contains("skipped 1 bad line(s)");
        assertThat(partial.err()).contains(cut + ":5: skipped: the compressed file is damaged or truncated");
    }
}
