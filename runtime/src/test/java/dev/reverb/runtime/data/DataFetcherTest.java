package dev.reverb.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching a pinned file from a real HTTP server on loopback into a real folder. */
class DataFetcherTest {

    static final byte[] BYTES = "{\"question\": \"1+1?\", \"answer\": \"#### 2\"}\n".repeat(2000)
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    MirrorServer mirror;
    final DataFetcher fetcher = new DataFetcher(Duration.ofSeconds(5));

    @BeforeEach
    void start() throws IOException {
        mirror = new MirrorServer();
    }

    @AfterEach
    void stop() {
        mirror.close();
    }

    static String sha(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static DataFile pinned(String path, byte[] bytes) throws Exception {
        return new DataFile(path, URI.create("https://example.invalid/" + path), sha(bytes), bytes.length);
    }

    /** Every file under the folder, relative ('.part' files included). */
    List<String> files() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            return all.filter(Files::isRegularFile).map(p -> tmp.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void should_write_the_file_when_its_digest_is_the_pinned_one() throws Exception {
        mirror.put("gsm8k/test.jsonl", BYTES);

        DataFetcher.Outcome o = fetcher.fetch(pinned("gsm8k/test.jsonl", BYTES), tmp, mirror.base());

        assertThat(o.status()).isEqualTo(DataFetcher.Status.FETCHED);
        assertThat(o.target()).isEqualTo(tmp.resolve("gsm8k/test.jsonl"));
        assertThat(o.from()).isEqualTo(mirror.base().resolve("gsm8k/test.jsonl"));
        assertThat(Files.readAllBytes(o.target())).isEqualTo(BYTES);
        assertThat(files()).containsExactly("gsm8k/test.jsonl");
    }

    @Test
    void should_refuse_and_write_nothing_when_a_download_is_corrupted() throws Exception {
        byte[] corrupted = BYTES.clone();
        corrupted[100] ^= 1;
        mirror.put("gsm8k/test.jsonl", corrupted);
        DataFile file = pinned("gsm8k/test.jsonl", BYTES);

        assertThatThrownBy(() -> fetcher.fetch(file, tmp, mirror.base()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("refused " + mirror.base().resolve("gsm8k/test.jsonl"))
                .hasMessageContaining(sha(corrupted)).hasMessageContaining("not the pinned " + file.sha256())
                .hasMessageContaining("nothing was written to " + tmp.resolve("gsm8k/test.jsonl"));
        assertThat(files()).isEmpty();
    }

    @Test
    void should_refuse_a_body_longer_than_the_pinned_size_without_keeping_it() throws Exception {
        byte[] longer = (new String(BYTES, StandardCharsets.UTF_8) + "x".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        mirror.put("gsm8k/test.jsonl", longer);

        assertThatThrownBy(() -> fetcher.fetch(pinned("gsm8k/test.jsonl", BYTES), tmp, mirror.base()))
                .isInstanceOf(DataException.class).hasMessageContaining("more than the pinned " + BYTES.length + " bytes");
        assertThat(files()).isEmpty();
    }

    @Test
    void should_give_up_and_leave_no_partial_file_when_the_download_stalls_midway() throws Exception {
        mirror.put("gsm8k/test.jsonl", BYTES).cut("gsm8k/test.jsonl", 1000);
        DataFetcher impatient = new DataFetcher(Duration.ofSeconds(1));
        long start = System.nanoTime();

        assertThatThrownBy(() -> impatient.fetch(pinned("gsm8k/test.jsonl", BYTES), tmp, mirror.base()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("could not fetch gsm8k/test.jsonl from " + mirror.base().resolve("gsm8k/test.jsonl"))
                .hasMessageContaining("no data for 1 s after 1000 bytes; gave up");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(files()).isEmpty();
    }

    @Test
    void should_remove_what_a_killed_fetch_left_when_fetching_again() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("gsm8k"));
        Path stale = Files.writeString(folder.resolve(".test.jsonl.123.part"), "half a file");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path fresh = Files.writeString(folder.resolve(".test.jsonl.456.part"), "a fetch still running");
        mirror.put("gsm8k/test.jsonl", BYTES);

        fetcher.fetch(pinned("gsm8k/test.jsonl", BYTES), tmp, mirror.base());

        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(files()).containsExactly("gsm8k/.test.jsonl.456.part", "gsm8k/test.jsonl");
    }

    @Test
    void should_not_download_again_when_the_file_is_there_with_the_pinned_digest() throws Exception {
        mirror.put("game24/24.csv", BYTES);
        DataFile file = pinned("game24/24.csv", BYTES);
        fetcher.fetch(file, tmp, mirror.base());
        long modified = Files.getLastModifiedTime(tmp.resolve("game24/24.csv")).toMillis();

        DataFetcher.Outcome again = fetcher.fetch(file, tmp, mirror.base());

        assertThat(again.status()).isEqualTo(DataFetcher.Status.PRESENT);
        assertThat(mirror.requests()).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(tmp.resolve("game24/24.csv")).toMillis()).isEqualTo(modified);
    }

    @Test
    void should_replace_a_file_with_another_digest_and_keep_it_when_the_download_is_refused() throws Exception {
        Path target = tmp.resolve("game24/24.csv");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "stale");
        DataFile file = pinned("game24/24.csv", BYTES);
        mirror.put("game24/24.csv", "also wrong".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> fetcher.fetch(file, tmp, mirror.base())).isInstanceOf(DataException.class);
        assertThat(target).hasContent("stale");
        assertThat(files()).containsExactly("game24/24.csv");

        mirror.put("game24/24.csv", BYTES);
        assertThat(fetcher.fetch(file, tmp, mirror.base()).status()).isEqualTo(DataFetcher.Status.REPLACED);
        assertThat(Files.readAllBytes(target)).isEqualTo(BYTES);
    }

    @Test
    void should_name_the_address_and_status_when_the_server_answers_404() throws Exception {
        assertThatThrownBy(() -> fetcher.fetch(pinned("math500/test.jsonl", BYTES), tmp, mirror.base()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining(mirror.base().resolve("math500/test.jsonl") + " answered HTTP 404");
        assertThat(files()).isEmpty();
    }

    @Test
    void should_say_connection_refused_when_nothing_listens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI dead = URI.create("http://127.0.0.1:" + port + "/");

        assertThatThrownBy(() -> fetcher.fetch(pinned("gsm8k/test.jsonl", BYTES), tmp, dead))
                .isInstanceOf(DataException.class).hasMessageContaining("http://127.0.0.1:" + port + "/gsm8k/test.jsonl")
                .hasMessageContaining("onnect");
        assertThat(files()).isEmpty();
    }

    @Test
    void should_copy_from_a_local_mirror_folder_when_given_a_file_address() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("mirror/humaneval"));
        Files.write(folder.resolve("HumanEval.jsonl.gz"), BYTES);
        Path data = tmp.resolve("data");

        DataFetcher.Outcome o = fetcher.fetch(pinned("humaneval/HumanEval.jsonl.gz", BYTES), data,
                tmp.resolve("mirror").toUri());

        assertThat(o.status()).isEqualTo(DataFetcher.Status.FETCHED);
        assertThat(Files.readAllBytes(data.resolve("humaneval/HumanEval.jsonl.gz"))).isEqualTo(BYTES);
    }
}
