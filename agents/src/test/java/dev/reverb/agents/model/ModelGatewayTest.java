package dev.reverb.agents.model;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.StatusReply;
import dev.reverb.agents.trace.TraceEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Gateway logic against in-memory backends: concurrency, queueing, retries, timeouts, accounting. */
class ModelGatewayTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<TraceEvent> trace = new CopyOnWriteArrayList<>();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void should_never_exceed_concurrency_when_many_requests_arrive() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.supplyAsync(
                () -> generation(request, 1, 1), CompletableFuture.delayedExecutor(60, TimeUnit.MILLISECONDS)));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(3, 100, WAIT, 0, ms(10)));
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

        for (int i = 0; i < 12; i++) {
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
        }
        List<ModelGateway.Completed> replies = probe.receiveSeveralMessages(12, WAIT);

        assertThat(replies).allMatch(c -> c.error() == null);
        assertThat(backend.maxInFlight.get()).isEqualTo(3);
        assertThat(backend.calls.get()).isEqualTo(12);
    }

    @Test
    void should_reject_with_overloaded_error_when_queue_is_full() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        FakeBackend backend = new FakeBackend(request -> gate.thenApply(v -> generation(request, 1, 1)));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 2, WAIT, 0, ms(10)));
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

        for (int i = 0; i < 4; i++) {
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
        }
        ModelGateway.Completed rejected = probe.receiveMessage(WAIT);
        assertThat(rejected.error()).isNotNull();
        assertThat(rejected.error()).contains("'fake'").contains("overloaded").contains("2");
        assertThat(backend.calls.get()).isEqualTo(1);

        gate.complete(null);
        assertThat(probe.receiveSeveralMessages(3, WAIT)).allMatch(c -> c.error() == null);
        assertThat(usage(gateway).failures()).isEqualTo(1);
        assertThat(backend.maxInFlight.get()).isEqualTo(1);
    }

    @Test
    void should_stop_retrying_after_max_retries_when_backend_keeps_failing() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.failedFuture(new RuntimeException("boom")));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(2, 10, WAIT, 2, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isNotNull();
        assertThat(reply.error()).isEqualTo("model 'fake' failed after 3 tries: boom");
        assertThat(backend.calls.get()).isEqualTo(3);
        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.retries()).isEqualTo(2);
        assertThat(usage.failures()).isEqualTo(1);
        assertThat(usage.calls()).isZero();
        assertThat(modelCalls()).singleElement().satisfies(call -> {
            assertThat(call.attempts()).isEqualTo(3);
            assertThat(call.error()).isEqualTo("model 'fake' failed after 3 tries: boom");
            assertThat(call.tries()).extracting(TraceEvent.TryError::error).containsExactly("boom", "boom", "boom");
        });
    }

    @Test
    void should_trace_one_error_entry_per_try_when_a_call_succeeds_after_failed_tries() {
        AtomicInteger tries = new AtomicInteger();
        FakeBackend backend = new FakeBackend(request -> switch (tries.incrementAndGet()) {
            case 1 -> CompletableFuture.failedFuture(new RuntimeException("HTTP 500"));
            case 2 -> CompletableFuture.failedFuture(new java.net.ConnectException());
            default -> CompletableFuture.completedFuture(generation(request, 1, 1));
        });
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 10, WAIT, 3, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isNull();
        assertThat(modelCalls()).singleElement().satisfies(call -> {
            assertThat(call.attempts()).isEqualTo(3);
            assertThat(call.error()).isNull();
            assertThat(call.tries()).extracting(TraceEvent.TryError::attempt).containsExactly(1, 2);
            assertThat(call.tries()).extracting(TraceEvent.TryError::error)
                    .containsExactly("HTTP 500", "java.net.ConnectException");
        });
    }

    @Test
    void should_not_retry_when_backend_says_the_error_is_permanent() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.failedFuture(new RuntimeException("bad key")));
        backend.retryable = error -> false;
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(2, 10, WAIT, 5, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isEqualTo("model 'fake' failed after 1 try: bad key");
        assertThat(backend.calls.get()).isEqualTo(1);
        assertThat(usage(gateway).retries()).isZero();
    }

    @Test
    void should_fail_at_once_naming_the_numbers_when_the_request_exceeds_the_context() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.failedFuture(
                new ContextLengthExceeded("fake", 913, 256, 512, null)));
        // the backend would retry anything: the gateway must still stop at the first try
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(2, 10, WAIT, 5, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isEqualTo("model 'fake' failed after 1 try: prompt of 913 tokens"
                + " + max-tokens 256 exceeds the context of 512 tokens of model 'fake'");
        assertThat(backend.calls.get()).isEqualTo(1);
        assertThat(usage(gateway).retries()).isZero();
    }

    @Test
    void should_trace_the_backend_notes_when_a_generation_has_some() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.completedFuture(new Generation(
                List.of("42"), 400, 112, "fake", false, List.of("max-tokens 256 clamped to 112"))));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(2, 10, WAIT, 0, ms(10)));

        assertThat(generate(gateway, request(1)).error()).isNull();

        assertThat(trace).filteredOn(TraceEvent.ProtocolEvent.class::isInstance)
                .map(TraceEvent.ProtocolEvent.class::cast)
                .singleElement().satisfies(e -> {
                    assertThat(e.episodeId()).isEqualTo("ep-1");
                    assertThat(e.event()).isEqualTo("model-note");
                    assertThat(e.detail()).isEqualTo("fake: max-tokens 256 clamped to 112");
                });
    }

    @Test
    void should_retry_when_backend_throws_instead_of_failing_the_stage() {
        AtomicInteger tries = new AtomicInteger();
        FakeBackend backend = new FakeBackend(request -> {
            if (tries.incrementAndGet() == 1) {
                throw new IllegalStateException("thrown");
            }
            return CompletableFuture.completedFuture(generation(request, 1, 1));
        });
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 10, WAIT, 1, ms(10)));

        assertThat(generate(gateway, request(1)).error()).isNull();
        assertThat(usage(gateway).retries()).isEqualTo(1);
    }

    @Test
    void should_time_out_and_cancel_the_call_when_backend_never_completes() {
        List<CompletableFuture<Generation>> issued = new CopyOnWriteArrayList<>();
        FakeBackend backend = new FakeBackend(request -> {
            CompletableFuture<Generation> never = new CompletableFuture<>();
            issued.add(never);
            return never;
        });
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 10, ms(50), 1, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isEqualTo("model 'fake' failed after 2 tries: timed out after 50 ms");
        assertThat(issued).hasSize(2).allMatch(CompletableFuture::isCancelled);
        assertThat(modelCalls()).singleElement().satisfies(call -> assertThat(call.error()).contains("timed out"));
    }

    @Test
    void should_succeed_on_retry_when_first_call_times_out() {
        AtomicInteger tries = new AtomicInteger();
        FakeBackend backend = new FakeBackend(request -> tries.incrementAndGet() == 1
                ? new CompletableFuture<>()
                : CompletableFuture.completedFuture(generation(request, 2, 3)));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 10, ms(50), 2, ms(10)));

        ModelGateway.Completed reply = generate(gateway, request(1));

        assertThat(reply.error()).isNull();
        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.retries()).isEqualTo(1);
        assertThat(usage.calls()).isEqualTo(1);
        assertThat(modelCalls()).singleElement().satisfies(call -> assertThat(call.attempts()).isEqualTo(2));
    }

    @Test
    void should_add_up_token_usage_when_requests_succeed() {
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.completedFuture(
                generation(request, 10, 3 * request.n())));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(2, 10, WAIT, 0, ms(10)));

        for (int n = 1; n <= 3; n++) {
            ModelGateway.Completed reply = generate(gateway, request(n));
            assertThat(reply.generation().texts()).hasSize(n);
        }

        ModelGateway.Usage usage = usage(gateway);
        assertThat(usage.calls()).isEqualTo(3);
        assertThat(usage.promptTokens()).isEqualTo(30);
        assertThat(usage.completionTokens()).isEqualTo(18);
        assertThat(usage.failures()).isZero();
        assertThat(modelCalls()).extracting(TraceEvent.ModelCall::completionTokens).containsExactly(3, 6, 9);
        assertThat(modelCalls()).allSatisfy(call -> {
            assertThat(call.episodeId()).isEqualTo("ep-1");
            assertThat(call.agent()).isEqualTo("solver");
            assertThat(call.phase()).isEqualTo(Phase.ANSWER);
            assertThat(call.prompt()).containsExactly(ChatMessage.user("What is 6*7?"));
            assertThat(call.attempts()).isEqualTo(1);
        });
    }

    @Test
    void should_reply_error_and_keep_serving_when_backend_completes_with_null() {
        AtomicInteger tries = new AtomicInteger();
        FakeBackend backend = new FakeBackend(request -> CompletableFuture.completedFuture(
                tries.incrementAndGet() == 1 ? null : generation(request, 1, 1)));
        backend.retryable = error -> false;
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(1, 10, WAIT, 0, ms(10)));

        assertThat(generate(gateway, request(1)).error()).contains("no result");
        assertThat(generate(gateway, request(1)).error()).isNull();
    }

    @Test
    void should_serve_step_scores_through_the_same_path_when_the_backend_is_a_reward_model() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        ModelBackend prm = new ModelBackend() {
            @Override
            public String name() {
                return "prm";
            }

            @Override
            public java.util.concurrent.CompletionStage<Generation> generate(GenerateRequest request) {
                return CompletableFuture.failedFuture(new IllegalStateException("not a generator"));
            }

            @Override
            public java.util.concurrent.CompletionStage<StepScores> score(ScoreRequest request) {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(new StepScores(
                        request.steps().stream().map(step -> step.contains("wrong") ? 0.1 : 0.9).toList(), 12, "prm"));
            }
        };
        ActorRef<ModelGateway.Command> gateway = spawn(prm, GatewaySettings.DEFAULT);
        TestProbe<StatusReply<StepScores>> probe = testKit.createTestProbe();

        gateway.tell(new ModelGateway.ScoreSteps(scoreRequest(), probe.getRef()));

        StepScores scores = probe.receiveMessage(WAIT).getValue();
        assertThat(scores.scores()).containsExactly(0.9, 0.1);
        assertThat(scores.aggregate(StepScores.Aggregation.MIN)).isEqualTo(0.1);
        assertThat(scores.aggregate(StepScores.Aggregation.PRODUCT)).isCloseTo(0.09, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(scores.aggregate(StepScores.Aggregation.LAST)).isEqualTo(0.1);
        assertThat(usage(gateway).promptTokens()).isEqualTo(12);
        assertThat(modelCalls()).last().satisfies(call -> assertThat(call.outputs()).containsExactly("0.9", "0.1"));
    }

    @Test
    void should_refuse_once_without_retrying_when_the_model_cannot_score() {
        ActorRef<ModelGateway.Command> gateway = spawn(new FakeBackend(r -> CompletableFuture.completedFuture(
                generation(r, 1, 1))), new GatewaySettings(2, 10, ms(1000), 3, ms(5)));
        TestProbe<StatusReply<StepScores>> probe = testKit.createTestProbe();

        gateway.tell(new ModelGateway.ScoreSteps(scoreRequest(), probe.getRef()));

        StatusReply<StepScores> reply = probe.receiveMessage(WAIT);
        assertThat(reply.getError().getMessage()).contains("after 1 try").contains("cannot score steps");
        assertThat(usage(gateway).retries()).isZero();
    }

    private static ScoreRequest scoreRequest() {
        return new ScoreRequest("What is 6*7?", List.of("6*7 = 42", "so it is wrong"),
                new CallContext("ep-1", "t1", "scorer", "judge", 0, Phase.SCORE));
    }

    @Test
    void should_answer_every_held_call_at_once_with_the_cause_when_the_gateway_crashes() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Generation> failing = new CompletableFuture<>();
        GenerateRequest crash = new GenerateRequest(List.of(ChatMessage.user("crash")), Sampling.DEFAULT, 1,
                request(1).context());
        FakeBackend backend = new FakeBackend(request -> request.messages().get(0).content().equals("crash")
                ? failing : gate.thenApply(v -> generation(request, 1, 1)));
        backend.retryable = error -> {
            throw new IllegalStateException("backend bug in isRetryable");
        };
        // supervised as the runtime supervises gateways
        ActorRef<ModelGateway.Command> gateway = testKit.spawn(Behaviors.supervise(
                        ModelGateway.create(backend, new GatewaySettings(2, 10, WAIT, 2, ms(10)), trace::add))
                .onFailure(SupervisorStrategy.restartWithBackoff(ms(200), Duration.ofSeconds(1), 0)));
        TestProbe<ModelGateway.Completed> inFlight = testKit.createTestProbe();
        TestProbe<ModelGateway.Completed> crashing = testKit.createTestProbe();
        TestProbe<ModelGateway.Completed> queued = testKit.createTestProbe();

        gateway.tell(new ModelGateway.Complete(0, request(1), inFlight.getRef())); // waits at the backend
        gateway.tell(new ModelGateway.Complete(0, crash, crashing.getRef()));      // makes the gateway throw
        gateway.tell(new ModelGateway.Complete(0, request(1), queued.getRef()));   // waits in the queue
        usage(gateway); // all three calls are in: the failure cannot overtake the queued one
        failing.completeExceptionally(new RuntimeException("bad request"));

        Duration soon = Duration.ofSeconds(3); // not the ask timeout: at once
        for (TestProbe<ModelGateway.Completed> probe : List.of(inFlight, crashing, queued)) {
            ModelGateway.Completed reply = probe.receiveMessage(soon);
            assertThat(reply.error()).isNotNull();
            assertThat(reply.error()).isEqualTo(
                    "model 'fake' gateway failed (backend bug in isRetryable); the call was not completed");
        }

        // the restarted gateway serves new calls, and the late result of the dropped one changes nothing
        gate.complete(null);
        assertThat(generate(gateway, request(1)).error()).isNull();
        inFlight.expectNoMessage(ms(200));
        assertThat(usage(gateway).calls()).isEqualTo(1);
    }

    @Test
    void should_answer_complete_calls_with_their_ids_and_errors_when_tagged() {
        FakeBackend backend = new FakeBackend(request -> request.n() == 2
                ? CompletableFuture.failedFuture(new IllegalStateException("no two"))
                : CompletableFuture.supplyAsync(() -> generation(request, 3, 4),
                        CompletableFuture.delayedExecutor(request.n() == 1 ? 100 : 0, TimeUnit.MILLISECONDS)));
        ActorRef<ModelGateway.Command> gateway = spawn(backend, new GatewaySettings(4, 10, WAIT, 0, ms(10)));
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

        gateway.tell(new ModelGateway.Complete(11, request(1), probe.getRef())); // answered last
        gateway.tell(new ModelGateway.Complete(12, request(2), probe.getRef())); // fails
        gateway.tell(new ModelGateway.Complete(13, request(3), probe.getRef()));

        List<ModelGateway.Completed> answers = probe.receiveSeveralMessages(3, WAIT);
        assertThat(answers.get(2).id()).isEqualTo(11);
        assertThat(answers.get(2).generation().texts()).containsExactly("42");
        assertThat(answers).filteredOn(a -> a.id() == 12).singleElement().satisfies(a -> {
            assertThat(a.generation()).isNull();
            assertThat(a.error()).isEqualTo("model 'fake' failed after 1 try: no two");
        });
        assertThat(answers).filteredOn(a -> a.id() == 13).singleElement()
                .satisfies(a -> assertThat(a.generation().texts()).hasSize(3));
        assertThat(usage(gateway).promptTokens()).isEqualTo(6);
        assertThat(modelCalls()).hasSize(3);
    }

    @Test
    void should_free_a_finished_calls_slot_before_taking_new_calls_when_those_reached_the_mailbox_first() throws Exception {
        // concurrency 2, room for 1 waiting call; the second call's start holds the gateway's thread until told
        ActorTestKit kit = ActorTestKit.create(com.typesafe.config.ConfigFactory.parseString(
                ModelGateway.MAILBOX + ".mailbox-type = \"akka.dispatch.UnboundedControlAwareMailbox\""));
        try {
            CompletableFuture<Generation> first = new CompletableFuture<>();
            java.util.concurrent.CountDownLatch starting = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            AtomicInteger started = new AtomicInteger();
            FakeBackend backend = new FakeBackend(request -> {
                int call = started.incrementAndGet();
                if (call == 1) {
                    return first;
                }
                if (call == 2) {
                    starting.countDown();
                    await(go);
                    return new CompletableFuture<>(); // holds its slot
                }
                return CompletableFuture.completedFuture(generation(request, 1, 1));
            });
            ActorRef<ModelGateway.Command> gateway = kit.spawn(ModelGateway.create(backend,
                    new GatewaySettings(2, 1, WAIT, 0, ms(10)), trace::add), "gateway",
                    akka.actor.typed.MailboxSelector.fromConfig(ModelGateway.MAILBOX));
            TestProbe<ModelGateway.Completed> probe = kit.createTestProbe();
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
            assertThat(starting.await(10, TimeUnit.SECONDS)).isTrue();
            // while the gateway is busy: two new calls, then the first call finishes
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
            gateway.tell(new ModelGateway.Complete(0, request(1), probe.getRef()));
            first.complete(generation(request(1), 1, 1));
            Thread.sleep(100); // the finished call's signal is in the mailbox, behind the two calls
            go.countDown();

            List<ModelGateway.Completed> replies = probe.receiveSeveralMessages(3, WAIT);

            // in arrival order the first slot would still be held when the new calls come: one would wait, one
            // be refused (overloaded); freed first, one new call takes the slot and the other waits, then runs
            assertThat(replies).allMatch(r -> r.error() == null);
            assertThat(backend.calls.get()).isEqualTo(4);
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ActorRef<ModelGateway.Command> spawn(ModelBackend backend, GatewaySettings settings) {
        return testKit.spawn(ModelGateway.create(backend, settings, trace::add));
    }

    private static ModelGateway.Completed generate(ActorRef<ModelGateway.Command> gateway, GenerateRequest request) {
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();
        gateway.tell(new ModelGateway.Complete(0, request, probe.getRef()));
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

    private static GenerateRequest request(int n) {
        return new GenerateRequest(List.of(ChatMessage.user("What is 6*7?")), Sampling.DEFAULT, n,
                new CallContext("ep-1", "t1", "solver", "solver", 0, Phase.ANSWER));
    }

    private static Generation generation(GenerateRequest request, int promptTokens, int completionTokens) {
        List<String> texts = new ArrayList<>(Collections.nCopies(request.n(), "42"));
        return new Generation(texts, promptTokens, completionTokens, "fake", false);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    /** Counts calls and the most calls in flight at once; answers as {@code answer} says. */
    private static final class FakeBackend implements ModelBackend {

        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Function<GenerateRequest, CompletionStage<Generation>> answer;
        volatile Predicate<Throwable> retryable = error -> true;

        FakeBackend(Function<GenerateRequest, CompletionStage<Generation>> answer) {
            this.answer = answer;
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CompletionStage<Generation> stage;
            try {
                stage = answer.apply(request);
            } catch (RuntimeException e) {
                inFlight.decrementAndGet();
                throw e;
            }
            // the caller sees completion only after the count went down; its cancel reaches the answer
            CompletableFuture<Generation> result = new CompletableFuture<>();
            stage.whenComplete((g, e) -> {
                inFlight.decrementAndGet();
                if (e == null) {
                    result.complete(g);
                } else {
                    result.completeExceptionally(e);
                }
            });
            result.whenComplete((g, e) -> {
                if (result.isCancelled()) {
                    stage.toCompletableFuture().cancel(true);
                }
            });
            return result;
        }

        @Override
        public boolean isRetryable(Throwable error) {
            return retryable.test(error);
        }
    }
}
