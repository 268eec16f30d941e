package dev.reverb.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.Environment;
import dev.reverb.runtime.Extensions;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Recorder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coordinator's work pulling, hand-over and exactly-once recording, with probes as workers and recorder. */
class CoordinatorTest {

    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static List<EpisodePlan> plans(int n) throws Exception {
        Scenario scenario = ScenarioLoader.load(Path.of(System.getProperty("reverb.root", "."))
                .resolve("scenarios/quickstart.yaml"), List.of("environment.count=" + n));
        Environment environment = Wiring.environment(scenario.environment(), Extensions.NONE);
        return Runner.plans(scenario, environment, Extensions.NONE).subList(0, n);
    }

    private static final Coordinator.Run RUN = new Coordinator.Run("name: x", "/x.yaml", "run-1");

    private static EpisodeOutcome failed(String id) {
        return new EpisodeOutcome.Failed(id, "test outcome");
    }

    @Test
    void should_hand_a_left_workers_episodes_to_another_and_record_each_once_when_results_repeat() throws Exception {
        List<EpisodePlan> plans = plans(3);
        TestProbe<Recorder.Command> recorder = KIT.createTestProbe();
        TestProbe<String> stopped = KIT.createTestProbe();
        ActorRef<Coordinator.Command> coordinator = KIT.spawn(Coordinator.create(plans, RUN, recorder.getRef(),
                stopped.getRef()));
        TestProbe<Worker.Command> a = KIT.createTestProbe();
        TestProbe<Worker.Command> b = KIT.createTestProbe();
        coordinator.tell(new Coordinator.Join("a", a.getRef()));
        coordinator.tell(new Coordinator.Join("b", b.getRef()));
        assertThat(a.expectMessageClass(Worker.Welcome.class).runId()).isEqualTo("run-1");
        b.expectMessageClass(Worker.Welcome.class);

        coordinator.tell(new Coordinator.Pull(2, a.getRef()));
        List<String> toA = a.expectMessageClass(Worker.Work.class).episodeIds();
        assertThat(toA).containsExactly(plans.get(0).id(), plans.get(1).id());
        coordinator.tell(new Coordinator.Result("a", failed(toA.get(0)), List.of(), a.getRef()));
        assertThat(recorder.expectMessageClass(Recorder.Ended.class).node()).isEqualTo("a");

        a.stop(); // worker a leaves with one episode unfinished: it goes to b
        coordinator.tell(new Coordinator.Pull(2, b.getRef()));
        List<String> toB = new ArrayList<>(b.expectMessageClass(Worker.Work.class).episodeIds());
        if (toB.size() < 2) {
            toB.addAll(b.expectMessageClass(Worker.Work.class).episodeIds());
        }
        assertThat(toB).containsExactlyInAnyOrder(plans.get(1).id(), plans.get(2).id());

        coordinator.tell(new Coordinator.Result("b", failed(plans.get(1).id()), List.of(), b.getRef()));
        coordinator.tell(new Coordinator.Result("b", failed(plans.get(1).id()), List.of(), b.getRef())); // dropped
        coordinator.tell(new Coordinator.Result("b", failed(plans.get(2).id()), List.of(), b.getRef()));
        List<String> recorded = new ArrayList<>();
        recorded.add(((Recorder.Ended) recorder.receiveMessage()).plan().id());
        recorded.add(((Recorder.Ended) recorder.receiveMessage()).plan().id());
        assertThat(recorded).containsExactly(plans.get(1).id(), plans.get(2).id());
        assertThat(recorder.receiveMessage()).isEqualTo(Recorder.AllDone.INSTANCE);
        b.expectMessage(Worker.Finished.INSTANCE);
        stopped.expectNoMessage();
    }

    @Test
    void should_record_trace_parts_before_the_result_and_drop_a_left_workers_parts_when_an_episode_moves() throws Exception {
        EpisodePlan plan = plans(1).get(0);
        TestProbe<Recorder.Command> recorder = KIT.createTestProbe();
        ActorRef<Coordinator.Command> coordinator = KIT.spawn(Coordinator.create(List.of(plan), RUN, recorder.getRef(),
                KIT.<String>createTestProbe().getRef()));
        TestProbe<Worker.Command> a = KIT.createTestProbe();
        TestProbe<Worker.Command> b = KIT.createTestProbe();
        coordinator.tell(new Coordinator.Join("a", a.getRef()));
        a.expectMessageClass(Worker.Welcome.class);
        coordinator.tell(new Coordinator.Pull(1, a.getRef()));
        a.expectMessageClass(Worker.Work.class);
        coordinator.tell(new Coordinator.TracePart("a", plan.id(), List.of(event(plan, "on-a")), a.getRef()));
        coordinator.tell(new Coordinator.Join("b", b.getRef()));
        b.expectMessageClass(Worker.Welcome.class);
        coordinator.tell(new Coordinator.Pull(1, b.getRef()));
        a.stop(); // its episode, and not its part, goes to b
        assertThat(b.expectMessageClass(Worker.Work.class).episodeIds()).containsExactly(plan.id());
        coordinator.tell(new Coordinator.TracePart("b", plan.id(), List.of(event(plan, "first")), b.getRef()));
        coordinator.tell(new Coordinator.TracePart("b", plan.id(), List.of(event(plan, "second")), b.getRef()));
        coordinator.tell(new Coordinator.Result("b", failed(plan.id()), List.of(event(plan, "last")), b.getRef()));
        List<String> traced = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            traced.add(((TraceEvent.ProtocolEvent) recorder.expectMessageClass(Recorder.Trace.class).event()).event());
        }
        assertThat(traced).containsExactly("first", "second", "last");
        assertThat(recorder.expectMessageClass(Recorder.Ended.class).node()).isEqualTo("b");
        assertThat(recorder.receiveMessage()).isEqualTo(Recorder.AllDone.INSTANCE);
    }

    private static TraceEvent event(EpisodePlan plan, String name) {
        return new TraceEvent.ProtocolEvent(Instant.now(), plan.id(), "reflexion", 0, name, "");
    }

    @Test
    void should_tell_a_joining_worker_the_run_is_finished_when_nothing_is_left() {
        TestProbe<Recorder.Command> recorder = KIT.createTestProbe();
        ActorRef<Coordinator.Command> coordinator = KIT.spawn(Coordinator.create(List.of(), RUN, recorder.getRef(),
                KIT.<String>createTestProbe().getRef()));
        assertThat(recorder.receiveMessage()).isEqualTo(Recorder.AllDone.INSTANCE);
        TestProbe<Worker.Command> a = KIT.createTestProbe();
        coordinator.tell(new Coordinator.Join("a", a.getRef()));
        a.expectMessage(Worker.Finished.INSTANCE);
    }
}
