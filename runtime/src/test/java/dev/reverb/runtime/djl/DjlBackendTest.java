package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process backend on real weights and a real tokenizer (stories260K). */
class DjlBackendTest {

    static DjlBackend backend;

    @BeforeAll
    static void load() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.exists(Stories260kTest.DIR.resolve("tokenizer.json")), "no stories260k");
        backend = new DjlBackend(Stories260kTest.DIR, "cpu", "float32", 8, Duration.ofMillis(300), 100,
                new ProcessRewardModel.Settings(ProcessRewardModel.Style.STEP_TAG, "and", "happy", "big"));
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
    }

    static GenerateRequest request(String text, int n, Sampling sampling) {
        return new GenerateRequest(List.of(ChatMessage.user(text)), sampling, n,
                new CallContext("ep", "t", "a", "solver", 0, Phase.ANSWER));
    }

    static final Sampling GREEDY = new Sampling(0, 1, 24, List.of(), 1L);

    @Test
    void should_encode_like_llama2c_when_tokenizing_with_the_model_tokenizer() throws Exception {
        JsonNode cases = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Stories260kTest.DIR.resolve("expected.json").toFile()).path("encode_cases");
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(Stories260kTest.DIR.resolve("tokenizer.json"))) {
            for (JsonNode c : cases) {
                long[] ids = tokenizer.encode(c.path("text").asText(), true, false).getIds();
                List<Long> expected = new ArrayList<>();
                c.path("ids").forEach(id -> expected.add(id.asLong()));
                assertThat(ids).as(c.path("text").asText()).containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
            }
        }
    }

    @Test
    void should_batch_concurrent_requests_and_answer_each_as_if_alone() {
        List<String> prompts = List.of("Once upon a time", "The little dog", "Lily wanted to", "One day");
        List<String> alone = new ArrayList<>();
        for (String p : prompts) {
            alone.add(backend.generate(request(p, 1, GREEDY)).toCompletableFuture().join().text());
        }
        long batchesBefore = backend.batches();

        List<CompletableFuture<Generation>> together = new ArrayList<>();
        for (String p : prompts) {
            together.add(backend.generate(request(p, 1, GREEDY)).toCompletableFuture());
        }

        for (int i = 0; i < prompts.size(); i++) {
            Generation g = together.get(i).join();
            assertThat(g.text()).isEqualTo(alone.get(i)).isNotBlank();
            assertThat(g.completionTokens()).isBetween(1, 24);
            assertThat(g.promptTokens()).isPositive();
            assertThat(g.simulated()).isFalse();
        }
        assertThat(backend.batches() - batchesBefore).isEqualTo(1);
    }

    @Test
    void should_return_n_samples_and_cut_at_stop_strings() {
        Generation g = backend.generate(request("Once upon a time", 3, new Sampling(1.0, 0.95, 24, List.of(), 5L)))
                .toCompletableFuture().join();
        assertThat(g.texts()).hasSize(3);
        assertThat(g.texts().stream().distinct().count()).isGreaterThan(1);

        String full = backend.generate(request("Once upon a time", 1, new Sampling(0, 1, 48, List.of(), 1L)))
                .toCompletableFuture().join().text();
        Assumptions.assumeTrue(full.contains("."), "greedy text has no full stop: " + full);
        String cut = backend.generate(request("Once upon a time", 1, new Sampling(0, 1, 48, List.of("."), 1L)))
                .toCompletableFuture().join().text();
        assertThat(cut).isEqualTo(full.substring(0, full.indexOf('.')));
    }

    @Test
    void should_score_steps_in_batches_when_the_model_is_set_up_as_a_prm() {
        CallContext c = new CallContext("ep", "t", "prm", "judge", 0, Phase.SCORE);
        var a = backend.score(new dev.reverb.agents.model.ScoreRequest("Lily had a ball.",
                List.of("She threw it.", "The dog ran after it."), c)).toCompletableFuture();
        var b = backend.score(new dev.reverb.agents.model.ScoreRequest("Tom was sad.", List.of("He cried."), c))
                .toCompletableFuture();
        assertThat(a.join().scores()).hasSize(2).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0));
        assertThat(b.join().scores()).hasSize(1);
        assertThat(a.join().promptTokens()).isPositive();
        var alone = backend.score(new dev.reverb.agents.model.ScoreRequest("Tom was sad.", List.of("He cried."), c))
                .toCompletableFuture().join();
        assertThat(alone.scores().get(0)).isCloseTo(b.join().scores().get(0), org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void should_answer_as_a_langchain4j_chat_model_when_wrapped() {
        dev.langchain4j.model.chat.ChatModel chat = new dev.reverb.runtime.backend.BackendChatModel(backend);
        var response = chat.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("Once upon a time"))
                .temperature(0.0).maxOutputTokens(24).build());
        String direct = backend.generate(request("Once upon a time", 1, new Sampling(0, 1, 24, List.of(), null)))
                .toCompletableFuture().join().text();
        assertThat(response.aiMessage().text()).isEqualTo(direct).isNotBlank();
        assertThat(response.tokenUsage().outputTokenCount()).isPositive();
        assertThat(response.modelName()).isEqualTo("stories260k");
    }

    @Test
    void should_fail_naming_prompt_and_context_when_a_long_prompt_meets_the_512_token_model() {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play outside. ".repeat(40);

        var stage = backend.generate(request(story, 1, new Sampling(0, 1, 256, List.of(), 1L))).toCompletableFuture();

        assertThat(stage).failsWithin(java.time.Duration.ofSeconds(60))
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(dev.reverb.agents.model.ContextLengthExceeded.class)
                .withMessageMatching("prompt of \\d+ tokens \\+ max-tokens 256 exceeds the context of 512 tokens of "
                        + "model 'stories260k'")
                .withMessageNotContaining("out of bounds");
    }

    @Test
    void should_clamp_max_tokens_to_the_room_left_when_the_prompt_fits_the_512_token_model() {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play outside. ".repeat(18);

        Generation g = backend.generate(request(story, 1, new Sampling(0, 1, 400, List.of(), 1L)))
                .toCompletableFuture().join();

        assertThat(g.promptTokens()).isBetween(113, 511);
        assertThat(g.promptTokens() + g.completionTokens()).isLessThanOrEqualTo(512);
        assertThat(g.notes()).singleElement().asString().startsWith("max-tokens 400 clamped to " + (512 - g.promptTokens()));
    }
}
