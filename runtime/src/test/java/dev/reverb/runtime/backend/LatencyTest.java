package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.environments.Task;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LatencyTest {

    private static final Task TASK = new Task("t1", "arithmetic", "Ann has 3 bags of 4 apples. How many apples?",
            "12", List.of("Ann has 3 bags of 4 apples: 3 * 4 = 12."), Map.of());

    private static GenerateRequest request(int i) {
        return new GenerateRequest(List.of(ChatMessage.user("Problem: " + TASK.question())), Sampling.DEFAULT, 1,
                new CallContext("e" + i, TASK.id(), "a", "solver", 0, Phase.ANSWER));
    }

    @Test
    void should_answer_every_call_after_its_latency_without_a_thread_per_call_when_1000_wait_at_once() {
        SimulatedBackend backend = new SimulatedBackend("p", 0.5, 0.5, 1, SimulatedBackend.lookup(List.of(TASK)),
                Duration.ofMillis(200));
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long start = System.nanoTime();
        List<CompletableFuture<Long>> arrivals = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long called = System.nanoTime();
            arrivals.add(backend.generate(request(i)).toCompletableFuture()
                    .thenApply(g -> System.nanoTime() - called));
        }
        int threadsWaiting = ManagementFactory.getThreadMXBean().getThreadCount();
        CompletableFuture.allOf(arrivals.toArray(CompletableFuture[]::new)).join();
        long wall = System.nanoTime() - start;

        assertThat(threadsWaiting - threadsBefore).as("threads started for 1,000 waiting calls").isLessThan(10);
        assertThat(arrivals).allSatisfy(a -> assertThat(a.join()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200)));
        assertThat(Duration.ofNanos(wall)).as("1,000 calls of 200 ms at once, not one after another")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void should_answer_the_same_with_latency_as_without_when_called_alike() {
        var tasks = SimulatedBackend.lookup(List.of(TASK));
        SimulatedBackend slow = new SimulatedBackend("p", 0.5, 0.5, 7, tasks, Duration.ofMillis(20));
        SimulatedBackend fast = new SimulatedBackend("p", 0.5, 0.5, 7, tasks);
        for (int i = 0; i < 20; i++) {
            Generation a = slow.generate(request(i)).toCompletableFuture().join();
            Generation b = fast.generate(request(i)).toCompletableFuture().join();
            assertThat(a).isEqualTo(b);
        }
        assertThat(fast.generate(request(0)).toCompletableFuture()).isCompleted();
        assertThat(slow.identity()).contains("latency 20 ms").contains("simulated");
    }

    @Test
    void should_not_answer_a_call_when_it_was_cancelled_before_its_time() throws Exception {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<String> call = Latency.after(Duration.ofMillis(1000),
                () -> CompletableFuture.completedFuture("late")).toCompletableFuture();
        call.whenComplete((value, error) -> seen.add(error == null ? value : "cancelled"));
        call.cancel(true);
        Thread.sleep(1300); // past its time: the dropped timer entry answers nothing
        assertThat(seen).containsExactly("cancelled");
    }
}
