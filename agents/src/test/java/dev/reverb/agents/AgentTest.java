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
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AgentTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final AgentSpec SOLVER = new AgentSpec("solver", Role.SOLVER, "scripted", PromptTemplate.defaultFor(Role.SOLVER),
            Sampling.DEFAULT);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A gateway that answers each call with the episode, round and seed it came with. */
    static ActorRef<ModelGateway.Command> echoing() {
        return KIT.spawn(Behaviors.receiveMessage(call -> {
            if (call instanceof ModelGateway.Complete c) {
                c.replyTo().tell(new ModelGateway.Completed(c.id(), new Generation(List.of(c.request().context().episodeId()
                        + " round " + c.request().context().round() + " seed " + c.request().sampling().seed()), 5, 6,
                        "scripted", false), null));
            }
            return Behaviors.same();
        }));
    }

    @Test
    void should_answer_each_episodes_turn_with_its_id_and_ids_when_one_agent_serves_two_episodes() {
        ActorRef<Agent.Command> agent = KIT.spawn(Agent.create(SOLVER, echoing()));
        Agent.Scope one = new Agent.Scope("ep-1", "t1", 7, TraceSink.NONE);
        Agent.Scope two = new Agent.Scope("ep-2", "t2", 8, TraceSink.NONE);
        TestProbe<ModelGateway.Completed> first = KIT.createTestProbe();
        TestProbe<ModelGateway.Completed> second = KIT.createTestProbe();

        agent.tell(new Agent.Act(41, 0, Phase.ANSWER, Map.of("task", "What is 1+1?"), one, first.getRef()));
        agent.tell(new Agent.Act(41, 1, Phase.ANSWER, Map.of("task", "What is 1+1?"), two, second.getRef()));

        ModelGateway.Completed a = first.receiveMessage(Duration.ofSeconds(10));
        ModelGateway.Completed b = second.receiveMessage(Duration.ofSeconds(10));
        assertThat(a.id()).isEqualTo(41);
        assertThat(a.generation().texts().get(0)).startsWith("ep-1 round 0 seed ");
        assertThat(b.generation().texts().get(0)).startsWith("ep-2 round 1 seed ");
        assertThat(a.generation().texts().get(0)).endsWith("seed " + Seeds.mix(7, "solver", 0, Phase.ANSWER.name()));
        first.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void should_fail_only_the_turn_when_the_agent_cannot_build_its_model_call() {
        ActorRef<Agent.Command> agent = KIT.spawn(Agent.create(SOLVER, echoing()));
        Agent.Scope scope = new Agent.Scope("ep-1", "t1", 7, TraceSink.NONE);
        TestProbe<ModelGateway.Completed> probe = KIT.createTestProbe();

        agent.tell(new Agent.Act(5, -1, Phase.ANSWER, Map.of("task", "What is 1+1?"), scope, probe.getRef()));
        agent.tell(new Agent.Act(6, 0, Phase.ANSWER, Map.of("task", "What is 1+1?"), scope, probe.getRef()));

        ModelGateway.Completed failed = probe.receiveMessage(Duration.ofSeconds(5));
        assertThat(failed.id()).isEqualTo(5);
        assertThat(Agent.replied(SOLVER, scope, -1, Phase.ANSWER, failed).error())
                .isEqualTo("agent 'solver': cannot build its model call: round must be >= 0");
        assertThat(probe.receiveMessage(Duration.ofSeconds(5)).id()).isEqualTo(6); // the agent still serves
    }

    @Test
    void should_trace_each_text_as_the_agents_message_when_reading_its_reply() {
        List<TraceEvent> trace = new CopyOnWriteArrayList<>();
        Agent.Scope scope = new Agent.Scope("ep-9", "t9", 1, trace::add);
        ModelGateway.Completed completed = new ModelGateway.Completed(3, new Generation(List.of("A", "B"), 4, 2,
                "scripted", true), null);

        Agent.Replied replied = Agent.replied(SOLVER, scope, 2, Phase.REVISE, completed);

        assertThat(replied.id()).isEqualTo(3);
        assertThat(replied.reply()).isEqualTo(new Agent.Reply("solver", List.of("A", "B"), 4, 2, true));
        assertThat(trace).extracting(e -> ((TraceEvent.AgentMessage) e).text()).containsExactly("A", "B");
        assertThat(trace).allSatisfy(e -> assertThat(((TraceEvent.AgentMessage) e).episodeId()).isEqualTo("ep-9"));
    }
}
