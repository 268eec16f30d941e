package dev.reverb.runtime.backend;

import static dev.reverb.runtime.backend.OpenAiBackendTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import dev.reverb.runtime.testing.FakeOpenAiServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real {@link ModelGateway} in front of an {@link OpenAiBackend} talking HTTP to a loopback server. */
class OpenAiGatewayTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Sampling SAMPLING = new Sampling(0.0, 1.0, 32, List.of(), null);

    private final List<TraceEvent> trace = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void warmUp() throws Exception {
        // load LangChain4j and the JDK HTTP client once, so the tight timeouts below measure the server
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("warm");
             OpenAiBackend backend = new OpenAiBackend(server.baseUrl(), "warm", null, Duration.ofSeconds(10), 1)) {
            backend.generate(request(List.of(ChatMessage.user("hi")), SAMPLING, 1)).toCompletableFuture().get();
        }
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void should_succeed_after_retries_when_server_fails_twice_with_500() {
        FakeOpenAiServer server = keep(FakeOpenAiServer.replying(
                Reply.status(500), Reply.status(500), Reply.text("at last", 6, 2)));
        ActorRef<ModelGateway.Command> gateway = gateway(server, 1, settings(Duration.ofSeconds(5), 3));

        ModelGateway.Completed reply = generate(gateway);

        assertThat(reply.error()).isNull();
        assertThat(reply.generation().text()).isEqualTo("at last");
        assertThat(server.calls()).isEqualTo(3);
        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.retries()).isEqualTo(2);
        assertThat(usage.calls()).isEqualTo(1);
        assertThat(usage.failures()).isZero();
        assertThat(usage.promptTokens()).isEqualTo(6);
        assertThat(usage.completionTokens()).isEqualTo(2);
        assertThat(modelCalls()).singleElement().satisfies(call -> {
            assertThat(call.attempts()).isEqualTo(3);
            assertThat(call.error()).isNull();
            assertThat(call.outputs()).containsExactly("at last");
            assertThat(call.promptTokens()).isEqualTo(6);
            assertThat(call.completionTokens()).isEqualTo(2);
            assertThat(call.model()).isEqualTo("m1");
            assertThat(call.simulated()).isFalse();
        });
    }

    @Test
    void should_succeed_on_retry_when_first_call_stalls_past_the_gateway_timeout() {
        FakeOpenAiServer server = keep(FakeOpenAiServer.replying(Reply.stall(5_000, "too late"), Reply.text("fast")));
        // one backend thread: the retry only gets through because the timed-out call is cancelled
        ActorRef<ModelGateway.Command> gateway = gateway(server, 1, settings(Duration.ofMillis(700), 2));

        ModelGateway.Completed reply = generate(gateway);

        assertThat(reply.error()).isNull();
        assertThat(reply.generation().text()).isEqualTo("fast");
        assertThat(server.calls()).isEqualTo(2);
        assertThat(usage(gateway).retries()).isEqualTo(1);
        assertThat(modelCalls()).singleElement().satisfies(call -> assertThat(call.attempts()).isEqualTo(2));
    }

    @Test
    void should_reply_error_naming_model_and_tries_when_server_always_fails() {
        FakeOpenAiServer server = keep(FakeOpenAiServer.replying(Reply.status(503, "engine is down")));
        ActorRef<ModelGateway.Command> gateway = gateway(server, 2, settings(Duration.ofSeconds(5), 2));

        ModelGateway.Completed reply = generate(gateway);

        assertThat(reply.error()).isNotNull();
        assertThat(reply.error()).contains("'m1'").contains("3 tries").contains("engine is down");
        assertThat(server.calls()).isEqualTo(3);
        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.failures()).isEqualTo(1);
        assertThat(usage.retries()).isEqualTo(2);
        assertThat(modelCalls()).singleElement().satisfies(call -> {
            assertThat(call.attempts()).isEqualTo(3);
            assertThat(call.error()).contains("engine is down");
            assertThat(call.outputs()).isEmpty();
            assertThat(call.promptTokens()).isZero();
        });
    }

    @Test
    void should_fail_after_exactly_one_try_when_server_says_401() {
        FakeOpenAiServer server = keep(FakeOpenAiServer.replying(Reply.status(401, "bad api key")));
        ActorRef<ModelGateway.Command> gateway = gateway(server, 1, settings(Duration.ofSeconds(5), 3));

        ModelGateway.Completed reply = generate(gateway);

        assertThat(reply.error()).isNotNull();
        assertThat(reply.error()).contains("'m1'").contains("1 try").contains("bad api key");
        assertThat(server.calls()).isEqualTo(1);
        assertThat(usage(gateway).retries()).isZero();
        assertThat(modelCalls()).singleElement().satisfies(call -> {
            assertThat(call.attempts()).isEqualTo(1);
            assertThat(call.error()).contains("bad api key");
        });
    }

    @Test
    void should_answer_every_request_when_many_arrive_at_once() {
        FakeOpenAiServer server = keep(FakeOpenAiServer.start(
                body -> Reply.text("echo " + body.path("messages").get(0).path("content").asText(), 1, 2)));
        ActorRef<ModelGateway.Command> gateway = gateway(server, 2, settings(Duration.ofSeconds(5), 1));
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

        for (int i = 0; i < 8; i++) {
            gateway.tell(new ModelGateway.Complete(0, request(List.of(ChatMessage.user("q" + i)), SAMPLING, 1),
                    probe.getRef()));
        }
        List<String> texts = probe.receiveSeveralMessages(8, WAIT).stream()
                .map(r -> r.generation().text()).toList();

        assertThat(texts).containsExactlyInAnyOrder("echo q0", "echo q1", "echo q2", "echo q3", "echo q4",
                "echo q5", "echo q6", "echo q7");
        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.calls()).isEqualTo(8);
        assertThat(usage.promptTokens()).isEqualTo(8);
        assertThat(usage.completionTokens()).isEqualTo(16);
        assertThat(modelCalls()).hasSize(8);
    }

    private static GatewaySettings settings(Duration timeout, int maxRetries) {
        return new GatewaySettings(2, 100, timeout, maxRetries, Duration.ofMillis(20));
    }

    private ActorRef<ModelGateway.Command> gateway(FakeOpenAiServer server, int backendConcurrency,
                                                   GatewaySettings settings) {
        OpenAiBackend backend = keep(new OpenAiBackend(server.baseUrl(), "m1", null, Duration.ofSeconds(10),
                backendConcurrency));
        return testKit.spawn(ModelGateway.create(backend, settings, trace::add));
    }

    private static ModelGateway.Completed generate(ActorRef<ModelGateway.Command> gateway) {
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();
        gateway.tell(new ModelGateway.Complete(0, request(List.of(ChatMessage.user("What is 6*7?")), SAMPLING, 1),
                probe.getRef()));
        return probe.receiveMessage(WAIT);
    }

    private static ModelGateway.Usage usage(ActorRef<ModelGateway.Command> gateway) {
        TestProbe<ModelGateway.Usage> probe = testKit.createTestProbe();
        gateway.tell(new ModelGateway.GetUsage(probe.getRef()));
        return probe.receiveMessage(WAIT);
    }

    private List<TraceEvent.ModelCall> modelCalls() {
        return trace.stream().filter(TraceEvent.ModelCall.class::isInstance).map(TraceEvent.ModelCall.class::cast)
                .toList();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }
}
