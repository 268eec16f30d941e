package dev.reverb.runtime.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Step scores from a process reward model served by vLLM ({@code vllm serve MODEL --runner
 * pooling}, or {@code --task reward} on older versions): {@code POST /pooling} with the problem and
 * the steps, each followed by the step-tag marker; the server returns one probability row per
 * marker, and the score of a step is that row's entry at {@code positiveIndex} (1 for
 * Qwen2.5-Math-PRM's [bad, good]; 0 for Math-Shepherd served with returned token ids [good, bad]).
 */
public final class PoolingPrm {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final URI endpoint;
    private final String model;
    private final String marker;
    private final int positiveIndex;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param baseUrl the server's OpenAI root, e.g. {@code http://localhost:8000/v1}; the pooling
     *                endpoint is {@code /pooling} on the same server
     */
    public PoolingPrm(String baseUrl, String model, String marker, int positiveIndex, Duration timeout) {
        this.baseUrl = baseUrl;
        String root = baseUrl.replaceAll("/+$", "").replaceAll("/v1$", "");
        this.endpoint = URI.create(root + "/pooling");
        this.model = model;
        this.marker = marker;
        this.positiveIndex = positiveIndex;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The text sent for a request: the problem, then each step followed by the marker, one per line. */
    String input(ScoreRequest request) {
        StringBuilder sb = new StringBuilder(request.problem()).append('\n');
        for (String step : request.steps()) {
            sb.append(step).append(marker).append('\n');
        }
        return sb.toString();
    }

    /**
     * The pre-flight check of the step tag: the server's tokenizer must make it exactly one token
     * (see {@link ServerCheck#checkMarker}); warnings when the server cannot tell.
     */
    List<String> preflight(String apiKey) throws IOException, InterruptedException {
        return ServerCheck.checkMarker(baseUrl, model, marker, apiKey, timeout);
    }

    public CompletableFuture<StepScores> score(ScoreRequest request) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("input", input(request));
        HttpRequest http = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return client.sendAsync(http, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                // a scoring input too long for the model: final, with the numbers the server gave
                ContextErrors.of(model, 0, new IllegalStateException(response.body())).ifPresent(e -> {
                    throw e;
                });
                throw new PoolingException(response.statusCode(), "the reward server answered HTTP "
                        + response.statusCode() + ": " + abbreviate(response.body()));
            }
            return parse(response.body(), request.steps().size());
        });
    }

    private StepScores parse(String body, int steps) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the reward server did not answer JSON: " + abbreviate(body));
        }
        JsonNode rows = root.path("data").path(0).path("data");
        if (!rows.isArray() || rows.size() != steps) {
            throw new IllegalStateException("expected one score row per step (" + steps + ") from the reward "
                    + "server, got " + (rows.isArray() ? rows.size() : "none") + ": is the step tag '" + marker
                    + "' the one the server pools on?");
        }
        List<Double> scores = new ArrayList<>(steps);
        for (JsonNode row : rows) {
            double p = row.isArray() ? row.path(positiveIndex).asDouble(Double.NaN) : row.asDouble(Double.NaN);
            if (Double.isNaN(p) || p < 0 || p > 1) {
                throw new IllegalStateException("the reward server gave a step a score outside [0,1]: " + row);
            }
            scores.add(p);
        }
        return new StepScores(scores, root.path("usage").path("prompt_tokens").asInt(0), model);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    /** An HTTP error status from the reward server (5xx and 429 are worth a retry). */
    public static final class PoolingException extends RuntimeException {
        private final int status;

        public PoolingException(int status, String message) {
            super(message);
            this.status = status;
        }

        public boolean retryable() {
            return status == 429 || status >= 500;
        }
    }
}
