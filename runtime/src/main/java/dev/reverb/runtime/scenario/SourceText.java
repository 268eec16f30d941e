package dev.reverb.runtime.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A scenario file's text: at most {@link #MAX_BYTES}, strictly UTF-8. A file too large is refused
 * before it is read; a byte that is not UTF-8 is reported at its line and column.
 */
final class SourceText {

    /** The largest scenario file read (1 MiB): scenario files are a few kilobytes. */
    static final int MAX_BYTES = 1 << 20;

    private SourceText() {
    }

    /** The file's text, or null after adding the problem that stops it being read. */
    static String read(Path file, List<Problem> problems) {
        String name = file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                problems.add(new Problem(name, 0, 0, "", "is a folder, not a scenario file"));
                return null;
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (IOException e) {
            problems.add(new Problem(name, 0, 0, "", "cannot read the scenario file: " + e.getMessage()));
            return null;
        }
        if (bytes.length > MAX_BYTES) {
            problems.add(new Problem(name, 1, 1, "", "the file is larger than " + (MAX_BYTES >> 10)
                    + " KiB: a scenario file is a few kilobytes of YAML"));
            return null;
        }
        return decode(bytes, name, problems);
    }

    /** Strict UTF-8 (a leading byte-order mark is dropped); null after a problem at the first bad byte. */
    static String decode(byte[] bytes, String name, List<Problem> problems) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            out.flip();
            int line = 1;
            int column = 1;
            while (out.hasRemaining()) {
                char c = out.get();
                if (c == '\n') {
                    line++;
                    column = 1;
                } else if (!Character.isLowSurrogate(c)) {
                    column++;
                }
            }
            problems.add(new Problem(name, line, column, "", String.format(
                    "not UTF-8: byte 0x%02X at offset %d; save the file as UTF-8", bytes[in.position()] & 0xFF,
                    in.position())));
            return null;
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
