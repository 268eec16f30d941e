package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.Task;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import dev.reverb.runtime.testing.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The OpenAI path end to end: LangChain4j's client against a real HTTP server on loopback, through a real gateway. */
class OpenAiBackendTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Task TASK = new Task("t1", "test", "2+2?", "4", List.of(), Map.of());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    static GenerateRequest request(int n, Sampling sampling) {
        return new GenerateRequest(List.of(ChatMessage.system("Be brief."), ChatMessage.user("What is 2+2?")),
                sampling, n, new CallContext("ep-1", "solver", "solver", 0, Phase.ANSWER, TASK));
    }

    @Test
    void should_send_the_chat_and_sampling_and_return_text_and_tokens_when_the_server_answers() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(body -> Reply.text("The answer is 4."));
             OpenAiBackend backend = new OpenAiBackend(server.baseUrl(), "qwen-test", null, Duration.ofSeconds(5), 2)) {
            Generation g = backend.generate(request(1, new Sampling(0.3, 0.9, 64, List.of("\n\n"), 1234L)))
                    .toCompletableFuture().join();

            assertThat(g.text()).isEqualTo("The answer is 4.");
            assertThat(g.simulated()).isFalse();
            assertThat(g.model()).isEqualTo("qwen-test");
            assertThat(g.promptTokens()).isPositive();
            assertThat(g.completionTokens()).isEqualTo(4);
            JsonNode body = server.requests().get(0);
            assertThat(body.path("model").asText()).isEqualTo("qwen-test");
            assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
            assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("What is 2+2?");
            assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
            assertThat(body.path("top_p").asDouble()).isEqualTo(0.9);
            assertThat(body.path("seed").asLong()).isEqualTo(1234L);
            assertThat(body.path("stop").toString()).contains("\\n\\n");
            assertThat(body.has("max_tokens") || body.has("max_completion_tokens")).isTrue();
        }
    }

    @Test
    void should_return_n_texts_with_distinct_seeds_when_n_samples_are_asked() throws Exception {
        AtomicInteger i = new AtomicInteger();
        try (FakeOpenAiServer server = FakeOpenAiServer.start(body -> Reply.text("sample " + i.incrementAndGet()));
             OpenAiBackend backend = new OpenAiBackend(server.baseUrl(), "m", null, Duration.ofSeconds(5), 3)) {
            Generation g = backend.generate(request(3, Sampling.DEFAULT.withSeed(10L))).toCompletableFuture().join();

            assertThat(g.texts()).hasSize(3).containsExactlyInAnyOrder("sample 1", "sample 2", "sample 3");
            assertThat(server.requests()).extracting(b -> b.path("seed").asInt()).containsExactlyInAnyOrder(10, 11, 12);
        }
    }

    @Test
    void should_retry_server_errors_but_not_client_errors_when_classifying_failures() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(body -> Reply.status(
                body.path("messages").toString().contains("auth") ? 401 : 500));
             OpenAiBackend backend = new OpenAiBackend(server.baseUrl(), "m", null, Duration.ofSeconds(5), 1)) {
            Throwable serverError = failure(backend, "What is 2+2?");
            Throwable authError = failure(backend, "auth");

            assertThat(backend.isRetryable(serverError)).isTrue();
            assertThat(backend.isRetryable(authError)).isFalse();
        }
    }

    private static Throwable failure(OpenAiBackend backend, String text) {
        GenerateRequest r = new GenerateRequest(List.of(ChatMessage.user(text)), Sampling.DEFAULT, 1,
                new CallContext("ep", "a", "solver", 0, Phase.ANSWER, TASK));
        try {
            backend.generate(r).toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    /** A gateway over the real backend and server; its trace events are collected. */
    record Rig(FakeOpenAiServer server, OpenAiBackend backend, ActorRef<ModelGateway.Command> gateway,
               List<TraceEvent> trace) implements AutoCloseable {
        static Rig start(Function<JsonNode, Reply> script, Duration timeout, int retries) throws Exception {
            FakeOpenAiServer server = FakeOpenAiServer.start(script);
            OpenAiBackend backend = new OpenAiBackend(server.baseUrl(), "m", null, Duration.ofSeconds(10), 2);
            List<TraceEvent> trace = new CopyOnWriteArrayList<>();
            ActorRef<ModelGateway.Command> gateway = KIT.spawn(ModelGateway.create(backend,
                    new GatewaySettings(2, 100, timeout, retries, Duration.ofMillis(20)), trace::add));
            return new Rig(server, backend, gateway, trace);
        }

        StatusReply<Generation> ask() {
            TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
            gateway.tell(new ModelGateway.Generate(request(1, Sampling.DEFAULT), probe.getRef()));
            return probe.receiveMessage(Duration.ofSeconds(20));
        }

        ModelGateway.Usage usage() {
            TestProbe<ModelGateway.Usage> probe = KIT.createTestProbe();
            gateway.tell(new ModelGateway.GetUsage(probe.getRef()));
            return probe.receiveMessage();
        }

        TraceEvent.ModelCall lastCall() {
            return (TraceEvent.ModelCall) trace.get(trace.size() - 1);
        }

        @Override
        public void close() {
            backend.close();
            server.close();
        }
    }

    @Test
    void should_succeed_after_retries_when_the_server_fails_the_first_calls() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Rig rig = Rig.start(body -> calls.incrementAndGet() <= 2 ? Reply.status(500) : Reply.text("The answer is 4."),
                Duration.ofSeconds(5), 3)) {
            StatusReply<Generation> reply = rig.ask();

            assertThat(reply.isSuccess()).isTrue();
            assertThat(reply.getValue().text()).isEqualTo("The answer is 4.");
            assertThat(rig.server().calls()).isEqualTo(3);
            assertThat(rig.usage().retries()).isEqualTo(2);
            assertThat(rig.lastCall().attempts()).isEqualTo(3);
            assertThat(rig.lastCall().error()).isNull();
            assertThat(rig.lastCall().completionTokens()).isPositive();
        }
    }

    @Test
    void should_time_out_and_retry_when_the_server_stalls() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Rig rig = Rig.start(body -> calls.incrementAndGet() == 1 ? Reply.stall(2_000, "late")
                : Reply.text("The answer is 4."), Duration.ofMillis(400), 2)) {
            StatusReply<Generation> reply = rig.ask();

            assertThat(reply.isSuccess()).isTrue();
            assertThat(reply.getValue().text()).isEqualTo("The answer is 4.");
            assertThat(rig.lastCall().attempts()).isEqualTo(2);
        }
    }

    @Test
    void should_reply_an_error_naming_the_model_and_tries_when_the_server_always_fails() throws Exception {
        try (Rig rig = Rig.start(body -> Reply.status(503), Duration.ofSeconds(5), 2)) {
            StatusReply<Generation> reply = rig.ask();

            assertThat(reply.isError()).isTrue();
            assertThat(reply.getError().getMessage()).contains("model 'm' failed after 3 tries");
            assertThat(rig.server().calls()).isEqualTo(3);
            assertThat(rig.lastCall().error()).contains("3 tries");
            assertThat(rig.usage().failures()).isEqualTo(1);
        }
    }

    @Test
    void should_not_retry_when_the_server_refuses_the_key() throws Exception {
        try (Rig rig = Rig.start(body -> Reply.status(401), Duration.ofSeconds(5), 3)) {
            StatusReply<Generation> reply = rig.ask();

            assertThat(reply.isError()).isTrue();
            assertThat(reply.getError().getMessage()).contains("failed after 1 try");
            assertThat(rig.server().calls()).isEqualTo(1);
        }
    }
}
