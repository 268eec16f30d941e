package dev.reverb.agents;

import java.nio.charset.StandardCharsets;

/** Derives independent, reproducible seeds from a base seed and names (SplitMix64 over FNV-1a). */
public final class Seeds {

    private Seeds() {
    }

    public static long mix(long base, Object... parts) {
        long h = base ^ 0x9E3779B97F4A7C15L;
        for (Object part : parts) {
            h = splitMix(fnv(h, String.valueOf(part)));
        }
        return h;
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
            h ^= text.charAt(i);
            h *= 0x100000001B3L;
        }
        return h;
    }

    private static long fnvBytes(long h, byte[] bytes) {
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001B3L;
        }
        return h;
    }

    /** A uniform double in [0, 1) derived from the seed and names. */
    public static double uniform(long base, Object... parts) {
        return (mix(base, parts) >>> 11) * 0x1.0p-53;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
