package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FaultyBackendTest {

    /** Answers every call at once, counting them. */
    static final class Echo implements ModelBackend {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(new Generation(List.of("Step 1: 2 + 2 = 4.\nThe answer is 4."),
                    10, 12, "echo", false));
        }
    }

    static GenerateRequest call(int i) {
        return CallCacheTest.request("question " + i, Sampling.DEFAULT.withSeed((long) i), 1,
                new CallContext("e" + i, "t" + i, "solver", "solver", 0, Phase.ANSWER));
    }

    /** E error, T timeout, M malformed, ok: what each call's first try became. */
    static List<String> outcomes(FaultyBackend faulty, int calls) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            CompletableFuture<Generation> f = faulty.generate(call(i)).toCompletableFuture();
            if (!f.isDone()) {
                out.add("T");
                f.cancel(true);
            } else if (f.isCompletedExceptionally()) {
                out.add("E");
            } else {
                out.add(f.join().text().contains("The answer is") ? "ok" : "M");
            }
        }
        return out;
    }

    @Test
    void should_inject_each_fault_at_its_rate_and_the_same_ones_again_when_the_seed_is_the_same() {
        Echo echo = new Echo();
        FaultyBackend faulty = new FaultyBackend(echo, 0.2, 0.05, 0.05, 11);
        List<String> first = outcomes(faulty, 20_000);

        assertThat(first.stream().filter("E"::equals).count() / 20_000.0).isCloseTo(0.20, within(0.015));
        assertThat(first.stream().filter("T"::equals).count() / 20_000.0).isCloseTo(0.05, within(0.01));
        assertThat(first.stream().filter("M"::equals).count() / 20_000.0).isCloseTo(0.05, within(0.01));
        assertThat(faulty.counts().errors() + faulty.counts().timeouts() + faulty.counts().malformed()
                + faulty.counts().passed()).isEqualTo(20_000);
        // errors and hangs never reach the model
        assertThat(echo.calls.get()).isEqualTo(20_000 - faulty.counts().errors() - faulty.counts().timeouts());

        assertThat(outcomes(new FaultyBackend(new Echo(), 0.2, 0.05, 0.05, 11), 20_000)).isEqualTo(first);
        assertThat(outcomes(new FaultyBackend(new Echo(), 0.2, 0.05, 0.05, 12), 20_000)).isNotEqualTo(first);
    }

    @Test
    void should_draw_again_for_a_retry_so_that_a_failed_call_can_succeed_when_it_is_tried_again() {
        FaultyBackend faulty = new FaultyBackend(new Echo(), 0.5, 0, 0, 3);
        GenerateRequest request = call(1);
        List<Boolean> failed = new ArrayList<>();
        for (int attempt = 0; attempt < 40; attempt++) {
            failed.add(faulty.generate(request).toCompletableFuture().isCompletedExceptionally());
        }
        assertThat(failed).contains(true, false);
        Throwable error = faulty.generate(call(2)).toCompletableFuture().handle((g, e) -> e).join();
        if (error != null) {
            assertThat(faulty.isRetryable(error)).isTrue();
        }
        assertThat(faulty.isRetryable(new FaultyBackend.InjectedFault("x"))).isTrue();
    }

    @Test
    void should_mark_a_malformed_answer_in_its_notes_and_keep_its_token_counts_when_it_cuts_it() {
        FaultyBackend faulty = new FaultyBackend(new Echo(), 0, 0, 1.0, 5);
        Generation g = faulty.generate(call(1)).toCompletableFuture().join();
        assertThat(g.text()).doesNotContain("The answer is").hasSizeLessThan(15);
        assertThat(g.notes()).anyMatch(n -> n.contains("injected fault"));
        assertThat(g.completionTokens()).isEqualTo(12);
    }
}
