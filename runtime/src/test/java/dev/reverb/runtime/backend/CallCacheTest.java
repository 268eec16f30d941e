package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallCacheTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CallContext CONTEXT = new CallContext("e1", "t1", "solver", "solver", 0, Phase.ANSWER);
    private static final Sampling SAMPLING = new Sampling(0.7, 1.0, 64, List.of("\n\n"), 7L, 0);

    @TempDir
    Path tmp;

    static GenerateRequest request(String text, Sampling sampling, int n, CallContext context) {
        return new GenerateRequest(List.of(ChatMessage.system("be brief"), ChatMessage.user(text)), sampling, n, context);
    }

    @Test
    void should_give_one_key_per_distinct_call_when_any_part_of_it_changes() {
        GenerateRequest base = request("2+2?", SAMPLING, 1, CONTEXT);
        List<String> keys = List.of(
                CallCache.key("openai|m|http://a", base, false),
                CallCache.key("openai|m|http://b", base, false),
                CallCache.key("openai|m|http://a", request("2+3?", SAMPLING, 1, CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", SAMPLING.withSeed(8L), 1, CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", SAMPLING.withSeed(null), 1, CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", new Sampling(0.0, 1.0, 64, List.of("\n\n"), 7L, 0), 1,
                        CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", new Sampling(0.7, 1.0, 65, List.of("\n\n"), 7L, 0), 1,
                        CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", new Sampling(0.7, 1.0, 64, List.of(), 7L, 0), 1,
                        CONTEXT), false),
                CallCache.key("openai|m|http://a", request("2+2?", SAMPLING, 2, CONTEXT), false),
                CallCache.key("openai|m|http://a", base, true),
                CallCache.key("openai|m|http://a", new ScoreRequest("2+2?", List.of("Step 1: 4"), CONTEXT), false));
        assertThat(new HashSet<>(keys)).hasSize(keys.size());
        assertThat(keys).allMatch(k -> k.matches("[0-9a-f]{64}"));
        // the call's ids are left out of the key unless asked for: another episode reuses the answer
        CallContext other = new CallContext("e2", "t9", "critic", "critic", 3, Phase.REVISE);
        assertThat(CallCache.key("openai|m|http://a", request("2+2?", SAMPLING, 1, other), false)).isEqualTo(keys.get(0));
        assertThat(CallCache.key("openai|m|http://a", request("2+2?", SAMPLING, 1, other), true)).isNotEqualTo(keys.get(9));
    }

    @Test
    void should_read_back_what_was_written_when_the_cache_is_reopened() throws Exception {
        String key = CallCache.key("m", request("q", SAMPLING, 1, CONTEXT), false);
        new CallCache(tmp).put(key, JSON.readTree("{\"texts\":[\"The answer is 4.\"]}"));

        Optional<JsonNode> back = new CallCache(tmp).get(key);

        assertThat(back).isPresent();
        assertThat(back.get().path("texts").get(0).asText()).isEqualTo("The answer is 4.");
        assertThat(new CallCache(tmp).get(CallCache.key("m", request("other", SAMPLING, 1, CONTEXT), false))).isEmpty();
    }

    @Test
    void should_treat_a_torn_entry_as_a_miss_and_replace_it_when_a_crash_cut_a_write_short() throws Exception {
        CallCache cache = new CallCache(tmp);
        String key = CallCache.key("m", request("q", SAMPLING, 1, CONTEXT), false);
        cache.put(key, JSON.readTree("{\"texts\":[\"The answer is 4.\"]}"));
        Path entry = cache.file(key);
        byte[] whole = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(whole, whole.length / 2)); // cut short, as by a crash
        Files.writeString(entry.resolveSibling(entry.getFileName() + ".dead.tmp"), "{\"key\":"); // a writer died

        assertThat(cache.get(key)).isEmpty();

        cache.put(key, JSON.readTree("{\"texts\":[\"The answer is 5.\"]}"));
        assertThat(cache.get(key).orElseThrow().path("texts").get(0).asText()).isEqualTo("The answer is 5.");
    }

    @Test
    void should_never_show_a_partial_entry_when_two_writers_race_on_the_same_keys() throws Exception {
        CallCache cache = new CallCache(tmp);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add(CallCache.key("m", request("question " + i, SAMPLING, 1, CONTEXT), false));
        }
        String big = "x".repeat(20_000); // big enough that a non-atomic write would be seen half done
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (String writer : List.of("A", "B")) {
            writers.add(pool.submit(() -> {
                start.await();
                for (int round = 0; round < 10; round++) {
                    for (String key : keys) {
                        new CallCache(tmp).put(key, JSON.createObjectNode().put("writer", writer).put("body", big));
                    }
                }
                return null;
            }));
        }
        Future<Integer> reader = pool.submit(() -> {
            start.await();
            int seen = 0;
            while (!writers.stream().allMatch(Future::isDone)) {
                for (String key : keys) {
                    Optional<JsonNode> v = cache.get(key);
                    if (v.isPresent()) {
                        assertThat(v.get().path("body").asText()).hasSize(big.length());
                        assertThat(v.get().path("writer").asText()).isIn("A", "B");
                        seen++;
                    }
                }
            }
            return seen;
        });
        start.countDown();
        for (Future<?> w : writers) {
            w.get(60, TimeUnit.SECONDS);
        }
        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        pool.shutdown();
        for (String key : keys) {
            assertThat(cache.get(key)).isPresent();
        }
        try (Stream<Path> files = Files.walk(tmp)) {
            assertThat(files.filter(f -> f.toString().endsWith(".tmp")).toList()).as("no temp file left").isEmpty();
        }
        Set<String> entries = new HashSet<>();
        try (Stream<Path> files = Files.walk(tmp)) {
            files.filter(Files::isRegularFile).forEach(f -> entries.add(f.getFileName().toString()));
        }
        assertThat(entries).hasSize(keys.size());
    }
}
