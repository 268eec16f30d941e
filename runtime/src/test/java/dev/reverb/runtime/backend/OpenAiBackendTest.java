package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import dev.reverb.runtime.testing.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiBackendTest {

    static final String MODEL = "test-model";
    static final Sampling GREEDY = new Sampling(0.0, 1.0, 32, List.of(), null);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void should_return_text_and_token_counts_when_server_answers() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.text("The answer is 42.", 7, 5)));
        OpenAiBackend backend = backend(server, 1);

        Generation g = await(backend.generate(request(List.of(ChatMessage.user("What is 6*7?")), GREEDY, 1)));

        assertThat(g.texts()).containsExactly("The answer is 42.");
        assertThat(g.promptTokens()).isEqualTo(7);
        assertThat(g.completionTokens()).isEqualTo(5);
        assertThat(g.model()).isEqualTo(MODEL);
        assertThat(g.simulated()).isFalse();
        assertThat(backend.name()).isEqualTo(MODEL);
    }

    @Test
    void should_send_model_roles_and_sampling_when_generating() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.answering("ok"));
        OpenAiBackend backend = backend(server, 1);
        List<ChatMessage> chat = List.of(ChatMessage.system("You are terse."), ChatMessage.user("Q1"),
                ChatMessage.assistant("A1"), ChatMessage.user("Q2"));

        await(backend.generate(request(chat, new Sampling(0.25, 0.9, 64, List.of("\n\n", "END"), 7L), 1)));

        JsonNode body = server.lastRequest();
        assertThat(body.path("model").asText()).isEqualTo(MODEL);
        assertThat(body.path("messages")).hasSize(4);
        assertThat(roles(body)).containsExactly("system", "user", "assistant", "user");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("You are terse.");
        assertThat(body.path("messages").get(2).path("content").asText()).isEqualTo("A1");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.25);
        assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.path("stop")).extracting(JsonNode::asText).containsExactly("\n\n", "END");
        assertThat(body.path("seed").asLong()).isEqualTo(7L);
        assertThat(body.path("stream").asBoolean(false)).isFalse();
    }

    @Test
    void should_leave_out_stop_and_seed_when_unset() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.answering("ok"));
        OpenAiBackend backend = backend(server, 1);

        await(backend.generate(request(List.of(ChatMessage.system(" "), ChatMessage.user("hi")), GREEDY, 1)));

        JsonNode body = server.lastRequest();
        assertThat(body.has("stop")).isFalse();
        assertThat(body.has("seed")).isFalse();
        assertThat(roles(body)).containsExactly("user");
        assertThat(body.path("temperature").asDouble(-1)).isEqualTo(0.0);
    }

    @Test
    void should_return_n_texts_in_order_with_summed_tokens_when_n_is_3() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.start(
                body -> Reply.text("sample " + body.path("seed").asInt(), 4, 2)));
        OpenAiBackend backend = backend(server, 3);

        Generation g = await(backend.generate(request(List.of(ChatMessage.user("go")),
                new Sampling(0.8, 1.0, 16, List.of(), 10L), 3)));

        assertThat(g.texts()).containsExactly("sample 10", "sample 11", "sample 12");
        assertThat(g.promptTokens()).isEqualTo(12);
        assertThat(g.completionTokens()).isEqualTo(6);
        assertThat(server.calls()).isEqualTo(3);
    }

    @Test
    void should_return_empty_text_and_zero_tokens_when_server_sends_null_content_and_no_usage() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.rawJson("""
                {"id":"x","object":"chat.completion","created":0,"model":"test-model",
                 "choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"length"}]}
                """)));
        OpenAiBackend backend = backend(server, 1);

        Generation g = await(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(g.texts()).containsExactly("");
        assertThat(g.promptTokens()).isZero();
        assertThat(g.completionTokens()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void should_not_be_retryable_when_server_rejects_the_request(int status) {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.status(status, "no such thing")));
        OpenAiBackend backend = backend(server, 1);

        Throwable error = failure(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(backend.isRetryable(error)).isFalse();
        assertThat(server.calls()).as("LangChain4j must not retry on its own").isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 500, 502, 503})
    void should_be_retryable_when_server_is_overloaded_or_broken(int status) {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.status(status)));
        OpenAiBackend backend = backend(server, 1);

        Throwable error = failure(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(backend.isRetryable(error)).isTrue();
        assertThat(server.calls()).as("LangChain4j must not retry on its own").isEqualTo(1);
    }

    @Test
    void should_be_retryable_when_connection_is_refused() {
        String deadUrl;
        try (FakeOpenAiServer gone = FakeOpenAiServer.answering("never")) {
            deadUrl = gone.baseUrl();
        }
        OpenAiBackend backend = keep(new OpenAiBackend(deadUrl, MODEL, null, Duration.ofSeconds(2), 1));

        Throwable error = failure(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(backend.isRetryable(error)).isTrue();
    }

    @Test
    void should_be_retryable_when_http_call_times_out() {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.stall(3_000, "late")));
        OpenAiBackend backend = keep(new OpenAiBackend(server.baseUrl(), MODEL, "sk-test", Duration.ofMillis(300), 1));

        Throwable error = failure(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(backend.isRetryable(error)).isTrue();
    }

    @Test
    void should_return_at_once_and_run_on_own_daemon_threads_when_generating() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.stall(400, "slow")));
        OpenAiBackend backend = backend(server, 1);
        List<Thread> workers = new ArrayList<>();

        long start = System.nanoTime();
        CompletionStage<Generation> stage = backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1))
                .thenApply(g -> {
                    workers.add(Thread.currentThread());
                    return g;
                });
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(elapsedMs).isLessThan(300);
        assertThat(stage.toCompletableFuture().isDone()).isFalse();
        assertThat(await(stage).text()).isEqualTo("slow");
        assertThat(workers).singleElement().satisfies(t -> {
            assertThat(t.getName()).isEqualTo("reverb-openai-" + MODEL + "-1");
            assertThat(t.isDaemon()).isTrue();
        });
    }

    @Test
    void should_free_its_thread_when_caller_cancels_a_stalled_call() throws Exception {
        FakeOpenAiServer server = serve(FakeOpenAiServer.replying(Reply.stall(5_000, "late"), Reply.text("next")));
        OpenAiBackend backend = backend(server, 1);

        CompletableFuture<Generation> first =
                backend.generate(request(List.of(ChatMessage.user("a")), GREEDY, 1)).toCompletableFuture();
        waitForCalls(server, 1);
        first.cancel(true);

        long start = System.nanoTime();
        Generation second = await(backend.generate(request(List.of(ChatMessage.user("b")), GREEDY, 1)));
        assertThat(second.text()).isEqualTo("next");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4_000);
    }

    @Test
    void should_fail_the_stage_when_closed() {
        FakeOpenAiServer server = serve(FakeOpenAiServer.answering("ok"));
        OpenAiBackend backend = backend(server, 1);
        backend.close();

        Throwable error = failure(backend.generate(request(List.of(ChatMessage.user("hi")), GREEDY, 1)));

        assertThat(error).hasMessageContaining("closed");
        assertThat(backend.isRetryable(error)).isFalse();
    }

    @Test
    void should_reject_bad_settings_when_constructed() {
        assertThatThrownBy(() -> new OpenAiBackend("http://127.0.0.1:1/v1", MODEL, null, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenAiBackend("http://127.0.0.1:1/v1", " ", null, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenAiBackend("http://127.0.0.1:1/v1", MODEL, null, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_fold_large_seeds_into_32_bits_when_mapping() {
        assertThat(OpenAiBackend.intSeed(7)).isEqualTo(7);
        assertThat(OpenAiBackend.intSeed(-3)).isEqualTo(-3);
        assertThat(OpenAiBackend.intSeed(1L << 40)).isEqualTo(OpenAiBackend.intSeed(1L << 40));
        assertThat(OpenAiBackend.intSeed((1L << 40) + 1)).isNotEqualTo(OpenAiBackend.intSeed(1L << 40));
    }

    static GenerateRequest request(List<ChatMessage> messages, Sampling sampling, int n) {
        return new GenerateRequest(messages, sampling, n, new CallContext("ep-1", "t1", "solver", "solver", 0,
                Phase.ANSWER));
    }

    private static List<String> roles(JsonNode body) {
        List<String> roles = new ArrayList<>();
        body.path("messages").forEach(m -> roles.add(m.path("role").asText()));
        return roles;
    }

    private static void waitForCalls(FakeOpenAiServer server, int calls) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.calls() < calls && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.calls()).isGreaterThanOrEqualTo(calls);
    }

    private static Generation await(CompletionStage<Generation> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletionStage<Generation> stage) {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the call to fail, got " + e, e);
        }
        throw new AssertionError("expected the call to fail");
    }

    private FakeOpenAiServer serve(FakeOpenAiServer server) {
        return keep(server);
    }

    private OpenAiBackend backend(FakeOpenAiServer server, int concurrency) {
        return keep(new OpenAiBackend(server.baseUrl(), MODEL, null, Duration.ofSeconds(5), concurrency));
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }
}
