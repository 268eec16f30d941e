package dev.reverb.runtime.backend;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.ContextLengthExceeded;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.agents.model.Sampling;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A model served by any OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama's
 * {@code /v1}), reached through LangChain4j's {@link OpenAiChatModel}.
 *
 * <p>Blocking HTTP calls run on the backend's own pool of {@code concurrency} daemon threads;
 * {@link #generate} returns at once. A request for {@code n} samples becomes {@code n} calls
 * (seed {@code s + i} for sample {@code i} when a seed is set), since not every compatible server
 * honours {@code n}. LangChain4j's own retries are off: the {@link dev.reverb.agents.model.ModelGateway}
 * retries, asking {@link #isRetryable}.
 */
public final class OpenAiBackend implements ModelBackend {

    private static final String NO_KEY = "not-needed";

    private final PoolingPrm prm;
    private final String model;
    private final String baseUrl;
    private final String apiKey;
    private final Duration timeout;
    /** The model name the server last reported serving (a response's {@code model}), or null before any. */
    private volatile String served;
    private final ChatModel chat;
    private final ExecutorService executor;

    /**
     * @param baseUrl     the server's OpenAI base URL, e.g. {@code http://localhost:8000/v1}
     * @param model       the model name the server knows
     * @param apiKey      the API key, or {@code null} for servers that need none
     * @param timeout     per HTTP call (connect and read)
     * @param concurrency HTTP calls in flight at once
     */
    public OpenAiBackend(String baseUrl, String model, String apiKey, Duration timeout, int concurrency) {
        this(baseUrl, model, apiKey, timeout, concurrency, null);
    }

    /**
     * As above, for a server that also scores steps with a process reward model.
     *
     * @param prm the server's pooling endpoint for step scores, or null when it has none
     */
    public OpenAiBackend(String baseUrl, String model, String apiKey, Duration timeout, int concurrency,
                         PoolingPrm prm) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.prm = prm;
        this.model = Objects.requireNonNull(model, "model");
        Objects.requireNonNull(timeout, "timeout");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, was " + concurrency);
        }
        this.baseUrl = baseUrl;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.timeout = timeout;
        this.chat = OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey == null || apiKey.isBlank() ? NO_KEY : apiKey)
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .build();
        this.executor = Executors.newFixedThreadPool(concurrency, daemonThreads("reverb-openai-" + model + "-"));
    }

    @Override
    public String name() {
        return model;
    }

    /** The model the server says it serves (from the latest response), else the configured name. */
    @Override
    public String identity() {
        String name = served;
        return name == null ? model : name;
    }

    /**
     * {@code GET BASE/models}: the server must answer and, when it lists models, list this one
     * (a server without the endpoint only earns a warning); with a process reward model, its step
     * tag must be one token for the server's tokenizer ({@code POST /tokenize}; a server without it
     * only earns a warning). Errors name the URL and the cause.
     */
    @Override
    public List<String> preflight() throws IOException, InterruptedException {
        List<String> warnings = ServerCheck.check(baseUrl, model, apiKey, timeout);
        if (prm == null) {
            return warnings;
        }
        List<String> all = new ArrayList<>(warnings);
        all.addAll(prm.preflight(apiKey));
        return List.copyOf(all);
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        return prm == null ? ModelBackend.super.score(request) : prm.score(request);
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        List<CompletableFuture<Answer>> calls = new ArrayList<>(request.n());
        try {
            List<dev.langchain4j.data.message.ChatMessage> messages = toLangChain4j(request.messages());
            for (int i = 0; i < request.n(); i++) {
                int sample = i;
                calls.add(submit(maxTokens -> ChatRequest.builder()
                        .messages(messages)
                        .parameters(parameters(request.sampling(), sample, maxTokens))
                        .build(), request.sampling().maxTokens()));
            }
        } catch (RejectedExecutionException e) {
            calls.forEach(c -> c.cancel(false));
            return CompletableFuture.failedFuture(new IllegalStateException("backend '" + model + "' is closed", e));
        } catch (RuntimeException e) {
            calls.forEach(c -> c.cancel(false));
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Generation> result = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(done -> combine(calls.stream().map(CompletableFuture::join).toList()));
        // a caller that gives up (the gateway's timeout) cancels: stop the HTTP calls, free the threads
        result.whenComplete((generation, error) -> {
            if (result.isCancelled()) {
                calls.forEach(c -> c.cancel(true));
            }
        });
        return result;
    }

    /**
     * Timeouts, connection errors, HTTP 408, 409, 429 and 5xx are worth another try; other client
     * errors (400, 401, 403, 404 …) and anything unrecognised are not.
     */
    @Override
    public boolean isRetryable(Throwable error) {
        List<Throwable> chain = Causes.of(error);
        if (chain.stream().anyMatch(ContextLengthExceeded.class::isInstance)) {
            return false;
        }
        for (Throwable e : chain) {
            if (e instanceof HttpException http) {
                return retryableStatus(http.statusCode());
            }
            if (e instanceof PoolingPrm.PoolingException pooling) {
                return pooling.retryable();
            }
        }
        for (Throwable e : chain) {
            if (e instanceof RetriableException || e instanceof TimeoutException || e instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Stops the backend's threads; calls still running are interrupted. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** One sample's response, with a note when its max-tokens had to be clamped. */
    private record Answer(ChatResponse response, String note) {
    }

    /**
     * Runs one blocking chat call on the pool; cancelling the returned future interrupts it. A
     * server's context-length error becomes a {@link ContextLengthExceeded}, which is never retried;
     * but when the server says the prompt fits and only max-tokens does not (vLLM, OpenAI), the
     * request is sent once more with max-tokens clamped to the room left, and the answer says so.
     */
    private CompletableFuture<Answer> submit(IntFunction<ChatRequest> request, int maxTokens) {
        CompletableFuture<Answer> response = new CompletableFuture<>();
        Future<?> task = executor.submit(() -> {
            try {
                response.complete(new Answer(chat.chat(request.apply(maxTokens)), null));
            } catch (Throwable t) {
                Optional<java.net.ConnectException> refused = ServerCheck.refused(baseUrl, t);
                if (refused.isPresent()) {
                    response.completeExceptionally(refused.get());
                    return;
                }
                Optional<ContextLengthExceeded> tooLong = ContextErrors.of(model, maxTokens, t);
                int room = tooLong.map(OpenAiBackend::room).orElse(0);
                if (room <= 0 || room >= maxTokens || response.isDone()) {
                    response.completeExceptionally(tooLong.<Throwable>map(e -> e).orElse(t));
                    return;
                }
                try {
                    response.complete(new Answer(chat.chat(request.apply(room)), "max-tokens " + maxTokens
                            + " clamped to " + room + ": the prompt of " + tooLong.get().promptTokens()
                            + " tokens leaves only that much of the context of " + tooLong.get().contextTokens()
                            + " tokens"));
                } catch (Throwable again) {
                    response.completeExceptionally(ContextErrors.of(model, room, again).<Throwable>map(e -> e)
                            .orElse(again));
                }
            }
        });
        response.whenComplete((r, error) -> {
            if (response.isCancelled()) {
                task.cancel(true);
            }
        });
        return response;
    }

    /** Completion tokens left when the prompt fits the context, 0 when it does not or the server did not say. */
    private static int room(ContextLengthExceeded e) {
        if (e.promptTokens() == ContextLengthExceeded.UNKNOWN || e.contextTokens() == ContextLengthExceeded.UNKNOWN) {
            return 0;
        }
        return Math.max(0, e.contextTokens() - e.promptTokens());
    }

    private OpenAiChatRequestParameters parameters(Sampling sampling, int sample, int maxTokens) {
        return OpenAiChatRequestParameters.builder()
                .modelName(model)
                .temperature(sampling.temperature())
                .topP(sampling.topP())
                .maxOutputTokens(maxTokens)
                .stopSequences(sampling.stop().isEmpty() ? null : sampling.stop())
                .seed(sampling.seed() == null ? null : intSeed(sampling.seed() + sample))
                .build();
    }

    private Generation combine(List<Answer> answers) {
        List<String> texts = new ArrayList<>(answers.size());
        List<String> notes = answers.stream().map(Answer::note).filter(Objects::nonNull).distinct().toList();
        int prompt = 0;
        int completion = 0;
        for (Answer answer : answers) {
            ChatResponse r = answer.response();
            if (r != null && r.modelName() != null && !r.modelName().isBlank()) {
                served = r.modelName();
            }
            AiMessage message = r == null ? null : r.aiMessage();
            texts.add(message == null || message.text() == null ? "" : message.text());
            TokenUsage usage = r == null ? null : r.tokenUsage();
            if (usage != null) {
                prompt += orZero(usage.inputTokenCount());
                completion += orZero(usage.outputTokenCount());
            }
        }
        return new Generation(texts, prompt, completion, identity(), false, notes);
    }

    static List<dev.langchain4j.data.message.ChatMessage> toLangChain4j(List<ChatMessage> messages) {
        List<dev.langchain4j.data.message.ChatMessage> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> {
                    // LangChain4j rejects a blank system message; a blank system prompt says nothing
                    if (!m.content().isBlank()) {
                        out.add(SystemMessage.from(m.content()));
                    }
                }
                case USER -> out.add(UserMessage.from(m.content()));
                case ASSISTANT -> out.add(AiMessage.from(m.content()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("nothing to send: the chat has only blank system messages");
        }
        return out;
    }

    /** OpenAI seeds are 32-bit: seeds that fit pass unchanged, larger ones are folded. */
    static int intSeed(long seed) {
        return seed == (int) seed ? (int) seed : Long.hashCode(seed);
    }

    private static boolean retryableStatus(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }


    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
