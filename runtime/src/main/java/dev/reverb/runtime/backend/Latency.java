package dev.reverb.runtime.backend;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A fixed delay before an answer, without a thread per call: every pending answer is one entry
 * in one shared timer (a daemon {@link ScheduledThreadPoolExecutor} thread, woken at nanosecond
 * deadlines, so an answer arrives within about a tenth of a millisecond of its time, where Akka's
 * scheduler rounds up to its 10 ms tick). The answer completes on the timer thread, so what
 * follows it must be cheap (a gateway only pipes it to its actor).
 */
public final class Latency {

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Latency() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "reverb-latency-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * {@code answer}'s value {@code delay} after now; at once when {@code delay} is zero. The answer
     * is computed now (a failure shows after the delay, as a slow server's would); cancelling the
     * returned future drops its timer entry.
     */
    public static <T> CompletionStage<T> after(Duration delay, Supplier<? extends CompletionStage<T>> answer) {
        CompletionStage<T> value;
        try {
            value = answer.get();
        } catch (RuntimeException e) {
            value = CompletableFuture.failedFuture(e);
        }
        if (delay.isZero()) {
            return value;
        }
        CompletableFuture<T> delayed = new CompletableFuture<>();
        CompletableFuture<T> computed = value.toCompletableFuture();
        var entry = TIMER.schedule(() -> computed.whenComplete((result, error) -> {
            if (error != null) {
                delayed.completeExceptionally(error);
            } else {
                delayed.complete(result);
            }
        }), delay.toNanos(), TimeUnit.NANOSECONDS);
        delayed.whenComplete((result, error) -> {
            if (delayed.isCancelled()) {
                entry.cancel(false);
            }
        });
        return delayed;
    }
}
