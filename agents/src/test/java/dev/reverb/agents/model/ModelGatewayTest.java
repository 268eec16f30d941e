package dev.reverb.agents.model;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.reverb.agents.trace.TraceSink;
import dev.reverb.environments.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Gateway logic with in-memory backends: concurrency limit, bounded queue, retries, timeouts, counters. */
class ModelGatewayTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final GenerateRequest REQUEST = new GenerateRequest(List.of(ChatMessage.user("hi")), Sampling.DEFAULT, 1,
            new CallContext("ep", "a", "solver", 0, Phase.ANSWER, new Task("t", "test", "q", "", List.of(), Map.of())));

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Completes calls only when told; records the most calls ever in flight. */
    static final class HeldBackend implements ModelBackend {
        final List<CompletableFuture<Generation>> pending = new ArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        @Override
        public String name() {
            return "held";
        }

        @Override
        public synchronized CompletionStage<Generation> generate(GenerateRequest request) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletableFuture<Generation> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        synchronized int waiting() {
            return pending.size();
        }

        synchronized void releaseOne() {
            inFlight.decrementAndGet();
            pending.remove(0).complete(new Generation(List.of("ok"), 3, 2, "held", false));
        }
    }

    private static ActorRef<ModelGateway.Command> gateway(ModelBackend backend, GatewaySettings settings) {
        return KIT.spawn(ModelGateway.create(backend, settings, TraceSink.NONE));
    }

    @Test
    void should_never_exceed_the_concurrency_limit_and_serve_the_queue_in_order() throws Exception {
        HeldBackend backend = new HeldBackend();
        ActorRef<ModelGateway.Command> gw = gateway(backend, new GatewaySettings(2, 10, Duration.ofSeconds(30), 0, Duration.ofMillis(10)));
        TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
        for (int i = 0; i < 5; i++) {
            gw.tell(new ModelGateway.Generate(REQUEST, probe.getRef()));
        }
        probe.awaitAssert(() -> assertThat(backend.waiting()).isEqualTo(2));
        for (int done = 0; done < 5; done++) {
            int expected = Math.min(2, 5 - done);
            probe.awaitAssert(() -> assertThat(backend.waiting()).isEqualTo(expected));
            backend.releaseOne();
            assertThat(probe.receiveMessage().isSuccess()).isTrue();
        }
        assertThat(backend.maxInFlight.get()).isEqualTo(2);
    }

    @Test
    void should_reject_with_a_clear_error_when_the_queue_is_full() {
        HeldBackend backend = new HeldBackend();
        ActorRef<ModelGateway.Command> gw = gateway(backend, new GatewaySettings(1, 1, Duration.ofSeconds(30), 0, Duration.ofMillis(10)));
        TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
        for (int i = 0; i < 3; i++) {
            gw.tell(new ModelGateway.Generate(REQUEST, probe.getRef()));
        }
        StatusReply<Generation> rejected = probe.receiveMessage();
        assertThat(rejected.isError()).isTrue();
        assertThat(rejected.getError().getMessage()).contains("overloaded").contains("queue-capacity");
    }

    @Test
    void should_stop_retrying_after_max_retries_when_every_call_fails() {
        AtomicInteger calls = new AtomicInteger();
        ModelBackend failing = new ModelBackend() {
            @Override
            public String name() {
                return "flaky";
            }

            @Override
            public CompletionStage<Generation> generate(GenerateRequest request) {
                calls.incrementAndGet();
                return CompletableFuture.failedFuture(new IllegalStateException("boom"));
            }
        };
        ActorRef<ModelGateway.Command> gw = gateway(failing, new GatewaySettings(1, 10, Duration.ofSeconds(5), 2, Duration.ofMillis(5)));
        TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
        gw.tell(new ModelGateway.Generate(REQUEST, probe.getRef()));

        StatusReply<Generation> reply = probe.receiveMessage();
        assertThat(reply.getError().getMessage()).isEqualTo("model 'flaky' failed after 3 tries: boom");
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void should_time_out_a_call_that_never_completes() {
        ModelBackend silent = new ModelBackend() {
            @Override
            public String name() {
                return "silent";
            }

            @Override
            public CompletionStage<Generation> generate(GenerateRequest request) {
                return new CompletableFuture<>();
            }
        };
        ActorRef<ModelGateway.Command> gw = gateway(silent, new GatewaySettings(1, 10, Duration.ofMillis(100), 0, Duration.ofMillis(5)));
        TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
        gw.tell(new ModelGateway.Generate(REQUEST, probe.getRef()));

        assertThat(probe.receiveMessage().getError().getMessage()).contains("timed out after 100 ms");
    }

    @Test
    void should_add_up_tokens_when_calls_succeed() {
        HeldBackend backend = new HeldBackend();
        ActorRef<ModelGateway.Command> gw = gateway(backend, GatewaySettings.DEFAULT);
        TestProbe<StatusReply<Generation>> probe = KIT.createTestProbe();
        for (int i = 0; i < 3; i++) {
            gw.tell(new ModelGateway.Generate(REQUEST, probe.getRef()));
        }
        probe.awaitAssert(() -> assertThat(backend.waiting()).isEqualTo(3));
        for (int i = 0; i < 3; i++) {
            backend.releaseOne();
            probe.receiveMessage();
        }
        TestProbe<ModelGateway.Usage> usage = KIT.createTestProbe();
        gw.tell(new ModelGateway.GetUsage(usage.getRef()));
        assertThat(usage.receiveMessage()).isEqualTo(new ModelGateway.Usage(3, 0, 0, 9, 6));
    }
}
