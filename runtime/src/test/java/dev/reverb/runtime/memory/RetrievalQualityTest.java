package dev.reverb.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.memory.LuceneStore;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.MemoryQuery;
import dev.reverb.memory.MemoryStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the real embedding model: a paraphrase of a stored task finds that task before unrelated ones. */
class RetrievalQualityTest {

    @TempDir
    Path folder;

    static final List<String> TASKS = List.of(
            "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
            "Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting.",
            "A train leaves the station at 3 pm travelling at 60 miles per hour toward a city 180 miles away.",
            "James writes a 3-page letter to 2 different friends twice a week. How many pages does he write a year?",
            "A bakery makes 120 muffins and packs them into boxes of 8. How many boxes are filled?",
            "The garden has 4 rows of tomato plants with 7 plants in each row; each plant gives 5 tomatoes.",
            "Mark's basketball team scores 25 two pointers, 8 three pointers and 10 free throws.",
            "A rectangle is 12 cm long and 5 cm wide. What is the length of its diagonal?");

    static final List<String> PARAPHRASES = List.of(
            "In April Natalia sold hair clips to 48 friends; in May she sold half that amount.",
            "Weng is paid 12 dollars per hour to babysit and worked for 50 minutes yesterday.",
            "Going 60 mph, a train departs at 3 in the afternoon for a city that is 180 miles off.",
            "Twice every week James sends a three page letter to each of two friends; pages per year?",
            "From 120 muffins baked, boxes holding 8 each are packed. How many full boxes?",
            "Four rows of 7 tomato plants each grow in a garden, and every plant yields 5 tomatoes.",
            "The basketball team of Mark made 25 two-point shots, 8 threes, and 10 free throws.",
            "Find the diagonal of a 12 cm by 5 cm rectangle.");

    @Test
    void should_rank_the_paraphrased_task_first_when_retrieving_with_the_real_embedding_model() throws Exception {
        LangChain4jEmbedder embedder = LangChain4jEmbedder.miniLm();
        assertThat(embedder.dimension()).isEqualTo(384);
        try (MemoryStore store = LuceneStore.open(folder, embedder.dimension())) {
            for (int i = 0; i < TASKS.size(); i++) {
                store.put(new MemoryItem("task-" + i, MemoryKind.EXPERIENTIAL, "team", TASKS.get(i), Instant.now(),
                        Map.of()), embedder.embed(TASKS.get(i)));
            }
            store.commit();
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                String query = PARAPHRASES.get(i);
                List<MemoryStore.Hit> byVector = store.search(new MemoryQuery("", embedder.embed(query), 3,
                        MemoryQuery.Filter.ANY));
                List<MemoryStore.Hit> hybrid = store.search(new MemoryQuery(query, embedder.embed(query), 3,
                        MemoryQuery.Filter.ANY));
                assertThat(byVector.get(0).item().id()).as("vector: " + query).isEqualTo("task-" + i);
                assertThat(hybrid.get(0).item().id()).as("hybrid: " + query).isEqualTo("task-" + i);
                assertThat(byVector.get(0).score()).isGreaterThan(byVector.get(1).score());
            }
        }
    }
}
