package dev.reverb.agents;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.trace.TraceSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AgentTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    private static ActorRef<Agent.Command> agent(ActorRef<ModelGateway.Command> gateway, Duration timeout) {
        AgentSpec spec = new AgentSpec("solver", Role.SOLVER, "scripted", PromptTemplate.defaultFor(Role.SOLVER),
                Sampling.DEFAULT);
        return KIT.spawn(Agent.create(spec, gateway, new Agent.Scope("ep-1", "t1", 7, TraceSink.NONE, timeout)));
    }

    @Test
    void should_answer_each_turn_with_its_id_when_the_model_answers() {
        ActorRef<ModelGateway.Command> gateway = KIT.spawn(Behaviors.receiveMessage(call -> {
            if (call instanceof ModelGateway.Complete c) {
                c.replyTo().tell(new ModelGateway.Completed(c.id(), new Generation(List.of("The answer is "
                        + c.request().context().round() + "."), 5, 6, "scripted", false), null));
            }
            return Behaviors.same();
        }));
        ActorRef<Agent.Command> agent = agent(gateway, Duration.ofSeconds(10));
        TestProbe<Agent.Replied> probe = KIT.createTestProbe();

        agent.tell(new Agent.Act(41, 0, Phase.ANSWER, Map.of("task", "What is 1+1?"), probe.getRef()));
        agent.tell(new Agent.Act(42, 1, Phase.ANSWER, Map.of("task", "What is 1+1?"), probe.getRef()));

        List<Agent.Replied> replies = probe.receiveSeveralMessages(2, Duration.ofSeconds(10));
        assertThat(replies).extracting(Agent.Replied::id).containsExactlyInAnyOrder(41L, 42L);
        assertThat(replies).allSatisfy(r -> assertThat(r.reply().text()).isEqualTo("The answer is " + (r.id() - 41) + "."));
    }

    @Test
    void should_answer_the_turn_with_a_timeout_error_when_the_model_never_answers() {
        ActorRef<ModelGateway.Command> silent = KIT.spawn(Behaviors.<ModelGateway.Command>ignore(), "model-silent");
        ActorRef<Agent.Command> agent = agent(silent, Duration.ofMillis(200));
        TestProbe<Agent.Replied> probe = KIT.createTestProbe();

        agent.tell(new Agent.Act(5, 0, Phase.ANSWER, Map.of("task", "What is 1+1?"), probe.getRef()));

        Agent.Replied replied = probe.receiveMessage(Duration.ofSeconds(5));
        assertThat(replied.id()).isEqualTo(5);
        assertThat(replied.reply()).isNull();
        assertThat(replied.error()).isEqualTo("agent 'solver': no reply from model gateway 'model-silent' within 200 ms");
    }
}
