package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingBackendTest {

    @TempDir
    Path tmp;

    static GenerateRequest ask(String question) {
        return CallCacheTest.request(question, Sampling.DEFAULT.withSeed(5L), 1,
                new CallContext("e", "t", "solver", "solver", 0, Phase.ANSWER));
    }

    @Test
    void should_answer_from_disk_with_the_recorded_tokens_when_the_same_call_comes_again() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.replying(FakeOpenAiServer.Reply.text("The answer is 4.", 11, 5),
                FakeOpenAiServer.Reply.text("The answer is 9.", 13, 5))) {
            String identity = "openai|m|" + server.baseUrl();
            CachingBackend first = new CachingBackend(new OpenAiBackend(server.baseUrl(), "m", null,
                    Duration.ofSeconds(5), 1), new CallCache(tmp), identity, CachingBackend.Mode.READ_WRITE, false);
            Generation a = first.generate(ask("2+2?")).toCompletableFuture().get();
            first.close();

            CachingBackend second = new CachingBackend(new OpenAiBackend(server.baseUrl(), "m", null,
                    Duration.ofSeconds(5), 1), new CallCache(tmp), identity, CachingBackend.Mode.READ_WRITE, false);
            Generation again = second.generate(ask("2+2?")).toCompletableFuture().get();
            Generation other = second.generate(ask("3+6?")).toCompletableFuture().get();
            second.close();

            assertThat(server.calls()).isEqualTo(2);
            assertThat(again).isEqualTo(a);
            assertThat(again.promptTokens()).isEqualTo(11);
            assertThat(other.text()).isEqualTo("The answer is 9.");
            assertThat(second.hits()).isEqualTo(1);
            assertThat(second.misses()).isEqualTo(1);
        }
    }

    @Test
    void should_not_store_a_failed_call_when_the_model_errs() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.replying(FakeOpenAiServer.Reply.status(500),
                FakeOpenAiServer.Reply.text("The answer is 4."))) {
            CachingBackend cached = new CachingBackend(new OpenAiBackend(server.baseUrl(), "m", null,
                    Duration.ofSeconds(5), 1), new CallCache(tmp), "openai|m", CachingBackend.Mode.READ_WRITE, false);
            Throwable error = cached.generate(ask("2+2?")).toCompletableFuture().handle((g, e) -> e).get();
            assertThat(error).isNotNull();
            assertThat(cached.isRetryable(error)).as("the model's own retry rule still applies").isTrue();

            assertThat(cached.generate(ask("2+2?")).toCompletableFuture().get().text()).isEqualTo("The answer is 4.");
            assertThat(server.calls()).isEqualTo(2);
            cached.close();
        }
    }

    @Test
    void should_fail_without_retry_naming_the_call_when_a_replay_cache_lacks_it() throws Exception {
        CallCache cache = new CallCache(tmp);
        cache.put(CallCache.key("m", new ScoreRequest("p", List.of("s1"), ask("x").context()), false),
                CachingBackend.toJson(new StepScores(List.of(0.9), 3, "m")));
        CachingBackend replay = new CachingBackend(null, cache, "m", CachingBackend.Mode.REPLAY, false);

        CompletableFuture<Generation> missing = replay.generate(ask("2+2?")).toCompletableFuture();
        Throwable error = missing.handle((g, e) -> e).get();
        StepScores scores = replay.score(new ScoreRequest("p", List.of("s1"), ask("y").context())).toCompletableFuture()
                .get();

        assertThat(error).hasMessageContaining("no cached call").hasMessageContaining("agent 'solver'");
        assertThat(replay.isRetryable(error)).isFalse();
        assertThat(scores.scores()).containsExactly(0.9);
    }

    @Test
    void should_still_answer_when_the_cache_folder_cannot_be_written() throws Exception {
        java.nio.file.Path notAFolder = java.nio.file.Files.writeString(tmp.resolve("file"), "x");
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("The answer is 4.")) {
            CachingBackend cached = new CachingBackend(new OpenAiBackend(server.baseUrl(), "m", null,
                    Duration.ofSeconds(5), 1), new CallCache(notAFolder), "openai|m", CachingBackend.Mode.READ_WRITE,
                    false);
            assertThat(cached.generate(ask("2+2?")).toCompletableFuture().get().text()).isEqualTo("The answer is 4.");
            assertThat(cached.generate(ask("2+2?")).toCompletableFuture().get().text()).isEqualTo("The answer is 4.");
            assertThat(server.calls()).isEqualTo(2);
            cached.close();
        }
    }
}
