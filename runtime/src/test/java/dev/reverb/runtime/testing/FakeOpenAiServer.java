package dev.reverb.runtime.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real OpenAI-compatible HTTP server on loopback for tests: {@code POST /v1/embeddings} embeds
 * (see {@link #embedding}), {@code POST /v1/chat/completions}
 * answers as the script says, {@code GET /v1/models} lists the models {@link #listing} names (404 by default),
 * {@code POST /tokenize} (beside {@code /v1}, as vLLM's) tokenizes as {@link #tokenizing} says (404 by
 * default). Every chat request body
 * is recorded (parsed) for assertions.
 *
 * <pre>{@code
 * try (var server = FakeOpenAiServer.replying(Reply.status(500), Reply.text("42"))) {
 *     var backend = new OpenAiBackend(server.baseUrl(), "m", null, Duration.ofSeconds(5), 2);
 *     ...
 *     assertThat(server.calls()).isEqualTo(2);
 *     assertThat(server.lastRequest().path("temperature").asDouble()).isEqualTo(0.0);
 * }
 * }</pre>
 *
 * <p>Token counts, unless a reply sets them, are whitespace-separated words: the prompt's over
 * all message contents, the completion's over the reply text.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    /** What the server does with one chat request. */
    public sealed interface Reply {

        /** Answer {@code text} with word-count token usage. */
        static Reply text(String text) {
            return new Text(text, -1, -1, 0);
        }

        /** Answer {@code text} reporting the given token usage. */
        static Reply text(String text, int promptTokens, int completionTokens) {
            return new Text(text, promptTokens, completionTokens, 0);
        }

        /** Wait {@code millis} (the client may give up meanwhile), then answer {@code text}. */
        static Reply stall(long millis, String text) {
            return new Text(text, -1, -1, millis);
        }

        /** Fail with an HTTP status and an OpenAI-style error body. */
        static Reply status(int code) {
            return new Status(code, "fake error " + code);
        }

        /** Fail with an HTTP status and an OpenAI-style error body carrying {@code message}. */
        static Reply status(int code, String message) {
            return new Status(code, message);
        }

        /** Fail with an HTTP status and exactly this body (e.g. a particular server's error form). */
        static Reply rawError(int code, String body) {
            return new RawError(code, body);
        }

        /** Answer 200 with exactly this body (e.g. a completion with null content or no usage). */
        static Reply rawJson(String body) {
            return new Raw(body);
        }
    }

    /** A completion; negative token counts mean "count words". */
    public record Text(String text, int promptTokens, int completionTokens, long stallMillis) implements Reply {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An HTTP error. */
    public record Status(int code, String message) implements Reply {
    }

    /** An HTTP error with a verbatim body. */
    public record RawError(int code, String body) implements Reply {
        public RawError {
            Objects.requireNonNull(body, "body");
        }
    }

    /** A verbatim 200 body. */
    public record Raw(String body) implements Reply {
        public Raw {
            Objects.requireNonNull(body, "body");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Function<JsonNode, Reply> script;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger embeddingRequests = new AtomicInteger();

    private FakeOpenAiServer(Function<JsonNode, Reply> script) throws IOException {
        this.script = Objects.requireNonNull(script, "script");
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::onChat);
        server.createContext("/v1/models", this::onModels);
        server.createContext("/v1/embeddings", this::onEmbeddings);
        server.createContext("/tokenize", this::onTokenize);
        server.start();
    }

    /** Starts a server that answers each chat request (its parsed body) as {@code script} says. */
    public static FakeOpenAiServer start(Function<JsonNode, Reply> script) {
        try {
            return new FakeOpenAiServer(script);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake OpenAI server", e);
        }
    }

    /** Starts a server that gives these replies in order, then repeats the last one. */
    public static FakeOpenAiServer replying(Reply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("at least one reply");
        }
        Deque<Reply> queue = new ArrayDeque<>(List.of(replies));
        return start(request -> {
            synchronized (queue) {
                return queue.size() > 1 ? queue.pollFirst() : queue.peekFirst();
            }
        });
    }

    /** Starts a server that always answers {@code text}. */
    public static FakeOpenAiServer answering(String text) {
        return replying(Reply.text(text));
    }

    /** The OpenAI base URL, {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Chat requests received so far. */
    public int calls() {
        return calls.get();
    }

    /** Every chat request body received, parsed, in arrival order. */
    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The latest chat request body; fails when there was none. */
    public JsonNode lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("no chat request received yet");
        }
        return requests.get(requests.size() - 1);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void onChat(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, error("method not allowed", "invalid_request_error"));
                return;
            }
            JsonNode request;
            try (InputStream in = exchange.getRequestBody()) {
                request = JSON.readTree(in);
            } catch (IOException e) {
                send(exchange, 400, error("body is not JSON: " + e.getMessage(), "invalid_request_error"));
                return;
            }
            requests.add(request);
            calls.incrementAndGet();
            Reply reply;
            try {
                reply = Objects.requireNonNullElse(script.apply(request), Reply.status(500, "script gave no reply"));
            } catch (RuntimeException e) {
                send(exchange, 500, error("script failed: " + e, "server_error"));
                return;
            }
            if (reply instanceof Status s) {
                send(exchange, s.code(), error(s.message(), s.code() >= 500 ? "server_error" : "invalid_request_error"));
            } else if (reply instanceof RawError e) {
                send(exchange, e.code(), e.body());
            } else if (reply instanceof Raw r) {
                send(exchange, 200, r.body());
            } else if (reply instanceof Text t && (t.stallMillis() <= 0 || sleep(t.stallMillis()))) {
                send(exchange, 200, completion(request, t));
            }
        } catch (IOException e) {
            // the client went away (e.g. it timed out during a stall): nothing to answer
        }
    }

    /** The dimension of this server's embeddings. */
    public static final int EMBEDDING_DIMENSION = 16;

    /**
     * The embedding this server gives a text: its lower-case words hashed into
     * {@link #EMBEDDING_DIMENSION} counts, plus a small constant so no vector is zero.
     */
    public static float[] embedding(String text) {
        float[] v = new float[EMBEDDING_DIMENSION];
        v[0] = 0.01f;
        for (String w : text.toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
            if (!w.isEmpty()) {
                v[Math.floorMod(w.hashCode(), EMBEDDING_DIMENSION)] += 1;
            }
        }
        return v;
    }

    private void onEmbeddings(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            embeddingRequests.incrementAndGet();
            JsonNode input = request.path("input");
            List<String> texts = new java.util.ArrayList<>();
            if (input.isArray()) {
                input.forEach(t -> texts.add(t.asText()));
            } else {
                texts.add(input.asText());
            }
            ObjectNode body = JSON.createObjectNode().put("object", "list")
                    .put("model", request.path("model").asText("fake-embedding"));
            ArrayNode data = body.putArray("data");
            int tokens = 0;
            for (int i = 0; i < texts.size(); i++) {
                ArrayNode vector = data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
                for (float x : embedding(texts.get(i))) {
                    vector.add(x);
                }
                tokens += words(texts.get(i));
            }
            body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
            send(exchange, 200, body.toString());
        }
    }

    /** Embedding requests received so far. */
    public int embeddingRequests() {
        return embeddingRequests.get();
    }

    /**
     * Makes {@code GET /v1/models} list these model ids (by default it answers 404, as a server
     * without that endpoint would); returns this server.
     */
    public FakeOpenAiServer listing(String... models) {
        this.listed = List.of(models);
        return this;
    }

    /** Makes completions report {@code model} as the model that served them (by default the requested one). */
    public FakeOpenAiServer servedAs(String model) {
        this.servedAs = model;
        return this;
    }

    /**
     * Makes {@code POST /tokenize} (vLLM's, at the server root) answer {@code {"count": n, "tokens": [...]}}
     * with the ids {@code tokenizer} gives the request's {@code prompt} (by default it answers 404);
     * returns this server. Each request body is kept ({@link #tokenizeRequests}).
     */
    public FakeOpenAiServer tokenizing(Function<String, List<Integer>> tokenizer) {
        this.tokenizer = tokenizer;
        return this;
    }

    /** The bodies of the {@code /tokenize} requests so far, parsed. */
    public List<JsonNode> tokenizeRequests() {
        return List.copyOf(tokenizeRequests);
    }

    private volatile List<String> listed;
    private volatile String servedAs;
    private volatile Function<String, List<Integer>> tokenizer;
    private final List<JsonNode> tokenizeRequests = new CopyOnWriteArrayList<>();

    private void onTokenize(HttpExchange exchange) throws IOException {
        try (exchange) {
            Function<String, List<Integer>> tokenize = tokenizer;
            if (tokenize == null || !"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 404, error("no such endpoint", "invalid_request_error"));
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            tokenizeRequests.add(request);
            List<Integer> ids = tokenize.apply(request.path("prompt").asText(""));
            ObjectNode body = JSON.createObjectNode().put("count", ids.size()).put("max_model_len", 4096);
            ids.forEach(body.putArray("tokens")::add);
            body.putNull("token_strs");
            send(exchange, 200, body.toString());
        }
    }

    private void onModels(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<String> models = listed;
            if (models == null) {
                send(exchange, 404, error("no such endpoint", "invalid_request_error"));
                return;
            }
            ObjectNode body = JSON.createObjectNode().put("object", "list");
            ArrayNode data = body.putArray("data");
            for (String id : models) {
                data.addObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "reverb-tests");
            }
            send(exchange, 200, body.toString());
        }
    }

    private String completion(JsonNode request, Text reply) {
        int prompt = reply.promptTokens() >= 0 ? reply.promptTokens() : promptWords(request);
        int completion = reply.completionTokens() >= 0 ? reply.completionTokens() : words(reply.text());
        ObjectNode body = JSON.createObjectNode()
                .put("id", "chatcmpl-" + ids.incrementAndGet())
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", servedAs != null ? servedAs : request.path("model").asText("fake-model"));
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", reply.text());
        choice.put("finish_reason", "stop");
        body.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return body.toString();
    }

    private static int promptWords(JsonNode request) {
        int total = 0;
        JsonNode messages = request.path("messages");
        if (messages instanceof ArrayNode array) {
            for (JsonNode m : array) {
                total += words(m.path("content").asText(""));
            }
        }
        return total;
    }

    private static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static String error(String message, String type) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", type).putNull("code");
        return body.toString();
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
