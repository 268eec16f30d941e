package dev.reverb.agents.model;

import java.util.List;
import java.util.Objects;

/**
 * The completions of one generate request.
 *
 * @param texts            one text per requested sample
 * @param promptTokens     tokens read
 * @param completionTokens tokens written, over all samples
 * @param model            the model that answered
 * @param simulated        true when the offline stand-in answered, never a language model
 * @param notes            what the backend changed about the request, for the trace (e.g. max-tokens
 *                         clamped to the room left in the context); usually empty
 */
public record Generation(List<String> texts, int promptTokens, int completionTokens, String model,
                         boolean simulated, List<String> notes) {

    public Generation {
        texts = List.copyOf(texts);
        notes = List.copyOf(notes);
        Objects.requireNonNull(model, "model");
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a generation has at least one text");
        }
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0");
        }
    }

    /** A generation without notes. */
    public Generation(List<String> texts, int promptTokens, int completionTokens, String model, boolean simulated) {
        this(texts, promptTokens, completionTokens, model, simulated, List.of());
    }

    public String text() {
        return texts.get(0);
    }
}
