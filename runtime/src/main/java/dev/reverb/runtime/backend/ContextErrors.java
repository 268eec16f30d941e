package dev.reverb.runtime.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.agents.model.ContextLengthExceeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises an OpenAI-compatible server's "the request does not fit the context" error, in the
 * forms the servers send it, and turns it into a {@link ContextLengthExceeded} with the numbers the
 * server gave:
 * <ul>
 *   <li>vLLM: HTTP 400, {@code This model's maximum context length is 4096 tokens. However, you
 *       requested 5000 tokens (4000 in the messages, 1000 in the completion). ...} (newer: {@code
 *       ... your request has 5000 input tokens ...});</li>
 *   <li>OpenAI: HTTP 400, {@code "code": "context_length_exceeded"}, {@code ... your messages
 *       resulted in 9000 tokens ...};</li>
 *   <li>llama.cpp server: HTTP 400, {@code "type": "exceed_context_size_error"}, {@code the request
 *       exceeds the available context size ...}, {@code "n_prompt_tokens"}, {@code "n_ctx"};</li>
 *   <li>SGLang: {@code The input (5000 tokens) is longer than the model's context length (4096 tokens).}</li>
 * </ul>
 */
final class ContextErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> MARKERS = List.of("context_length_exceeded", "exceed_context_size_error",
            "maximum context length", "exceeds the available context size", "longer than the model's context length");

    private static final List<Pattern> CONTEXT = List.of(
            Pattern.compile("maximum context length is (\\d+)"),
            Pattern.compile("\"n_ctx\"\\s*:\\s*(\\d+)"),
            Pattern.compile("model's context length \\((\\d+) tokens\\)"));

    private static final List<Pattern> PROMPT = List.of(
            Pattern.compile("\\((\\d+) in the messages"),
            Pattern.compile("messages resulted in (\\d+) tokens"),
            Pattern.compile("request has (\\d+) input tokens"),
            Pattern.compile("\"n_prompt_tokens\"\\s*:\\s*(\\d+)"),
            Pattern.compile("The input \\((\\d+) tokens\\)"));

    private ContextErrors() {
    }

    /** The context-length error {@code error} stands for, or empty when it is some other failure. */
    static Optional<ContextLengthExceeded> of(String model, int maxTokens, Throwable error) {
        List<String> texts = new ArrayList<>();
        for (Throwable e : Causes.of(error)) {
            if (e instanceof ContextLengthExceeded already) {
                return Optional.of(already);
            }
            if (e.getMessage() != null) {
                texts.add(e.getMessage());
            }
        }
        String all = String.join("\n", texts);
        String lower = all.toLowerCase(Locale.ROOT);
        if (MARKERS.stream().noneMatch(lower::contains)) {
            return Optional.empty();
        }
        return Optional.of(new ContextLengthExceeded(model, first(PROMPT, all), maxTokens, first(CONTEXT, all),
                serverMessage(texts)));
    }

    private static int first(List<Pattern> patterns, String text) {
        for (Pattern p : patterns) {
            Matcher m = p.matcher(text);
            if (m.find()) {
                try {
                    return Integer.parseInt(m.group(1));
                } catch (NumberFormatException e) {
                    return ContextLengthExceeded.UNKNOWN;
                }
            }
        }
        return ContextLengthExceeded.UNKNOWN;
    }

    /** The {@code message} of the server's JSON error body ({@code {"error": {...}}} or flat), else the text. */
    private static String serverMessage(List<String> texts) {
        for (String text : texts) {
            int brace = text.indexOf('{');
            if (brace < 0) {
                continue;
            }
            try {
                JsonNode body = JSON.readTree(text.substring(brace));
                JsonNode message = body.path("error").isObject() ? body.path("error").path("message") : body.path("message");
                if (message.isTextual()) {
                    return message.asText();
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not JSON: fall through to the plain text
            }
        }
        return texts.isEmpty() ? null : texts.get(0);
    }
}
