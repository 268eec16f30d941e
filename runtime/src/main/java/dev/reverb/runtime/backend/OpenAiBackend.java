package dev.reverb.runtime.backend;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.output.TokenUsage;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Sampling;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Any OpenAI-compatible chat server (vLLM, SGLang, llama.cpp server, Ollama's {@code /v1})
 * through LangChain4j's {@link OpenAiChatModel}. The blocking HTTP calls run on this backend's
 * own threads, one per allowed concurrent call, so no actor ever waits on the network. Retries
 * are the gateway's: the client itself never retries.
 */
public final class OpenAiBackend implements ModelBackend {

    private final String model;
    private final OpenAiChatModel client;
    private final ExecutorService executor;

    /**
     * @param baseUrl     the server's OpenAI API root, e.g. {@code http://localhost:8000/v1}
     * @param model       the model name the server knows
     * @param apiKey      the key, or null for servers that need none
     * @param timeout     per HTTP call
     * @param concurrency calls in flight at once (threads of this backend)
     */
    public OpenAiBackend(String baseUrl, String model, String apiKey, Duration timeout, int concurrency) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.model = Objects.requireNonNull(model, "model");
        this.client = OpenAiChatModel.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey == null || apiKey.isBlank() ? "not-needed" : apiKey)
                .modelName(model)
                .timeout(timeout)
                .maxRetries(0)
                .build();
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(Math.max(1, concurrency), r -> {
            Thread t = new Thread(r, "reverb-openai-" + model.replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                    + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return model;
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        List<CompletableFuture<ChatResponse>> samples = new ArrayList<>(request.n());
        for (int i = 0; i < request.n(); i++) {
            ChatRequest chat = chatRequest(request, i);
            samples.add(CompletableFuture.supplyAsync(() -> client.chat(chat), executor));
        }
        return CompletableFuture.allOf(samples.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> texts = new ArrayList<>(samples.size());
            int prompt = 0;
            int completion = 0;
            for (CompletableFuture<ChatResponse> sample : samples) {
                ChatResponse response = sample.join();
                AiMessage message = response.aiMessage();
                texts.add(message == null || message.text() == null ? "" : message.text());
                TokenUsage usage = response.tokenUsage();
                if (usage != null) {
                    prompt += usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
                    completion += usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
                }
            }
            return new Generation(texts, prompt, completion, model, false);
        });
    }

    private ChatRequest chatRequest(GenerateRequest request, int sample) {
        List<dev.langchain4j.data.message.ChatMessage> messages = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            messages.add(switch (m.role()) {
                case SYSTEM -> SystemMessage.from(m.content());
                case USER -> UserMessage.from(m.content());
                case ASSISTANT -> AiMessage.from(m.content());
            });
        }
        Sampling s = request.sampling();
        OpenAiChatRequestParameters.Builder parameters = OpenAiChatRequestParameters.builder()
                .modelName(model)
                .temperature(s.temperature())
                .topP(s.topP())
                .maxOutputTokens(s.maxTokens());
        if (!s.stop().isEmpty()) {
            parameters.stopSequences(s.stop());
        }
        if (s.seed() != null) {
            parameters.seed((int) ((s.seed() + sample) & 0x7fffffff));
        }
        return ChatRequest.builder().messages(messages).parameters(parameters.build()).build();
    }

    /** Timeouts, connection failures, 429 and 5xx are worth another try; other client errors are not. */
    @Override
    public boolean isRetryable(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof HttpException http) {
                return http.statusCode() == 429 || http.statusCode() >= 500;
            }
            if (e instanceof NonRetriableException) {
                return false;
            }
            if (e instanceof RetriableException || e instanceof TimeoutException || e instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
