package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pre-flight check and the identity of an OpenAI-compatible backend, against a real server on loopback. */
class OpenAiPreflightTest {

    static OpenAiBackend backend(String url, String model) {
        return new OpenAiBackend(url, model, null, Duration.ofSeconds(5), 1);
    }

    @Test
    void should_pass_quietly_when_the_server_lists_the_model() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("other", "qwen");
             OpenAiBackend backend = backend(server.baseUrl(), "qwen")) {
            assertThat(backend.preflight()).isEmpty();
        }
    }

    @Test
    void should_only_warn_when_the_server_has_no_models_endpoint() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi");
             OpenAiBackend backend = backend(server.baseUrl(), "qwen")) {
            assertThat(backend.preflight()).singleElement().asString().contains("HTTP 404").contains("not checked");
        }
    }

    @Test
    void should_fail_naming_what_is_served_when_the_model_is_not_listed() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("a", "b");
             OpenAiBackend backend = backend(server.baseUrl(), "qwen")) {
            assertThatThrownBy(backend::preflight)
                    .hasMessage("model 'qwen' not served at " + server.baseUrl() + "; the server lists: a, b");
        }
    }

    @Test
    void should_say_connection_refused_and_the_url_when_no_server_listens() throws Exception {
        String url = "http://127.0.0.1:" + closedPort() + "/v1";
        try (OpenAiBackend backend = backend(url, "qwen")) {
            assertThatThrownBy(backend::preflight).hasMessageContaining(url).hasMessageContaining("connection refused");

            GenerateRequest request = new GenerateRequest(List.of(ChatMessage.user("hi")), Sampling.DEFAULT, 1,
                    new CallContext("e", "t", "a", "solver", 0, Phase.ANSWER));
            assertThatThrownBy(() -> backend.generate(request).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ConnectException.class)
                    .hasMessageContaining("connection refused: " + url);
        }
    }

    @Test
    void should_report_the_served_model_name_as_identity_after_a_call() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").servedAs("Qwen2.5-7B-Instruct");
             OpenAiBackend backend = backend(server.baseUrl(), "qwen")) {
            assertThat(backend.identity()).isEqualTo("qwen");
            GenerateRequest request = new GenerateRequest(List.of(ChatMessage.user("hi")), Sampling.DEFAULT, 1,
                    new CallContext("e", "t", "a", "solver", 0, Phase.ANSWER));
            assertThat(backend.generate(request).toCompletableFuture().get(10, TimeUnit.SECONDS).model())
                    .isEqualTo("Qwen2.5-7B-Instruct");
            assertThat(backend.identity()).isEqualTo("Qwen2.5-7B-Instruct");
        }
    }

    static OpenAiBackend withPrm(String url, String marker) {
        return new OpenAiBackend(url, "qwen-prm", null, Duration.ofSeconds(5), 1,
                new PoolingPrm(url, "qwen-prm", marker, 1, Duration.ofSeconds(5)));
    }

    @Test
    void should_pass_when_the_prm_marker_is_one_token_for_the_servers_tokenizer() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("qwen-prm")
                .tokenizing(text -> text.equals("<extra_0>") ? List.of(151651) : List.of(27, 15, 29));
             OpenAiBackend backend = withPrm(server.baseUrl(), "<extra_0>")) {
            assertThat(backend.preflight()).isEmpty();
            assertThat(server.tokenizeRequests()).singleElement().satisfies(r -> {
                assertThat(r.path("model").asText()).isEqualTo("qwen-prm");
                assertThat(r.path("prompt").asText()).isEqualTo("<extra_0>");
                assertThat(r.path("add_special_tokens").asBoolean(true)).isFalse();
            });
        }
    }

    @Test
    void should_fail_naming_the_marker_and_its_token_count_when_the_prm_marker_is_several_tokens() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("qwen-prm")
                .tokenizing(text -> List.of(27, 15, 29));
             OpenAiBackend backend = withPrm(server.baseUrl(), "<step>")) {
            assertThatThrownBy(backend::preflight).hasMessageContaining("model 'qwen-prm' at " + server.baseUrl())
                    .hasMessageContaining("marker \"<step>\" is 3 tokens").hasMessageContaining("not one");
        }
    }

    @Test
    void should_only_warn_when_the_server_has_no_tokenize_endpoint() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("qwen-prm");
             OpenAiBackend backend = withPrm(server.baseUrl(), "<extra_0>")) {
            assertThat(backend.preflight()).singleElement().asString().contains("/tokenize").contains("HTTP 404")
                    .contains("<extra_0>").contains("not checked");
        }
    }

    @Test
    void should_not_tokenize_when_no_prm_is_configured() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("hi").listing("qwen")
                .tokenizing(text -> List.of(1, 2));
             OpenAiBackend backend = backend(server.baseUrl(), "qwen")) {
            assertThat(backend.preflight()).isEmpty();
            assertThat(server.tokenizeRequests()).isEmpty();
        }
    }

    static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
