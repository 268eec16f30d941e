package dev.reverb.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.protocol.RoundOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.Verdict;
import dev.reverb.memory.Memory;
import dev.reverb.memory.MemoryItem;
import dev.reverb.memory.MemoryKind;
import dev.reverb.memory.Recall;
import dev.reverb.memory.Trajectory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every message that crosses cluster nodes round-trips through Akka's Jackson serializer, as configured. */
class ClusterMessagesTest {

    private static final ActorTestKit KIT = ActorTestKit.create("reverb", config());

    private static Config config() {
        Config loaded = ConfigFactory.load();
        return ConfigFactory.parseString("""
                        akka.remote.artery.canonical.hostname = "127.0.0.1"
                        akka.remote.artery.canonical.port = 0
                        """)
                .withFallback(loaded.getConfig("reverb.cluster"))
                .withFallback(loaded.getConfig("reverb.standalone"))
                .withFallback(loaded).resolve();
    }

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static final Instant AT = Instant.parse("2026-12-01T17:00:00.123456Z");

    private final ActorRef<Worker.Command> worker = KIT.<Worker.Command>createTestProbe().getRef();
    private final ActorRef<Coordinator.Command> coordinator = KIT.<Coordinator.Command>createTestProbe().getRef();
    private final ActorRef<MemoryDesk.Command> desk = KIT.<MemoryDesk.Command>createTestProbe().getRef();

    private static EpisodeOutcome.Completed completed() {
        EpisodeResult result = new EpisodeResult("reflexion/t1/r0", "t1", "reflexion", "The answer is 42",
                new Verdict(true, 1.0, "42", "correct"), List.of(new RoundOutcome(0, "41", false),
                new RoundOutcome(1, "42", true)), 120, 30, 3, 1500, List.of("m-1", "m-2"), true,
                List.of(new EpisodeResult.Message("solver", 0, Phase.ANSWER, "41", ""),
                        new EpisodeResult.Message("solver", 1, Phase.ANSWER, "42", "wrong: try again")));
        return new EpisodeOutcome.Completed(result);
    }

    private static List<TraceEvent> trace() {
        return List.of(
                new TraceEvent.AgentMessage(AT, "reflexion/t1/r0", "solver", "solver", 0, Phase.ANSWER, "41"),
                new TraceEvent.ModelCall(AT, "reflexion/t1/r0", "solver", 0, Phase.ANSWER, "policy", true,
                        List.of(ChatMessage.system("be brief"), ChatMessage.user("6*7?")), List.of("42"), 12, 3, 250,
                        2, null, "simulated-policy", List.of(new TraceEvent.TryError(1, AT, 100, "HTTP 500"))),
                new TraceEvent.ProtocolEvent(AT, "reflexion/t1/r0", "reflexion", 1, "verdict", "correct"));
    }

    private static Object roundTrip(Object message) {
        Serialization serialization = SerializationExtension.get(KIT.system());
        Serializer serializer = serialization.findSerializerFor(message);
        assertThat(serializer.getClass().getName()).isEqualTo("akka.serialization.jackson.JacksonJsonSerializer");
        byte[] bytes = serialization.serialize(message).get();
        String manifest = Serializers.manifestFor(serializer, message);
        return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }

    @Test
    void should_round_trip_every_coordinator_message_when_serialised_with_jackson() {
        EpisodeOutcome.Failed failed = new EpisodeOutcome.Failed("debate/t2/r1", "model kept failing",
                new EpisodeOutcome.Partial(List.of(new EpisodeResult.Message("alice", 0, Phase.ANSWER, "7", "")),
                        List.of(new RoundOutcome(0, "7", false)), 10, 2, 1, 300));
        List<Object> messages = List.of(
                new Coordinator.Join("127.0.0.1:25520", worker),
                new Coordinator.Pull(4, worker),
                new Coordinator.Refused("127.0.0.1:25522", "cannot start: model 'policy': connection refused", worker),
                new Coordinator.TracePart("127.0.0.1:25521", "reflexion/t1/r0", trace(), worker),
                new Coordinator.Result("127.0.0.1:25521", completed(), trace(), worker),
                new Coordinator.Result("127.0.0.1:25521", failed, List.of(), worker));
        for (Object message : messages) {
            assertThat(roundTrip(message)).as(message.getClass().getSimpleName()).isEqualTo(message);
        }
    }

    @Test
    void should_round_trip_every_worker_message_when_serialised_with_jackson() {
        List<Object> messages = List.of(
                new Worker.Welcome("name: x\n", "/runs/x/1/scenario.resolved.yaml", "20261201-170000", null,
                        coordinator),
                new Worker.Welcome("name: x\n", "/runs/x/1/scenario.resolved.yaml", "20261201-170000", desk,
                        coordinator),
                new Worker.Work(List.of("reflexion/t1/r0", "debate/t1/r0")),
                Worker.Finished.INSTANCE);
        for (Object message : messages) {
            assertThat(roundTrip(message)).as(message.getClass().getSimpleName()).isEqualTo(message);
        }
    }

    @Test
    void should_round_trip_every_memory_message_when_serialised_with_jackson() {
        MemoryItem item = new MemoryItem("exp:run/reflexion/t1/r0@team:x", MemoryKind.EXPERIENTIAL, "team:x",
                "Task: 6*7?\nAnswer: 42", AT, Map.of("environment", "arithmetic", "task", "t1", "correct", "true"));
        MemoryItem insight = new MemoryItem("ins:arithmetic/3", MemoryKind.CONCEPT, "global", "Check units.", AT,
                Map.of("environment", "arithmetic", "votes", "2"));
        Recall recall = new Recall(new Memory.Limits(2, 1, 2, 5, 800), List.of(item), List.of(), List.of(item),
                List.of(insight));
        Trajectory trajectory = new Trajectory("run/reflexion/t1/r0", "arithmetic", "t1", "6*7?", "reflexion",
                List.of(new Trajectory.Turn("solver", "ANSWER", 0, "41", ""),
                        new Trajectory.Turn("reflector", "REFLECT", 0, "check the product", "wrong")),
                "42", true, "correct");
        List<Object> messages = List.of(
                new MemoryDesk.RecallFor("arithmetic", "t1", "6*7?", KIT.<MemoryDesk.Recalled>createTestProbe().getRef()),
                new MemoryDesk.Recalled(recall, null),
                new MemoryDesk.Recalled(Recall.EMPTY, null),
                new MemoryDesk.Recalled(null, "index is locked"),
                new MemoryDesk.Keep(trajectory, KIT.<MemoryDesk.Kept>createTestProbe().getRef()),
                MemoryDesk.Kept.INSTANCE);
        for (Object message : messages) {
            assertThat(roundTrip(message)).as(message.getClass().getSimpleName()).isEqualTo(message);
        }
    }

    @Test
    void should_keep_the_outcome_kind_and_trace_event_kinds_when_a_result_crosses_nodes() {
        Coordinator.Result back = (Coordinator.Result) roundTrip(
                new Coordinator.Result("n", completed(), trace(), worker));
        assertThat(back.outcome()).isInstanceOf(EpisodeOutcome.Completed.class);
        assertThat(back.trace()).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("AgentMessage", "ModelCall", "ProtocolEvent");
        assertThat(((TraceEvent.ModelCall) back.trace().get(1)).tries()).hasSize(1);
        assertThat(back.trace().get(0).at()).isEqualTo(AT);
    }
}
