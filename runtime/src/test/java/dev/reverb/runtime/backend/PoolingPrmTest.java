package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Step scores from a vLLM-style /pooling endpoint on a real loopback server. */
class PoolingPrmTest {

    static final ScoreRequest REQUEST = new ScoreRequest("What is 2+3*4?", List.of("3*4 = 12", "2+12 = 15"),
            new CallContext("ep", "t", "prm", "judge", 0, Phase.SCORE));

    HttpServer server;
    final AtomicReference<JsonNode> received = new AtomicReference<>();

    String start(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/pooling", exchange -> {
            received.set(new ObjectMapper().readTree(exchange.getRequestBody()));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void should_send_steps_with_markers_and_read_one_score_per_step_when_the_server_pools() throws Exception {
        String base = start(200, """
                {"id":"pool-1","object":"list","data":[{"index":0,"object":"pooling","data":[[0.1,0.9],[0.8,0.2]]}],
                 "usage":{"prompt_tokens":31,"total_tokens":31}}""");
        PoolingPrm prm = new PoolingPrm(base, "Qwen2.5-Math-PRM-7B", "<extra_0>", 1, Duration.ofSeconds(5));

        StepScores scores = prm.score(REQUEST).join();

        assertThat(scores.scores()).containsExactly(0.9, 0.2);
        assertThat(scores.promptTokens()).isEqualTo(31);
        assertThat(received.get().path("model").asText()).isEqualTo("Qwen2.5-Math-PRM-7B");
        assertThat(received.get().path("input").asText())
                .isEqualTo("What is 2+3*4?\n3*4 = 12<extra_0>\n2+12 = 15<extra_0>\n");
    }

    @Test
    void should_say_what_is_wrong_when_the_rows_do_not_match_the_steps() throws Exception {
        String base = start(200, "{\"data\":[{\"index\":0,\"data\":[[0.1,0.9]]}]}");
        PoolingPrm prm = new PoolingPrm(base, "m", "ки", 0, Duration.ofSeconds(5));
        assertThatThrownBy(() -> prm.score(REQUEST).join()).isInstanceOf(CompletionException.class)
                .hasMessageContaining("one score row per step (2)").hasMessageContaining("got 1");
    }

    @Test
    void should_retry_server_errors_but_not_bad_requests_when_the_server_fails() throws Exception {
        String base = start(503, "{\"error\":\"busy\"}");
        OpenAiBackend backend = new OpenAiBackend(base, "m", null, Duration.ofSeconds(5), 1,
                new PoolingPrm(base, "m", "ки", 1, Duration.ofSeconds(5)));
        try {
            Throwable busy = catchFailure(backend);
            assertThat(busy).hasMessageContaining("HTTP 503");
            assertThat(backend.isRetryable(busy)).isTrue();
            assertThat(backend.isRetryable(new PoolingPrm.PoolingException(400, "bad"))).isFalse();
        } finally {
            backend.close();
        }
    }

    @Test
    void should_fail_for_good_naming_the_numbers_when_the_scoring_input_exceeds_the_context() throws Exception {
        String base = start(400, """
                {"object":"error","message":"This model's maximum context length is 4096 tokens. However, you \
                requested 5000 tokens in the input for embedding generation. Please reduce the length of the input.",\
                "type":"BadRequestError","param":null,"code":400}""");
        OpenAiBackend backend = new OpenAiBackend(base, "prm-7b", null, Duration.ofSeconds(5), 1,
                new PoolingPrm(base, "prm-7b", "ки", 1, Duration.ofSeconds(5)));
        try {
            Throwable tooLong = catchFailure(backend);
            assertThat(tooLong).isInstanceOf(dev.reverb.agents.model.ContextLengthExceeded.class)
                    .hasMessageStartingWith("the prompt exceeds the context of 4096 tokens of model 'prm-7b'");
            assertThat(backend.isRetryable(tooLong)).isFalse();
        } finally {
            backend.close();
        }
    }

    private static Throwable catchFailure(OpenAiBackend backend) {
        try {
            backend.score(REQUEST).toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
