package dev.reverb.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.memory.Embedder;
import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.Memory;
import dev.reverb.memory.Recall;
import dev.reverb.memory.Scopes;
import dev.reverb.memory.Trajectory;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory embedded by an OpenAI-compatible embeddings server (a real HTTP server on loopback). */
class OpenAiEmbeddingTest {

    @TempDir
    Path folder;

    @Test
    void should_embed_through_the_server_and_recall_by_its_vectors() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.answering("unused")) {
            Embedder embedder = Wiring.embedder(new Scenario.EmbeddingConfig("fake-embed", server.baseUrl(), "KEY"),
                    Map.of("KEY", "secret")::get);
            assertThat(embedder.dimension()).isEqualTo(FakeOpenAiServer.EMBEDDING_DIMENSION);
            assertThat(embedder.embed("apples and pears")).containsExactly(FakeOpenAiServer.embedding("apples and pears"));

            String team = Scopes.team("t");
            try (Memory memory = new Memory(LuceneStore.open(folder, embedder.dimension(), "fake-embed"), embedder,
                    Memory.Settings.DEFAULT, Clock.systemUTC())) {
                memory.remember(new Trajectory("r/1", "math", "t1", "Tom buys apples and pears", "reflexion", List.of(),
                        "5", true, ""), Set.of(team), false);
                memory.remember(new Trajectory("r/2", "math", "t2", "A train leaves the station", "reflexion", List.of(),
                        "60", true, ""), Set.of(team), false);
                Recall recall = memory.recall("math", "t3", "How many apples does Tom buy", Set.of(team));
                assertThat(recall.successes().get(0).tags()).containsEntry("task", "t1");
            }
            assertThat(server.embeddingRequests()).isGreaterThanOrEqualTo(4);
        }
    }
}
