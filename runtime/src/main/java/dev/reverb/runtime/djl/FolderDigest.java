package dev.reverb.runtime.djl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local model folder's identity: a SHA-256 over the bytes of its small files (config,
 * tokenizer, templates) and the name, size and modification time of its large ones (weights),
 * so it follows what the folder holds, not where it is, and costs no read of the weights.
 */
final class FolderDigest {

    private FolderDigest() {
    }

    /** {@code sha256:} and the first 16 hex digits of the digest of {@code dir}'s regular files. */
    static String of(Path dir) throws IOException {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        java.util.List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            long size = Files.size(f);
            sha.update((f.getFileName() + "\0" + size + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (size <= 1 << 20) {
                sha.update(Files.readAllBytes(f));
            } else {
                sha.update(Files.getLastModifiedTime(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return "sha256:" + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }
}
