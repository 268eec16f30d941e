package dev.reverb.runtime.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A reusable, growable buffer of UTF-8 bytes that JSON lines are written into: fixed ASCII parts as
 * pre-encoded bytes ({@link #field}), strings escaped and encoded in one pass ({@link #string}), numbers
 * as digits, without a String or char buffer in between. The bytes are what
 * {@code Json.MAPPER.writeValueAsString(...).getBytes(UTF_8)} makes of the same values: Jackson's
 * default escapes (short forms for \b \t \n \f \r, {@code \\u00XX} for other chars below 0x20, {@code \"}
 * and {@code \\}, nothing else), every other char as UTF-8, a surrogate pair as one 4-byte sequence and a
 * lone surrogate as {@code ?} (the JDK encoder's replacement). Not thread-safe.
 */
final class JsonBytes {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));

    private byte[] bytes;
    private int size;

    JsonBytes(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    /** The bytes of an ASCII text, for the fixed parts of a line. */
    static byte[] ascii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                throw new IllegalArgumentException("not ASCII: " + text);
            }
        }
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes of {@code ,"name":}, to put before a field's value. */
    static byte[] field(String name) {
        return ascii(",\"" + name + "\":");
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    /** Writes bytes {@code from} to {@code to} to {@code channel}, all of them. */
    void writeTo(WritableByteChannel channel, int from, int to) throws IOException {
        ByteBuffer view = ByteBuffer.wrap(bytes, from, to - from);
        while (view.hasRemaining()) {
            channel.write(view);
        }
    }

    @Override
    public String toString() {
        return new String(bytes, 0, size, StandardCharsets.UTF_8);
    }

    JsonBytes raw(byte[] part) {
        ensure(part.length);
        System.arraycopy(part, 0, bytes, size, part.length);
        size += part.length;
        return this;
    }

    /** Appends the bytes {@link String#getBytes(java.nio.charset.Charset) getBytes(UTF_8)} makes of {@code text}. */
    JsonBytes utf8(String text) {
        return raw(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An ASCII char. */
    JsonBytes raw(char ch) {
        ensure(1);
        bytes[size++] = (byte) ch;
        return this;
    }

    JsonBytes bool(boolean value) {
        return raw(value ? TRUE : FALSE);
    }

    /** {@code value} in decimal, as {@link Long#toString(long)} writes it. */
    JsonBytes number(long value) {
        if (value == Long.MIN_VALUE) {
            return raw(LONG_MIN);
        }
        ensure(20);
        if (value < 0) {
            bytes[size++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        int end = size + digits;
        for (int i = end - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + (int) (value % 10));
            value /= 10;
        }
        size = end;
        return this;
    }

    /** {@code value} in decimal with exactly {@code digits} digits (leading zeros), {@code value >= 0}. */
    JsonBytes digits(int value, int digits) {
        ensure(digits);
        for (int i = size + digits - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
        return this;
    }

    /**
     * {@code text} as a quoted JSON string ({@code null} for null), in one pass over its chars: they are
     * copied a chunk at a time into a reusable char array ({@link String#getChars}, a vectorised copy),
     * and each plain ASCII char is stored as its byte, the rest escaped or encoded.
     */
    JsonBytes string(String text) {
        if (text == null) {
            return raw(NULL);
        }
        int n = text.length();
        ensure(n + 2);
        bytes[size++] = '"';
        for (int from = 0; from < n; ) {
            int to = Math.min(n, from + CHUNK);
            if (to < n && Character.isHighSurrogate(text.charAt(to - 1))) {
                to--; // a surrogate pair stays in one chunk
            }
            text.getChars(from, to, chars, 0);
            chunk(to - from, n - to);
            from = to;
        }
        bytes[size++] = '"';
        return this;
    }

    /** Chars of one string a chunk holds at most. */
    private static final int CHUNK = 2048;
    private final char[] chars = new char[CHUNK];

    /**
     * Writes the first {@code length} chars of {@link #chars}, with room for one byte each left (and for
     * {@code after} more chars and the closing quote, so the caller's room for the whole string holds).
     */
    private void chunk(int length, int after) {
        char[] in = chars;
        byte[] out = bytes;
        int p = size;
        for (int i = 0; i < length; i++) {
            char ch = in[i];
            if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
                out[p++] = (byte) ch;
                continue;
            }
            size = p;
            ensure(6 + (length - i) + after + 1);
            out = bytes;
            if (ch < 0x80) {
                escape(ch);
            } else if (ch < 0x800) {
                out[size++] = (byte) (0xC0 | ch >> 6);
                out[size++] = (byte) (0x80 | ch & 0x3F);
            } else if (!Character.isSurrogate(ch)) {
                out[size++] = (byte) (0xE0 | ch >> 12);
                out[size++] = (byte) (0x80 | ch >> 6 & 0x3F);
                out[size++] = (byte) (0x80 | ch & 0x3F);
            } else if (Character.isHighSurrogate(ch) && i + 1 < length && Character.isLowSurrogate(in[i + 1])) {
                int cp = Character.toCodePoint(ch, in[++i]);
                out[size++] = (byte) (0xF0 | cp >> 18);
                out[size++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[size++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[size++] = (byte) (0x80 | cp & 0x3F);
            } else {
                out[size++] = '?'; // a lone surrogate: what String.getBytes(UTF_8) writes for it
            }
            p = size;
        }
        size = p;
    }

    /** Jackson's escape of a char below 0x20, {@code "} or {@code \}. */
    private void escape(char ch) {
        bytes[size++] = '\\';
        switch (ch) {
            case '"' -> bytes[size++] = '"';
            case '\\' -> bytes[size++] = '\\';
            case '\b' -> bytes[size++] = 'b';
            case '\t' -> bytes[size++] = 't';
            case '\n' -> bytes[size++] = 'n';
            case '\f' -> bytes[size++] = 'f';
            case '\r' -> bytes[size++] = 'r';
            default -> {
                bytes[size++] = 'u';
                bytes[size++] = '0';
                bytes[size++] = '0';
                bytes[size++] = HEX[ch >> 4];
                bytes[size++] = HEX[ch & 0xF];
            }
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
