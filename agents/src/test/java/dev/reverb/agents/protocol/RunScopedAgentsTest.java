package dev.reverb.agents.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Sampling;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Agents outlive episodes: one agent actor serves episode after episode, and a late reply never crosses over. */
class RunScopedAgentsTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    static Episode episode(String id, Map<String, Episode.Binding> agents, Duration askTimeout) {
        return new Episode(id, ProtocolTestKit.TASK, ProtocolTestKit.ENV, 1, agents, Recall.EMPTY, e -> { }, askTimeout);
    }

    static ModelGateway.Completed answer(ModelGateway.Complete call, String text) {
        return new ModelGateway.Completed(call.id(), new Generation(List.of(text), 3, 2, "held", false), null);
    }

    @Test
    void should_fail_the_episode_naming_the_agent_when_its_model_never_answers_and_drop_the_late_reply() {
        TestProbe<ModelGateway.Command> gateway = KIT.createTestProbe(); // a model that answers only when told
        AgentSpec spec = new AgentSpec("solver", Role.SOLVER, "held", PromptTemplate.defaultFor(Role.SOLVER),
                Sampling.DEFAULT);
        Map<String, Episode.Binding> agents = Map.of("solver", ProtocolTestKit.binding(KIT, spec, gateway.getRef()),
                "reflector", ProtocolTestKit.binding(KIT, new AgentSpec("reflector", Role.REFLECTOR, "held",
                        PromptTemplate.defaultFor(Role.REFLECTOR), Sampling.DEFAULT), gateway.getRef()));
        Reflexion protocol = new Reflexion("reflexion", "solver", "reflector", 1, true);

        TestProbe<EpisodeOutcome> first = KIT.createTestProbe();
        KIT.spawn(protocol.behavior(episode("ep-a", agents, Duration.ofMillis(300)), first.getRef()));
        ModelGateway.Complete late = gateway.expectMessageClass(ModelGateway.Complete.class, Duration.ofSeconds(5));
        EpisodeOutcome failed = first.receiveMessage(Duration.ofSeconds(5));
        assertThat(failed).isInstanceOfSatisfying(EpisodeOutcome.Failed.class, f -> assertThat(f.reason())
                .isEqualTo("no reply from agent 'solver' within 300 ms"));

        TestProbe<EpisodeOutcome> second = KIT.createTestProbe();
        KIT.spawn(protocol.behavior(episode("ep-b", agents, Duration.ofSeconds(5)), second.getRef()));
        ModelGateway.Complete own = gateway.expectMessageClass(ModelGateway.Complete.class, Duration.ofSeconds(5));
        assertThat(own.context().episodeId()).isEqualTo("ep-b");
        assertThat(own.id()).isEqualTo(late.id()); // each episode numbers its turns: only the address tells them apart
        late.replyTo().tell(answer(late, "The answer is 42.")); // to the stopped episode: dropped
        own.replyTo().tell(answer(own, "The answer is 41."));

        EpisodeOutcome completed = second.receiveMessage(Duration.ofSeconds(5));
        assertThat(completed).isInstanceOfSatisfying(EpisodeOutcome.Completed.class, c -> {
            assertThat(c.result().output()).isEqualTo("The answer is 41.");
            assertThat(c.result().messages()).extracting(EpisodeResult.Message::text).containsExactly("The answer is 41.");
        });
        first.expectNoMessage(Duration.ofMillis(200));
    }
}
