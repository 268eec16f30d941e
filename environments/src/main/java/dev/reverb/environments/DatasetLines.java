package dev.reverb.environments;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one way every line-based dataset is read (JSONL, gzipped JSONL, the Game of 24 CSV, memory
 * exports): the file is split into lines on {@code \n} ({@code \r\n} too) and each line is decoded as
 * UTF-8 on its own, so a bad byte costs its line, never the file. A leading UTF-8 byte-order mark
 * is dropped. A file that starts with the gzip signature is decompressed whatever its name, strictly
 * (see {@link GzipMembers}): damage ends the read with a located issue, and bytes after the gzip data
 * are reported. A dataset read with {@link #read} that yields no task at all is refused with one
 * message naming the file ({@link DatasetException}).
 */
public final class DatasetLines {

    /** Lines longer than this are skipped as bad lines without being held in memory. */
    public static final int MAX_LINE_BYTES = 16 << 20;

    /** Receives each line in order. */
    public interface Sink {
        /** A line, decoded, without its line terminator. */
        void line(int number, String text);

        /** A line that could not be decoded, or damage in the compressed data (the read stops there). */
        void problem(DatasetReport.Issue issue);
    }

    /**
     * Turns one non-blank line into an item; returns null for a line that is not an item but fine
     * (a header); throws a {@link RuntimeException} to skip the line with its message as the reason,
     * or a {@link DatasetException} to refuse the whole file.
     */
    @FunctionalInterface
    public interface LineParser<T> {
        T parse(String text, int line);
    }

    /** The items read and the report of the lines skipped. */
    public record Read<T>(List<T> items, DatasetReport report) {
        public Read {
            items = List.copyOf(items);
        }
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final String TRAILING = "the file goes on after the end of its gzip data";

    /** A binary format's first bytes, and what to tell a user whose dataset starts with them. */
    private record Signature(byte[] magic, String hint) {
    }

    private static final String UTF16 = "the file starts with a UTF-16 byte-order mark: save it as UTF-8";
    private static final List<Signature> KNOWN = List.of(
            new Signature(new byte[] {(byte) 0xFF, (byte) 0xFE}, UTF16),
            new Signature(new byte[] {(byte) 0xFE, (byte) 0xFF}, UTF16),
            new Signature(new byte[] {'P', 'K', 3, 4}, "the file is a zip archive, not text: unpack it first"),
            new Signature(new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0},
                    "the file is xz-compressed: decompress it, or gzip it instead"),
            new Signature(new byte[] {'B', 'Z', 'h'}, "the file is bzip2-compressed: decompress it, or gzip it instead"),
            new Signature(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD},
                    "the file is zstd-compressed: decompress it, or gzip it instead"));

    private DatasetLines() {
    }

    /**
     * Reads a dataset: every non-blank line through {@code parser}, bad lines counted in the report.
     *
     * @throws UncheckedIOException when the file cannot be opened or read (the message names it and why)
     * @throws DatasetException     when no line yields an item: the file is empty, or every line is bad
     */
    public static <T> Read<T> read(Path file, LineParser<T> parser) {
        List<T> items = new ArrayList<>();
        List<DatasetReport.Issue> issues = new ArrayList<>();
        int[] counts = new int[3]; // lines, non-blank lines, lines the parser consumed without an item
        try {
            scan(file, new Sink() {
                @Override
                public void line(int number, String text) {
                    counts[0] = number;
                    if (text.isBlank()) {
                        return;
                    }
                    counts[1]++;
                    try {
                        T item = parser.parse(text, number);
                        if (item == null) {
                            counts[2]++;
                        } else {
                            items.add(item);
                        }
                    } catch (DatasetException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        issues.add(new DatasetReport.Issue(number, e.getMessage() == null ? e.toString() : e.getMessage()));
                    }
                }

                @Override
                public void problem(DatasetReport.Issue issue) {
                    counts[0] = Math.max(counts[0], issue.line());
                    if (!issue.message().startsWith(TRAILING)) {
                        counts[1]++;
                    }
                    issues.add(issue);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file.toAbsolutePath() + ": " + reason(e), e);
        }
        if (items.isEmpty()) {
            throw new DatasetException(noTasks(file, counts[0], counts[1] - counts[2], counts[2], issues));
        }
        return new Read<>(items, new DatasetReport(file.toString(), items.size(), issues));
    }

    private static String noTasks(Path file, int lines, int content, int headers, List<DatasetReport.Issue> issues) {
        String name = "no tasks in " + file.toAbsolutePath() + ": ";
        if (!issues.isEmpty()) {
            return name + content + (content == 1 ? " line" : " lines") + (headers > 0 ? " after the header" : "")
                    + ", all bad; first: " + issues.get(0);
        }
        if (lines == 0) {
            return name + "the file is empty";
        }
        return name + (headers > 0 ? "nothing after the header" : "only blank lines");
    }

    /**
     * Reads every line of a file into {@code sink}.
     *
     * @throws IOException when the file cannot be opened, or reading it fails (not for bad bytes or damaged gzip data,
     *                     which go to {@link Sink#problem})
     */
    public static void scan(Path file, Sink sink) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "it is a folder, not a file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 65_536)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                new Splitter(sink).run(raw);
                return;
            }
            GzipMembers in = new GzipMembers(raw);
            Splitter splitter = new Splitter(sink);
            try {
                splitter.run(in);
            } catch (GzipMembers.Damaged e) {
                sink.problem(new DatasetReport.Issue(splitter.number + 1,
                        "the compressed file is damaged or truncated: " + e.getMessage() + "; the rest was not read"));
                return;
            }
            if (in.trailing() != null) {
                sink.problem(new DatasetReport.Issue(splitter.number + 1, TRAILING + ": " + in.trailing()));
            }
        }
    }

    /** Why an I/O operation failed, as words (Java's file exceptions often carry just the path). */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Splits a byte stream into lines and decodes each. */
    private static final class Splitter {
        private final Sink sink;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] line = new byte[256];
        private int length;
        private boolean overlong;
        private int number;

        Splitter(Sink sink) {
            this.sink = sink;
        }

        void run(InputStream in) throws IOException {
            byte[] chunk = new byte[65_536];
            int read;
            boolean pending = false;
            while ((read = in.read(chunk)) >= 0) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (chunk[i] == '\n') {
                        append(chunk, from, i - from);
                        emit();
                        from = i + 1;
                    }
                }
                append(chunk, from, read - from);
                pending = length > 0 || overlong;
            }
            if (pending) {
                emit();
            }
        }

        /** What a first line that is not UTF-8 looks like, when it is a known binary format. */
        private static String hint(byte[] line, int length) {
            for (Signature known : KNOWN) {
                byte[] magic = known.magic();
                if (length >= magic.length && Arrays.equals(line, 0, magic.length, magic, 0, magic.length)) {
                    return " (" + known.hint() + ")";
                }
            }
            return "";
        }

        private void append(byte[] bytes, int from, int count) {
            if (overlong || count == 0) {
                return;
            }
            if ((long) length + count > MAX_LINE_BYTES) {
                overlong = true;
                length = 0;
                line = new byte[256];
                return;
            }
            if (length + count > line.length) {
                line = Arrays.copyOf(line, Math.max(length + count, Math.min(MAX_LINE_BYTES, line.length * 2)));
            }
            System.arraycopy(bytes, from, line, length, count);
            length += count;
        }

        private void emit() {
            number++;
            if (overlong) {
                overlong = false;
                sink.problem(new DatasetReport.Issue(number, "the line is longer than " + (MAX_LINE_BYTES >> 20)
                        + " MiB; skipped"));
                return;
            }
            int start = 0;
            int end = length;
            length = 0;
            if (end > 0 && line[end - 1] == '\r') {
                end--;
            }
            if (number == 1 && end >= 3 && Arrays.equals(line, 0, 3, BOM, 0, 3)) {
                start = 3;
            }
            ByteBuffer bytes = ByteBuffer.wrap(line, start, end - start);
            CharBuffer chars = CharBuffer.allocate(end - start);
            decoder.reset();
            CoderResult result = decoder.decode(bytes, chars, true);
            if (!result.isError()) {
                result = decoder.flush(chars);
            }
            if (result.isError()) {
                int at = bytes.position();
                String hint = number == 1 ? hint(line, end) : "";
                sink.problem(new DatasetReport.Issue(number, String.format("not valid UTF-8: byte 0x%02X at column %d%s",
                        line[at] & 0xff, at - start + 1, hint)));
                return;
            }
            sink.line(number, chars.flip().toString());
        }
    }
}
