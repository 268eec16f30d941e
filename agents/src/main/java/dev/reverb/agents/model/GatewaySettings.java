package dev.reverb.agents.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How a gateway treats its backend.
 *
 * @param concurrency   calls in flight at once
 * @param queueCapacity calls waiting beyond that; more are rejected with a clear error
 * @param timeout       per call, including the backend's own time
 * @param maxRetries    further tries after a retryable failure
 * @param backoff       delay before the first retry, doubled for each next one
 */
public record GatewaySettings(int concurrency, int queueCapacity, Duration timeout, int maxRetries, Duration backoff) {

    public static final GatewaySettings DEFAULT =
            new GatewaySettings(4, 10_000, Duration.ofSeconds(120), 3, Duration.ofMillis(500));

    public GatewaySettings {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(backoff, "backoff");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1");
        }
        if (queueCapacity < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("queue capacity and retries must be >= 0");
        }
    }

    /** The longest a caller can wait for one request: every try plus every backoff, with slack. */
    public Duration worstCase() {
        Duration total = timeout.multipliedBy(maxRetries + 1L);
        Duration wait = backoff;
        for (int i = 0; i < maxRetries; i++) {
            total = total.plus(wait);
            wait = wait.multipliedBy(2);
        }
        return total.plusSeconds(5);
    }
}
