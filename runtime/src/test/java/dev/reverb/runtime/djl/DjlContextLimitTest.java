package dev.reverb.runtime.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.ContextLengthExceeded;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.trace.TraceEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Context limits on the in-process engine with the tiny checkpoint the tests write (a context of
 * 128 positions) and a word-level tokenizer: one word, one token. A prompt that does not fit fails
 * before the engine runs, naming both numbers; a completion that does not fit is clamped to the
 * room left and the trace says so.
 */
class DjlContextLimitTest {

    static final ActorTestKit testKit = ActorTestKit.create();
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    static DjlBackend backend;
    static int context;

    @BeforeAll
    static void load() throws Exception {
        TinyCheckpoint ckpt = TinyCheckpoint.random("llama", 2, true, false, 41);
        Path dir = ckpt.write(tmp.resolve("tiny-llama"));
        writeWordTokenizer(dir, ckpt.config.vocabSize());
        backend = new DjlBackend(dir, "cpu", "float32", 8, Duration.ofMillis(50), 100,
                new ProcessRewardModel.Settings(ProcessRewardModel.Style.STEP_TAG, "w3", "w4", "w5"));
        context = ckpt.config.maxPositions();
    }

    @AfterAll
    static void close() {
        if (backend != null) {
            backend.close();
        }
        testKit.shutdownTestKit();
    }

    /** A WordLevel tokenizer.json: {@code <unk>}=0, {@code <s>}=1, {@code </s>}=2, {@code w3}..{@code wN}. */
    static void writeWordTokenizer(Path dir, int vocab) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode t = json.createObjectNode().put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        t.putArray("added_tokens");
        t.putNull("normalizer");
        t.putObject("pre_tokenizer").put("type", "Whitespace");
        t.putNull("post_processor");
        t.putNull("decoder");
        ObjectNode model = t.putObject("model").put("type", "WordLevel").put("unk_token", "<unk>");
        ObjectNode words = model.putObject("vocab").put("<unk>", 0).put("<s>", 1).put("</s>", 2);
        for (int i = 3; i < vocab; i++) {
            words.put("w" + i, i);
        }
        json.writeValue(dir.resolve("tokenizer.json").toFile(), t);
    }

    /** {@code count} words of the vocabulary, so {@code count} tokens (the chat fallback adds a few more). */
    static String words(int count) {
        return IntStream.range(0, count).mapToObj(i -> "w" + (3 + i % 50)).collect(Collectors.joining(" "));
    }

    static GenerateRequest request(String text, int maxTokens) {
        return new GenerateRequest(List.of(ChatMessage.user(text)), new Sampling(0, 1, maxTokens, List.of(), 1L), 1,
                new CallContext("ep", "t", "a", "solver", 0, Phase.ANSWER));
    }

    static Throwable failure(java.util.concurrent.CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("the stage succeeded");
    }

    @Test
    void should_fail_before_running_naming_both_numbers_when_the_prompt_exceeds_the_context() {
        Throwable error = failure(backend.generate(request(words(200), 16)));

        assertThat(error).isInstanceOf(ContextLengthExceeded.class);
        ContextLengthExceeded e = (ContextLengthExceeded) error;
        assertThat(e.promptTokens()).isGreaterThanOrEqualTo(200);
        assertThat(e.contextTokens()).isEqualTo(128);
        assertThat(e.getMessage()).isEqualTo("prompt of " + e.promptTokens() + " tokens + max-tokens 16 exceeds "
                + "the context of 128 tokens of model 'tiny-llama'");
        // the engine is untouched: the next request is served
        assertThat(backend.generate(request(words(5), 4)).toCompletableFuture().join().texts()).hasSize(1);
    }

    @Test
    void should_clamp_the_completion_and_say_so_when_only_max_tokens_overflows() {
        Generation g = backend.generate(request(words(100), 500)).toCompletableFuture().join();

        assertThat(g.promptTokens()).isBetween(100, context - 1);
        assertThat(g.promptTokens() + g.completionTokens()).isLessThanOrEqualTo(context);
        assertThat(g.notes()).singleElement().asString()
                .startsWith("max-tokens 500 clamped to " + (context - g.promptTokens()) + ":")
                .contains("prompt of " + g.promptTokens() + " tokens").contains("context of 128 tokens");
        assertThat(backend.generate(request(words(5), 4)).toCompletableFuture().join().notes()).isEmpty();
    }

    @Test
    void should_fail_only_the_long_request_when_it_shares_a_batch_with_short_ones() {
        var shortOne = backend.generate(request(words(5), 8));
        var longOne = backend.generate(request(words(300), 8));
        var another = backend.generate(request(words(7), 8));

        assertThat(failure(longOne)).isInstanceOf(ContextLengthExceeded.class);
        assertThat(shortOne.toCompletableFuture().join().completionTokens()).isPositive();
        assertThat(another.toCompletableFuture().join().completionTokens()).isPositive();
    }

    @Test
    void should_not_depend_on_a_longer_prompt_in_the_batch_when_given_its_room() {
        // alone, a 60-word prompt may write up to 64 tokens; a 120-word neighbour must not shorten that
        Generation alone = backend.generate(request(words(60), 64)).toCompletableFuture().join();
        assertThat(alone.completionTokens()).as("random weights rarely say end-of-sequence").isGreaterThan(10);
        var shared = backend.generate(request(words(60), 64));
        backend.generate(request(words(120), 64));

        assertThat(shared.toCompletableFuture().join().texts()).isEqualTo(alone.texts());
    }

    @Test
    void should_refuse_step_scores_that_exceed_the_context() {
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            steps.add(words(10));
        }
        Throwable error = failure(backend.score(new ScoreRequest(words(5), steps,
                new CallContext("ep", "t", "prm", "judge", 0, Phase.SCORE))));

        assertThat(error).isInstanceOf(ContextLengthExceeded.class)
                .hasMessageContaining("exceeds the context of 128 tokens of model 'tiny-llama'")
                .hasMessageNotContaining("max-tokens");
    }

    @Test
    void should_fail_the_episode_call_after_one_try_with_the_message_when_going_through_the_gateway() {
        List<TraceEvent> trace = new CopyOnWriteArrayList<>();
        ActorRef<ModelGateway.Command> gateway = testKit.spawn(ModelGateway.create(backend,
                new GatewaySettings(2, 10, WAIT, 3, Duration.ofMillis(10)), trace::add));
        TestProbe<ModelGateway.Completed> probe = testKit.createTestProbe();

        gateway.tell(new ModelGateway.Complete(0, request(words(200), 16), probe.getRef()));

        ModelGateway.Completed reply = probe.receiveMessage(WAIT);
        assertThat(reply.error()).startsWith("model 'tiny-llama' failed after 1 try: prompt of ")
                .endsWith(" tokens + max-tokens 16 exceeds the context of 128 tokens of model 'tiny-llama'");
        TestProbe<ModelGateway.Usage> usage = testKit.createTestProbe();
        gateway.tell(new ModelGateway.GetUsage(usage.getRef()));
        assertThat(usage.receiveMessage(WAIT).retries()).isZero();
    }

    @Test
    void should_refuse_a_prompt_without_room_when_the_generator_is_called_directly() {
        int[] prompt = IntStream.range(0, context).map(i -> 3 + i % 50).toArray();
        assertThatThrownBy(() -> Generator.generate(backend.model(), List.of(prompt),
                List.of(Generator.Params.greedy(4, java.util.Set.of(2)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("128 tokens leaves no room in the context of 128 tokens");
    }
}
