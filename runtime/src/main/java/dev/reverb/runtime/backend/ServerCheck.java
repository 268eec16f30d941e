package dev.reverb.runtime.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pre-flight check of an OpenAI-compatible server, and the words for a server that cannot be
 * reached: every message names the URL and the cause ("connection refused", "HTTP 401",
 * "model 'x' not served; the server lists: a, b"), and the check that a process reward model's
 * step tag is one token.
 */
final class ServerCheck {

    /** The longest a pre-flight request may take, whatever the model's own timeout. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerCheck() {
    }

    /**
     * {@code GET BASE/models}. Throws when the server cannot be reached, refuses the key, fails,
     * or lists other models but not {@code model}; returns a warning when it has no such endpoint.
     */
    static List<String> check(String baseUrl, String model, String apiKey, Duration timeout)
            throws IOException, InterruptedException {
        String url = baseUrl.replaceAll("/+$", "") + "/models";
        HttpResponse<String> response = send(baseUrl, url, null, apiKey, timeout);
        int status = response.statusCode();
        if (status == 404 || status == 405) {
            return List.of("model '" + model + "' at " + baseUrl + ": the server has no " + url
                    + " (HTTP " + status + "), so whether it serves the model is not checked");
        }
        if (status != 200) {
            throw new IOException("HTTP " + status + " from " + url
                    + (status == 401 || status == 403 ? " (is the API key right? see the model's api-key-env)" : "")
                    + excerpt(response.body()));
        }
        List<String> listed = new ArrayList<>();
        try {
            for (JsonNode m : JSON.readTree(response.body()).path("data")) {
                if (m.hasNonNull("id")) {
                    listed.add(m.get("id").asText());
                }
            }
        } catch (IOException e) {
            return List.of("model '" + model + "' at " + baseUrl + ": " + url + " did not answer JSON; not checked");
        }
        if (listed.isEmpty()) {
            return List.of("model '" + model + "' at " + baseUrl + ": the server lists no models; not checked");
        }
        if (!listed.contains(model)) {
            throw new IOException("model '" + model + "' not served at " + baseUrl + "; the server lists: "
                    + String.join(", ", listed.subList(0, Math.min(20, listed.size())))
                    + (listed.size() > 20 ? ", ... (" + listed.size() + " in all)" : ""));
        }
        return List.of();
    }

    /**
     * {@code POST ROOT/tokenize} (vLLM's tokenizer endpoint, beside {@code /v1}) with the process
     * reward model's step tag: the server pools one score row per marker token, so a marker the
     * tokenizer splits (or drops) would never give one score per step. Throws when it is not exactly
     * one token, naming the marker and the count; returns a warning when the server has no such
     * endpoint or answers something else than a token list.
     */
    static List<String> checkMarker(String baseUrl, String model, String marker, String apiKey, Duration timeout)
            throws IOException, InterruptedException {
        String url = baseUrl.replaceAll("/+$", "").replaceAll("/v1$", "") + "/tokenize";
        String body = JSON.createObjectNode().put("model", model).put("prompt", marker)
                .put("add_special_tokens", false).toString();
        HttpResponse<String> response = send(baseUrl, url, body, apiKey, timeout);
        int status = response.statusCode();
        String quoted = JSON.getNodeFactory().textNode(marker).toString();
        if (status == 404 || status == 405) {
            return List.of("model '" + model + "' at " + baseUrl + ": the server has no " + url + " (HTTP " + status
                    + "), so whether the prm marker " + quoted + " is one token is not checked");
        }
        if (status != 200) {
            throw new IOException("HTTP " + status + " from " + url
                    + (status == 401 || status == 403 ? " (is the API key right? see the model's api-key-env)" : "")
                    + excerpt(response.body()));
        }
        JsonNode tokens;
        try {
            tokens = JSON.readTree(response.body()).path("tokens");
        } catch (IOException e) {
            tokens = null;
        }
        if (tokens == null || !tokens.isArray()) {
            return List.of("model '" + model + "' at " + baseUrl + ": " + url
                    + " did not answer a token list; the prm marker " + quoted + " is not checked");
        }
        if (tokens.size() != 1) {
            throw new IOException("model '" + model + "' at " + baseUrl + ": the prm marker " + quoted + " is "
                    + tokens.size() + " tokens for the server's tokenizer " + tokens
                    + ", not one; the reward model scores one row per marker token, so give prm.marker a"
                    + " single-token step tag (e.g. the one the reward model was trained with)");
        }
        return List.of();
    }

    /**
     * {@code GET url}, or {@code POST url} with a JSON {@code body}; errors reaching it name
     * {@code baseUrl} and the cause.
     */
    private static HttpResponse<String> send(String baseUrl, String url, String body, String apiKey,
                                             Duration timeout) throws IOException, InterruptedException {
        Duration limit = timeout.compareTo(LIMIT) < 0 ? timeout : LIMIT;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(limit);
        } catch (IllegalArgumentException e) {
            throw new IOException(baseUrl + ": not a valid URL (" + e.getMessage() + ")");
        }
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(limit).build();
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException(baseUrl + ": " + cause(e, limit), e);
        }
    }

    /**
     * When {@code error} is (or is caused by) a refused connection, a {@link ConnectException} that says
     * "connection refused" and names the URL; a connection error's own message is often empty.
     */
    static Optional<ConnectException> refused(String baseUrl, Throwable error) {
        for (Throwable e : Causes.of(error)) {
            if (e instanceof ConnectException && !(e instanceof HttpConnectTimeoutException)) {
                ConnectException refused = new ConnectException("connection refused: " + baseUrl
                        + " (is the server running?)");
                refused.initCause(error);
                return Optional.of(refused);
            }
        }
        return Optional.empty();
    }

    private static String cause(IOException e, Duration limit) {
        for (Throwable t : Causes.of(e)) {
            if (t instanceof HttpConnectTimeoutException) {
                return "connection timed out after " + limit.toMillis() + " ms";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer within " + limit.toMillis() + " ms";
            }
            if (t instanceof ConnectException) {
                return "connection refused (is the server running?)";
            }
            if (t instanceof UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host";
            }
        }
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return text.isEmpty() ? "" : ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
    }

}
