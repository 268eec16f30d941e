package dev.reverb.agents.model;

import java.util.List;
import java.util.Objects;

/**
 * A request for {@code n} completions of a chat.
 *
 * @param messages the chat so far
 * @param sampling sampling parameters
 * @param n        number of independent samples, at least 1
 * @param context  where the call comes from
 */
public record GenerateRequest(List<ChatMessage> messages, Sampling sampling, int n, CallContext context) {

    public GenerateRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(context, "context");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a generate request needs at least one message");
        }
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
    }
}
