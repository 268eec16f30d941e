package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local model's identity follows what its folder holds, not where the folder is. */
class FolderDigestTest {

    @TempDir
    Path tmp;

    @Test
    void should_change_the_digest_when_the_config_changes_and_keep_it_when_the_folder_is_copied() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a/model"));
        Files.writeString(a.resolve("config.json"), "{\"hidden_size\": 64}");
        Files.write(a.resolve("model.safetensors"), new byte[1000]);
        Path b = Files.createDirectories(tmp.resolve("b/model"));
        Files.copy(a.resolve("config.json"), b.resolve("config.json"));
        Files.copy(a.resolve("model.safetensors"), b.resolve("model.safetensors"));

        String before = FolderDigest.of(a);

        assertThat(before).startsWith("sha256:").hasSize("sha256:".length() + 16);
        assertThat(FolderDigest.of(b)).isEqualTo(before);
        Files.writeString(a.resolve("config.json"), "{\"hidden_size\": 65}");
        assertThat(FolderDigest.of(a)).isNotEqualTo(before);
    }
}
