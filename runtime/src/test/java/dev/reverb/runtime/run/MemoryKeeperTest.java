package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.Agent;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.memory.Embedder;
import dev.reverb.memory.InMemoryStore;
import dev.reverb.memory.Memory;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.Scopes;
import dev.reverb.memory.Trajectory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The memory keeper: episodes are remembered at once while a slow distillation runs; a flush waits for it. */
class MemoryKeeperTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final String TEAM = Scopes.team("t");

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Word counts in 8 dimensions: enough to store and rank for this test's logic. */
    static final Embedder WORDS = new Embedder() {
        @Override
        public int dimension() {
            return 8;
        }

        @Override
        public float[] embed(String text) {
            float[] v = new float[8];
            v[0] = 0.1f;
            for (String w : text.split("\\W+")) {
                v[Math.floorMod(w.hashCode(), 8)] += 1;
            }
            return v;
        }
    };

    /** A distiller whose answer waits until the test releases it. */
    static final class HeldDistiller implements ModelBackend {
        final CompletableFuture<String> answer = new CompletableFuture<>();
        final List<String> prompts = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "held";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            assertThat(request.context().phase()).isEqualTo(Phase.DISTILL);
            prompts.add(request.messages().get(request.messages().size() - 1).content());
            return answer.thenApply(text -> new Generation(List.of(text), 10, 10, "held", false));
        }
    }

    static Trajectory episode(int n, boolean correct) {
        return new Trajectory("run/" + n, "arithmetic", "t" + n, "Problem number " + n, "reflexion", List.of(),
                correct ? "1" : "2", correct, correct ? "" : "wrong");
    }

    @Test
    void should_remember_episodes_while_a_distillation_runs_and_flush_only_after_it() {
        Memory memory = new Memory(new InMemoryStore(8), WORDS, Memory.Settings.DEFAULT, Clock.systemUTC());
        HeldDistiller model = new HeldDistiller();
        List<TraceEvent> trace = new CopyOnWriteArrayList<>();
        ActorRef<ModelGateway.Command> gateway = KIT.spawn(ModelGateway.create(model,
                new GatewaySettings(1, 10, Duration.ofSeconds(20), 0, Duration.ofMillis(10)), trace::add));
        AgentSpec spec = new AgentSpec("distiller", Role.DISTILLER, "held", PromptTemplate.defaultFor(Role.DISTILLER),
                Sampling.DEFAULT);
        Episode.Binding distiller = new Episode.Binding(spec, gateway, KIT.spawn(Agent.create(spec, gateway)));
        ActorRef<MemoryKeeper.Command> keeper = KIT.spawn(MemoryKeeper.create(
                new MemoryKeeper.Plan(memory, Set.of(TEAM), Set.of(TEAM), false, TEAM, "distiller", 2, 4, 1), distiller,
                MathEnvironment.arithmetic(1, 1, 2, 2), trace::add, Duration.ofSeconds(20)));
        TestProbe<MemoryKeeper.Done> done = KIT.createTestProbe();

        keeper.tell(new MemoryKeeper.Remember(episode(1, true), done.getRef()));
        keeper.tell(new MemoryKeeper.Remember(episode(2, false), done.getRef())); // the 2nd episode starts a distillation
        done.expectMessage(MemoryKeeper.Done.INSTANCE);
        done.expectMessage(MemoryKeeper.Done.INSTANCE);
        keeper.tell(new MemoryKeeper.Remember(episode(3, true), done.getRef()));
        done.expectMessage(Duration.ofSeconds(2), MemoryKeeper.Done.INSTANCE); // not held up by the distillation

        TestProbe<MemoryKeeper.Done> flushed = KIT.createTestProbe();
        keeper.tell(new MemoryKeeper.Flush(flushed.getRef()));
        flushed.expectNoMessage(Duration.ofMillis(300));
        assertThat(model.prompts).hasSize(1);
        assertThat(model.prompts.get(0)).contains("Tasks that were solved:").contains("Problem number 1")
                .contains("Tasks that were not solved:").contains("Problem number 2");

        model.answer.complete("ADD: Check each step.\nEDIT nine: nonsense\nUPVOTE 4");
        flushed.expectMessage(Duration.ofSeconds(5), MemoryKeeper.Done.INSTANCE);
        List<MemoryItem> insights = memoryInsights(memory);
        assertThat(insights).extracting(MemoryItem::text).containsExactly("Check each step.");
        assertThat(trace).filteredOn(e -> e instanceof TraceEvent.ProtocolEvent p && p.event().equals("insights"))
                .singleElement().satisfies(e -> assertThat(((TraceEvent.ProtocolEvent) e).detail())
                        .startsWith("1 operation(s) applied, 2 skipped; 1 insight(s) for arithmetic")
                        .contains("line 2: expected EDIT n: text").contains("UPVOTE 4: there are only 0 insights"));
    }

    static List<MemoryItem> memoryInsights(Memory memory) {
        try {
            return memory.insights("arithmetic", TEAM);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
