package dev.reverb.agents;

import java.nio.charset.StandardCharsets;

/** Derives independent, reproducible seeds from a base seed and names (SplitMix64 over FNV-1a). */
public final class Seeds {

    private Seeds() {
    }

    public static long mix(long base, Object... parts) {
        long h = start(base);
        for (Object part : parts) {
            h = then(h, String.valueOf(part));
        }
        return h;
    }

    /**
     * The state {@link #mix} starts from: {@code mix(base, a, b)} is {@code then(then(start(base), a), b)},
     * so a caller that mixes several seeds with the same first parts mixes those once (this runs per
     * agent turn) and no part is boxed or turned into text.
     */
    public static long start(long base) {
        return base ^ 0x9E3779B97F4A7C15L;
    }

    /** The state after one more part ({@link #start}): the part's text hashed in. */
    public static long then(long state, String part) {
        return splitMix(fnv(state, part));
    }

    /** {@link #then(long, String)} for a number: the same as its decimal text, without making the text. */
    public static long then(long state, long part) {
        if (part < 0) {
            return then(state, Long.toString(part));
        }
        long h = state;
        long power = 1;
        while (power <= part / 10) {
            power *= 10;
        }
        for (; power > 0; power /= 10) {
            h = fnvStep(h, (int) ('0' + (part / power) % 10));
        }
        return splitMix(h);
    }

    /** A uniform double in [0, 1) from a mixed state ({@link #start}, {@link #then}): as {@link #uniform(long, Object...)}. */
    public static double uniformOf(long state) {
        return (state >>> 11) * 0x1.0p-53;
    }

    /**
     * FNV-1a over the text's UTF-8 bytes; an ASCII text (the usual case: names, ids, numbers) is
     * hashed char by char, as its bytes are its chars, without encoding it (this runs per agent turn).
     */
    private static long fnv(long h, String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (text.charAt(i) >= 0x80) {
                return fnvBytes(h, text.getBytes(StandardCharsets.UTF_8));
            }
        }
        for (int i = 0; i < n; i++) {
            h = fnvStep(h, text.charAt(i));
        }
        return h;
    }

    private static long fnvBytes(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = fnvStep(h, b & 0xff);
        }
        return h;
    }

    /** FNV-1a's step for one byte. */
    private static long fnvStep(long h, int b) {
        return (h ^ b) * 0x100000001B3L;
    }

    /** A uniform double in [0, 1) derived from the seed and names. */
    public static double uniform(long base, Object... parts) {
        return uniformOf(mix(base, parts));
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
