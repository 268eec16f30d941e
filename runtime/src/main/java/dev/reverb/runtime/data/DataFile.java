package dev.reverb.runtime.data;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One file of a public dataset: where it goes under the data folder, where it is published, and
 * the SHA-256 of its published bytes.
 *
 * @param path   the file's place under the data folder, with '/' ({@code gsm8k/test.jsonl})
 * @param url    the canonical public address, pinned to a commit
 * @param sha256 the SHA-256 of the file's bytes, lowercase hex
 * @param bytes  the file's size
 */
public record DataFile(String path, URI url, String sha256, long bytes) {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    public DataFile {
        Objects.requireNonNull(url, "url");
        if (path == null || !PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("a data file path is relative and plain, got " + path);
        }
        sha256 = sha256 == null ? null : sha256.toLowerCase(Locale.ROOT);
        if (sha256 == null || !HEX.matcher(sha256).matches()) {
            throw new IllegalArgumentException("a SHA-256 is 64 hex digits, got " + sha256);
        }
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes must be positive, got " + bytes);
        }
    }

    /** The file's name ({@code test.jsonl}). */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
