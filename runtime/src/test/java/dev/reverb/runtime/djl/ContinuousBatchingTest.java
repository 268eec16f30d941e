package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Sampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Continuous batching on the real tiny fixtures: sequences of different prompt lengths and token
 * limits join and leave a running batch at different steps, and each one's tokens are exactly those
 * it gets when decoded alone.
 */
class ContinuousBatchingTest {

    static Path fixture(String name) {
        Path dir = Stories260kTest.DIR.resolveSibling(name);
        Assumptions.assumeTrue(Files.exists(dir.resolve("tokenizer.json")), name + " not present at " + dir);
        return dir;
    }

    static final Set<Integer> EOS = Set.of(2);

    @ParameterizedTest
    @ValueSource(strings = {"stories260k", "qwen2-tiny"})
    void should_decode_each_sequence_as_if_alone_when_sequences_join_and_leave_at_different_steps(String name)
            throws Exception {
        try (LlamaModel model = LlamaModel.load(fixture(name), Device.cpu(), DataType.FLOAT32)) {
            Random random = new Random(12);
            List<int[]> prompts = new ArrayList<>();
            List<Generator.Params> params = new ArrayList<>();
            List<Integer> arrival = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                int[] prompt = new int[2 + random.nextInt(40)];
                prompt[0] = 1;
                for (int t = 1; t < prompt.length; t++) {
                    prompt[t] = 3 + random.nextInt(model.config().vocabSize() - 3);
                }
                prompts.add(prompt);
                // every fourth one samples (seeded), the others are greedy
                params.add(i % 4 == 3 ? new Generator.Params(4 + random.nextInt(40), 0.9, 20, 0.95, i, EOS, t -> false)
                        : Generator.Params.greedy(1 + random.nextInt(48), EOS));
                arrival.add(random.nextInt(40));
            }
            Map<Integer, Generator.Output> together = new HashMap<>();
            int most = 0;
            try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(model, 4)) {
                Deque<Integer> waiting = new ArrayDeque<>();
                for (int step = 0; together.size() < prompts.size(); step++) {
                    for (int i = 0; i < prompts.size(); i++) {
                        if (arrival.get(i) == step) {
                            waiting.add(i);
                        }
                    }
                    List<ContinuousBatch.Entry<Integer>> joining = new ArrayList<>();
                    while (joining.size() < batch.free() && !waiting.isEmpty()) {
                        int i = waiting.poll();
                        joining.add(new ContinuousBatch.Entry<>(prompts.get(i), params.get(i), i));
                    }
                    batch.admit(joining).forEach(f -> together.put(f.tag(), f.output()));
                    most = Math.max(most, batch.running());
                    batch.step().forEach(f -> together.put(f.tag(), f.output()));
                }
            }
            assertThat(most).isEqualTo(4);
            assertThat(model.stats().placements()).as("sequences written into the rows of ended ones").isPositive();
            for (int i = 0; i < prompts.size(); i++) {
                Generator.Output alone = Generator.generate(model, List.of(prompts.get(i)), List.of(params.get(i))).get(0);
                assertThat(together.get(i)).as("sequence %d", i).isEqualTo(alone);
                assertThat(alone.tokens()).isNotEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260k", "qwen2-tiny"})
    void should_answer_staggered_requests_like_one_at_a_time_when_the_backend_batches_continuously(String name)
            throws Exception {
        Path dir = fixture(name);
        List<String> words = List.of("Once", "upon", "a", "time", "there", "was", "a", "little", "girl", "named",
                "Lily", "who", "loved", "to", "play", "in", "the", "park", "with", "her", "dog");
        Random random = new Random(5);
        List<String> prompts = new ArrayList<>();
        List<Sampling> samplings = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            prompts.add(String.join(" ", words.subList(0, 1 + random.nextInt(words.size()))));
            samplings.add(i % 5 == 4 ? new Sampling(0.8, 0.9, 8 + random.nextInt(40), List.of(), (long) i)
                    : new Sampling(0, 1, 1 + random.nextInt(64), List.of(), 1L));
        }
        List<Generation> together = new ArrayList<>();
        int joinedRunning = 0;
        try (DjlBackend backend = new DjlBackend(dir, "cpu", "float32", 4, Duration.ofMillis(5), 100, null,
                DjlBackend.Batching.CONTINUOUS)) {
            List<CompletableFuture<Generation>> stages = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                joinedRunning += stages.stream().anyMatch(s -> !s.isDone()) ? 1 : 0;
                stages.add(backend.generate(DjlBackendTest.request(prompts.get(i), 1 + i % 3 / 2, samplings.get(i)))
                        .toCompletableFuture());
                Thread.sleep(random.nextInt(15));
            }
            stages.forEach(s -> together.add(s.join()));
        }
        try (DjlBackend alone = new DjlBackend(dir, "cpu", "float32", 1, Duration.ZERO, 100, null,
                DjlBackend.Batching.STATIC)) {
            for (int i = 0; i < prompts.size(); i++) {
                Generation one = alone.generate(DjlBackendTest.request(prompts.get(i), 1 + i % 3 / 2, samplings.get(i)))
                        .toCompletableFuture().join();
                assertThat(together.get(i).texts()).as("request %d", i).isEqualTo(one.texts());
                assertThat(together.get(i).completionTokens()).isEqualTo(one.completionTokens()).isPositive();
                assertThat(together.get(i).promptTokens()).isEqualTo(one.promptTokens());
            }
        }
        assertThat(joinedRunning).as("requests sent while others were decoding").isGreaterThan(prompts.size() / 2);
    }

    @org.junit.jupiter.api.Test
    void should_answer_every_request_when_the_backend_closes_while_decoding() throws Exception {
        CompletableFuture<Generation> decoding;
        CompletableFuture<Generation> waiting;
        try (DjlBackend backend = new DjlBackend(fixture("stories260k"), "cpu", "float32", 1, Duration.ZERO, 100, null,
                DjlBackend.Batching.CONTINUOUS)) {
            Sampling longer = new Sampling(1.0, 1, 400, List.of(), 3L);
            decoding = backend.generate(DjlBackendTest.request("Once upon a time", 1, longer)).toCompletableFuture();
            waiting = backend.generate(DjlBackendTest.request("One day", 1, longer)).toCompletableFuture();
            Thread.sleep(200);
        }
        assertThat(CompletableFuture.allOf(decoding, waiting).handle((ok, error) -> true))
                .succeedsWithin(Duration.ofSeconds(10));
    }
}
