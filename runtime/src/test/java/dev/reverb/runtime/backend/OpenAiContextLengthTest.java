package dev.reverb.runtime.backend;

import static dev.reverb.runtime.backend.OpenAiBackendTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.ContextLengthExceeded;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Sampling;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import dev.reverb.runtime.testing.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each OpenAI-compatible server's "does not fit the context" error, sent by a real loopback server,
 * becomes one final {@link ContextLengthExceeded} naming the numbers: never retried.
 */
class OpenAiContextLengthTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Sampling SAMPLING = new Sampling(0.0, 1.0, 1000, List.of(), null);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    static final String VLLM = """
            {"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested \
            5000 tokens (4500 in the messages, 500 in the completion). Please reduce the length of the messages or \
            completion.","type":"BadRequestError","param":null,"code":400}""";

    static final String VLLM_NESTED = """
            {"error":{"message":"This model's maximum context length is 4096 tokens. However, your request has 5000 \
            input tokens. Please reduce the length of the input messages.","type":"BadRequestError","param":null,\
            "code":400}}""";

    static final String OPENAI = """
            {"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted \
            in 9000 tokens. Please reduce the length of the messages.","type":"invalid_request_error",\
            "param":"messages","code":"context_length_exceeded"}}""";

    static final String LLAMA_CPP = """
            {"error":{"code":400,"message":"the request exceeds the available context size, try increasing it",\
            "type":"exceed_context_size_error","n_prompt_tokens":5000,"n_ctx":4096}}""";

    static final String LLAMA_CPP_OLD = """
            {"error":{"code":400,"message":"the request exceeds the available context size. try increasing the \
            context size or enable context shift","type":"invalid_request_error"}}""";

    static Stream<Arguments> servers() {
        return Stream.of(
                Arguments.of("vllm", VLLM, "prompt of 4500 tokens + max-tokens 1000 exceeds the context of 4096 tokens"
                        + " of model 'm1' (server: This model's maximum context length is 4096 tokens."),
                Arguments.of("vllm-nested", VLLM_NESTED, "prompt of 5000 tokens + max-tokens 1000 exceeds the context"
                        + " of 4096 tokens of model 'm1' (server: "),
                Arguments.of("openai", OPENAI, "prompt of 9000 tokens + max-tokens 1000 exceeds the context of 8192"
                        + " tokens of model 'm1' (server: "),
                Arguments.of("llama.cpp", LLAMA_CPP, "prompt of 5000 tokens + max-tokens 1000 exceeds the context of"
                        + " 4096 tokens of model 'm1' (server: the request exceeds the available context size"),
                Arguments.of("llama.cpp-old", LLAMA_CPP_OLD, "the prompt + max-tokens 1000 exceed the context of model"
                        + " 'm1' (server: the request exceeds the available context size"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void should_fail_with_a_final_context_error_naming_the_numbers_when_the_server_says_so(String server, String body,
                                                                                        String message) {
        try (FakeOpenAiServer fake = FakeOpenAiServer.replying(Reply.rawError(400, body));
             OpenAiBackend backend = new OpenAiBackend(fake.baseUrl(), "m1", null, Duration.ofSeconds(10), 1)) {
            Throwable error = failure(backend, "a long prompt");

            assertThat(error).isInstanceOf(ContextLengthExceeded.class);
            assertThat(error.getMessage()).startsWith(message);
            assertThat(backend.isRetryable(error)).isFalse();
            assertThat(backend.isRetryable(new CompletionException(error))).isFalse();
        }
    }

    @Test
    void should_try_once_and_fail_the_call_with_the_numbers_when_a_gateway_with_retries_meets_the_context_error() {
        // the gateway may retry 3 times: a context error must use none of them
        try (FakeOpenAiServer fake = FakeOpenAiServer.replying(Reply.rawError(400, VLLM));
             OpenAiBackend backend = new OpenAiBackend(fake.baseUrl(), "m1", null, Duration.ofSeconds(10), 2)) {
            ActorRef<ModelGateway.Command> gateway = testKit.spawn(ModelGateway.create(backend,
                    new GatewaySettings(2, 10, Duration.ofSeconds(10), 3, Duration.ofMillis(10)), event -> { }));
            TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

            gateway.tell(new ModelGateway.Complete(0, request(List.of(ChatMessage.user("a long prompt")), SAMPLING, 1),
                    probe.getRef()));

            ModelGateway.Completed reply = probe.receiveMessage(WAIT);
            assertThat(reply.error()).startsWith("model 'm1' failed after 1 try: prompt of 4500 tokens"
                    + " + max-tokens 1000 exceeds the context of 4096 tokens of model 'm1'");
            assertThat(fake.calls()).isEqualTo(1);
            TestProbe<ModelGateway.Usage> usage = testKit.createTestProbe();
            gateway.tell(new ModelGateway.GetUsage(usage.getRef()));
            assertThat(usage.receiveMessage(WAIT).retries()).isZero();
        }
    }

    @Test
    void should_resend_once_with_max_tokens_clamped_and_say_so_when_only_the_completion_overflows() {
        String completionTooLong = """
                {"object":"error","message":"This model's maximum context length is 4096 tokens. However, you \
                requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of \
                the messages or completion.","type":"BadRequestError","param":null,"code":400}""";
        try (FakeOpenAiServer fake = FakeOpenAiServer.start(request -> request.path("max_tokens").asInt() > 96
                ? Reply.rawError(400, completionTooLong) : Reply.text("a short answer"));
             OpenAiBackend backend = new OpenAiBackend(fake.baseUrl(), "m1", null, Duration.ofSeconds(10), 1)) {
            Generation g = backend.generate(request(List.of(ChatMessage.user("a long prompt")), SAMPLING, 1))
                    .toCompletableFuture().join();

            assertThat(g.text()).isEqualTo("a short answer");
            assertThat(fake.requests()).extracting(r -> r.path("max_tokens").asInt()).containsExactly(1000, 96);
            assertThat(g.notes()).containsExactly("max-tokens 1000 clamped to 96: the prompt of 4000 tokens leaves"
                    + " only that much of the context of 4096 tokens");
        }
    }

    @Test
    void should_keep_other_bad_requests_as_they_were_when_the_error_is_not_about_the_context() {
        try (FakeOpenAiServer fake = FakeOpenAiServer.replying(Reply.status(400, "temperature must be <= 2"));
             OpenAiBackend backend = new OpenAiBackend(fake.baseUrl(), "m1", null, Duration.ofSeconds(10), 1)) {
            Throwable error = failure(backend, "hi");

            assertThat(error).isNotInstanceOf(ContextLengthExceeded.class);
            assertThat(error.getMessage()).contains("temperature must be <= 2");
        }
    }

    private static Throwable failure(OpenAiBackend backend, String prompt) {
        try {
            backend.generate(request(List.of(ChatMessage.user(prompt)), SAMPLING, 1)).toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("the call succeeded");
    }
}
