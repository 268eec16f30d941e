package dev.reverb.memory;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Verifies the files of a store's latest commit against the checksums Lucene writes at the end of
 * each. {@link LuceneStore} does it on every open: every byte of a store up to
 * {@link #FULL_CHECK_BYTES} (a fraction of a second), only each file's length and footer above that
 * (truncation, bytes appended, a file replaced by another); {@link #check(Path)} (the CLI's
 * {@code reverb memory check}) reads every byte whatever the size. A failure is a
 * {@link StoreException} naming the store, the file and the cause.
 */
public final class StoreCheck {

    /** Stores up to this size have every byte verified on open. */
    public static final long FULL_CHECK_BYTES = 256L << 20;

    private static final Pattern RESOURCE = Pattern.compile("path=\"([^\"]+)\"|resource=([^\\s)]+)");

    /**
     * What a check read.
     *
     * @param files the files of the latest commit
     * @param bytes their total size
     * @param full  whether every byte was verified (false: lengths and footers only)
     */
    public record Result(int files, long bytes, boolean full) {
    }

    private StoreCheck() {
    }

    /**
     * Verifies every byte of the store in {@code folder}.
     *
     * @throws StoreException when there is no store there or it is damaged
     */
    public static Result check(Path folder) throws IOException {
        requireFolder(folder);
        try (FSDirectory dir = FSDirectory.open(folder)) {
            Result result = verify(folder, dir, Long.MAX_VALUE);
            if (result == null) {
                throw new StoreException("no memory store at " + folder + ": the folder holds no Lucene index");
            }
            return result;
        }
    }

    /** Refuses a path that exists and is not a folder. */
    static void requireFolder(Path folder) throws StoreException {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new StoreException(folder + " is a file, not a folder: a memory store is a folder (memory.folder)");
        }
    }

    /**
     * Verifies a directory's latest commit: every byte of its files when they total at most
     * {@code fullUpTo} bytes, else their footers; null when it holds no index.
     */
    static Result verify(Path folder, Directory dir, long fullUpTo) throws StoreException {
        String segments;
        String[] all;
        try {
            all = dir.listAll();
            segments = SegmentInfos.getLastCommitSegmentsFileName(all);
        } catch (IOException e) {
            throw new StoreException("cannot list the memory store at " + folder + ": " + reason(e), e);
        }
        if (segments == null) {
            for (String name : all) {
                if (name.startsWith("_")) { // segment files without a commit: opening would start afresh and delete them
                    throw new StoreException("the memory store at " + folder + " is damaged: it holds index files ("
                            + name + " ...) but no segments_N commit file; restore the folder from a backup or an"
                            + " export, or delete it to start an empty store");
                }
            }
            return null;
        }
        checksum(folder, dir, segments, true);
        Collection<String> files;
        try {
            files = SegmentInfos.readCommit(dir, segments).files(false);
        } catch (IOException | RuntimeException e) {
            throw damaged(folder, fileOf(e, segments), e);
        }
        List<String> names = new ArrayList<>(files);
        long total = 0;
        for (String name : names) {
            try {
                total += dir.fileLength(name);
            } catch (IOException e) {
                throw damaged(folder, name, e);
            }
        }
        boolean every = total <= fullUpTo;
        for (String name : names) {
            checksum(folder, dir, name, every);
        }
        return new Result(names.size() + 1, total, every);
    }

    private static void checksum(Path folder, Directory dir, String name, boolean full) throws StoreException {
        try (IndexInput in = dir.openInput(name, IOContext.READONCE)) {
            if (full) {
                CodecUtil.checksumEntireFile(in);
            } else {
                CodecUtil.retrieveChecksum(in);
            }
        } catch (IOException | RuntimeException e) {
            throw damaged(folder, name, e);
        }
    }

    /** Why opening a verified store for reading or writing failed, as a sentence. */
    static StoreException openFailed(Path folder, Exception e) {
        if (e instanceof LockObtainFailedException) {
            return new StoreException("the memory store at " + folder + " is in use by another process or run"
                    + " (its write lock is held); try again when it ends", e);
        }
        if (e instanceof FileSystemException f && !(e instanceof NoSuchFileException)) {
            return new StoreException("cannot open the memory store at " + folder + ": " + reason(f), e);
        }
        return damaged(folder, fileOf(e, "the index"), e);
    }

    static StoreException damaged(Path folder, String file, Throwable e) {
        if (e instanceof AccessDeniedException) {
            return new StoreException("cannot read the memory store at " + folder + ": " + file + ": permission denied", e);
        }
        return new StoreException("the memory store at " + folder + " is damaged: " + file + ": " + cause(e)
                + "; run `reverb memory check " + folder + "` to verify every file, and restore the folder from a"
                + " backup or an export", e);
    }

    /** The file an exception from Lucene names, or {@code fallback}. */
    static String fileOf(Throwable e, String fallback) {
        String text = e instanceof CorruptIndexException c ? c.getResourceDescription() : e.getMessage();
        if (e instanceof NoSuchFileException n && n.getFile() != null) {
            return Path.of(n.getFile()).getFileName().toString();
        }
        if (text != null) {
            Matcher m = RESOURCE.matcher(text);
            if (m.find()) {
                String path = m.group(1) != null ? m.group(1) : m.group(2);
                return Path.of(path).getFileName().toString();
            }
        }
        return fallback;
    }

    /** What is wrong with a file, in words. */
    static String cause(Throwable e) {
        if (e instanceof NoSuchFileException) {
            return "the file is missing";
        }
        if (e instanceof EOFException) {
            return "the file is truncated";
        }
        if (e instanceof IndexFormatTooOldException || e instanceof IndexFormatTooNewException) {
            return "not written by a Lucene version this Reverb reads, or overwritten by other data";
        }
        if (e instanceof CorruptIndexException c) {
            String message = c.getOriginalMessage();
            if (message.startsWith("checksum failed")) {
                return "its checksum does not match (the bytes were changed after it was written)";
            }
            if (message.startsWith("codec footer mismatch") || message.startsWith("misplaced codec footer")) {
                return "its end is not a Lucene footer (the file was truncated, cut or appended to)";
            }
            if (message.startsWith("codec header mismatch")) {
                return "it does not start with a Lucene header (overwritten by other data?)";
            }
            return message;
        }
        return e instanceof IOException io ? reason(io) : String.valueOf(e.getMessage());
    }

    /** Why an I/O operation failed, as words (Java's file exceptions often carry just the path). */
    static String reason(IOException e) {
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
}
