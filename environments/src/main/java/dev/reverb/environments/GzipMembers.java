package dev.reverb.environments;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The uncompressed bytes of a gzip file (RFC 1952), checked strictly, unlike
 * {@link java.util.zip.GZIPInputStream}, which stops quietly at bytes after the last member:
 * <ul>
 *   <li>several members one after another are one stream (RFC 1952 section 2.2; what
 *       {@code cat a.gz b.gz} and {@code gzip} itself produce), read in order;</li>
 *   <li>bytes after the last member that are not another member are not read as data: the stream
 *       ends there and {@link #trailing()} describes them, so the reader can report them;</li>
 *   <li>a file that ends inside a member, or whose data or CRC-32/length trailer does not check,
 *       throws {@link Damaged} with the byte offset in the compressed file.</li>
 * </ul>
 */
final class GzipMembers extends InputStream {

    /** The compressed file is damaged at a known place; the message says where and how. */
    static final class Damaged extends IOException {
        private static final long serialVersionUID = 1L;

        Damaged(String message) {
            super(message);
        }
    }

    private final PushbackInputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] buffer = new byte[65_536];
    private final byte[] one = new byte[1];
    private int buffered;
    private long position;
    private boolean inMember;
    private boolean done;
    private int members;
    private String trailing;

    GzipMembers(InputStream raw) {
        this.in = new PushbackInputStream(raw, 65_536);
    }

    /** Bytes after the last member that are not gzip data, described; null when there were none. */
    String trailing() {
        return trailing;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!done) {
            if (!inMember) {
                if (!startMember()) {
                    done = true;
                    return -1;
                }
                inMember = true;
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new Damaged("the compressed data of member " + members + " is corrupt near byte " + position
                        + " (" + e.getMessage() + ")");
            }
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                int remaining = inflater.getRemaining();
                if (remaining > 0) {
                    in.unread(buffer, buffered - remaining, remaining);
                    position -= remaining;
                }
                endMember();
                inMember = false;
            } else if (inflater.needsDictionary()) {
                throw new Damaged("the compressed data of member " + members + " asks for a preset dictionary,"
                        + " which gzip never uses (near byte " + position + ")");
            } else if (inflater.needsInput()) {
                buffered = in.read(buffer);
                if (buffered < 0) {
                    throw new Damaged("the file ends inside the compressed data at byte " + position + " (truncated)");
                }
                position += buffered;
                inflater.setInput(buffer, 0, buffered);
            } else {
                throw new Damaged("the compressed data of member " + members + " cannot be decoded near byte " + position);
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    /** Reads the next member's header; false at the end of the file or at bytes that are not a member. */
    private boolean startMember() throws IOException {
        int first = in.read();
        if (first < 0) {
            return false;
        }
        int second = in.read();
        if (first != 0x1f || second != 0x8b) {
            long count = second < 0 ? 1 : 2;
            boolean zeros = first == 0 && second <= 0;
            int b;
            while ((b = in.read()) >= 0) {
                count++;
                zeros &= b == 0;
            }
            trailing = count + " byte(s) from byte " + position + " are " + (zeros ? "zero padding" : "not gzip data")
                    + " and were not read";
            return false;
        }
        position += 2;
        int method = next();
        if (method != 8) {
            throw new Damaged("member " + (members + 1) + " uses compression method " + method
                    + " (only 8, deflate, exists) at byte " + (position - 1));
        }
        int flags = next();
        skip(6); // modification time, extra flags, operating system
        if ((flags & 4) != 0) {
            skip(next() | next() << 8);
        }
        if ((flags & 8) != 0) {
            while (next() != 0) {
                // file name
            }
        }
        if ((flags & 16) != 0) {
            while (next() != 0) {
                // comment
            }
        }
        if ((flags & 2) != 0) {
            skip(2);
        }
        members++;
        inflater.reset();
        crc.reset();
        return true;
    }

    private void endMember() throws IOException {
        long expectedCrc = word();
        long expectedSize = word();
        if (expectedCrc != crc.getValue()) {
            throw new Damaged("member " + members + " fails its CRC-32 check (the data is corrupt) at byte "
                    + (position - 8));
        }
        if (expectedSize != (inflater.getBytesWritten() & 0xffff_ffffL)) {
            throw new Damaged("member " + members + " has the wrong length in its trailer at byte " + (position - 4));
        }
    }

    private long word() throws IOException {
        return next() | (long) next() << 8 | (long) next() << 16 | (long) next() << 24;
    }

    private void skip(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            next();
        }
    }

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new Damaged("the file ends at byte " + position + ", inside a gzip header or trailer (truncated)");
        }
        position++;
        return b;
    }
}
