package dev.reverb.agents.model;

/**
 * A request that cannot fit the model's context window. It is final: the
 * {@link ModelGateway} never retries it (the same request would fail the same way), and its
 * message names the numbers, e.g. {@code prompt of 913 tokens + max-tokens 256 exceeds the
 * context of 512 tokens of model 'stories260k'}.
 */
public final class ContextLengthExceeded extends RuntimeException {

    /** Stands for a count the server did not say. */
    public static final int UNKNOWN = -1;

    private final String model;
    private final int promptTokens;
    private final int maxTokens;
    private final int contextTokens;

    /**
     * @param model         the model's name
     * @param promptTokens  tokens in the prompt, or {@link #UNKNOWN}
     * @param maxTokens     the completion tokens asked for (max-tokens), 0 for a scoring call
     * @param contextTokens the model's context window, or {@link #UNKNOWN}
     * @param detail        what the server said, or null
     */
    public ContextLengthExceeded(String model, int promptTokens, int maxTokens, int contextTokens, String detail) {
        super(message(model, promptTokens, maxTokens, contextTokens, detail));
        this.model = model;
        this.promptTokens = promptTokens;
        this.maxTokens = maxTokens;
        this.contextTokens = contextTokens;
    }

    public String model() {
        return model;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int contextTokens() {
        return contextTokens;
    }

    private static String message(String model, int prompt, int maxTokens, int context, String detail) {
        String what = (prompt == UNKNOWN ? "the prompt" : "prompt of " + prompt + " tokens")
                + (maxTokens > 0 ? " + max-tokens " + maxTokens : "");
        boolean plural = prompt == UNKNOWN && maxTokens > 0;
        String text = what + (plural ? " exceed " : " exceeds ")
                + (context == UNKNOWN ? "the context" : "the context of " + context + " tokens")
                + " of model '" + model + "'";
        return detail == null || detail.isBlank() ? text : text + " (server: " + detail.strip() + ")";
    }
}
