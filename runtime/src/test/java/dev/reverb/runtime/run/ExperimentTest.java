package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.agents.protocol.Reflexion;
import dev.reverb.environments.MathEnvironment;
import dev.reverb.environments.Task;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An experiment in session mode, spawned as a behavior in a test-owned system: episodes submitted one by one. */
class ExperimentTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A protocol whose actor throws while it starts (a bug in a user's protocol). */
    record Broken(String name) implements Protocol {
        @Override
        public List<String> agents() {
            return List.of("solver");
        }

        @Override
        public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            return Behaviors.setup(ctx -> {
                throw new IllegalStateException("bad protocol state");
            });
        }
    }

    /** A protocol whose actor stops at its first message without reporting an outcome, or throws there. */
    record Quitter(String name, boolean throwing) implements Protocol {
        @Override
        public List<String> agents() {
            return List.of("solver");
        }

        @Override
        public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            return Behaviors.<String>setup(ctx -> {
                ctx.getSelf().tell("go");
                return Behaviors.<String>receiveMessage(message -> {
                    if (throwing) {
                        throw new IllegalStateException("broken at the first message");
                    }
                    return Behaviors.stopped();
                });
            });
        }
    }

    static final ModelBackend ANSWERS = new ModelBackend() {
        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            return CompletableFuture.completedFuture(new Generation(Collections.nCopies(request.n(), "The answer is 4."),
                    3, 2, "scripted", false));
        }
    };

    @Test
    void should_fail_only_the_episode_with_the_cause_when_its_protocol_actor_throws() {
        ActorRef<Experiment.Command> experiment = KIT.spawn(Experiment.session(session(ANSWERS), event -> { }));
        Task task = new Task("two-twos", "arithmetic", "What is 2 + 2?", "4", List.of(), Map.of());
        TestProbe<EpisodeOutcome> broken = KIT.createTestProbe();
        TestProbe<EpisodeOutcome> fine = KIT.createTestProbe();

        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Broken("broken"), 0, 1), null, broken.getRef()));
        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Reflexion("reflexion", "solver", "solver", 1,
                false), 0, 1), null, fine.getRef()));

        assertThat(broken.receiveMessage(Duration.ofSeconds(10))).isInstanceOfSatisfying(EpisodeOutcome.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("the protocol actor failed: bad protocol state"));
        assertThat(fine.receiveMessage(Duration.ofSeconds(10))).isInstanceOfSatisfying(EpisodeOutcome.Completed.class,
                c -> assertThat(c.result().verdict().correct()).isTrue());

        // the session keeps serving after the failure
        TestProbe<EpisodeOutcome> again = KIT.createTestProbe();
        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Reflexion("reflexion", "solver", "solver", 1,
                false), 1, 1), null, again.getRef()));
        assertThat(again.receiveMessage(Duration.ofSeconds(10))).isInstanceOf(EpisodeOutcome.Completed.class);
    }

    @Test
    void should_fail_the_episode_when_its_protocol_actor_stops_without_an_outcome_or_throws_in_a_message() {
        ActorRef<Experiment.Command> experiment = KIT.spawn(Experiment.session(session(ANSWERS), event -> { }));
        Task task = new Task("two-twos", "arithmetic", "What is 2 + 2?", "4", List.of(), Map.of());
        TestProbe<EpisodeOutcome> quit = KIT.createTestProbe();
        TestProbe<EpisodeOutcome> threw = KIT.createTestProbe();

        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Quitter("quitter", false), 0, 1), null,
                quit.getRef()));
        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Quitter("thrower", true), 0, 1), null,
                threw.getRef()));

        assertThat(quit.receiveMessage(Duration.ofSeconds(10))).isInstanceOfSatisfying(EpisodeOutcome.Failed.class,
                f -> assertThat(f.reason()).isEqualTo(
                        "the protocol actor stopped without reporting an outcome (see the log)"));
        assertThat(threw.receiveMessage(Duration.ofSeconds(10))).isInstanceOfSatisfying(EpisodeOutcome.Failed.class,
                f -> assertThat(f.reason()).isEqualTo("the protocol actor failed: broken at the first message"));
    }

    @Test
    void should_complete_an_episode_submitted_again_with_the_id_of_one_that_just_ended() {
        ActorRef<Experiment.Command> experiment = KIT.spawn(Experiment.session(session(ANSWERS), event -> { }));
        Task task = new Task("two-twos", "arithmetic", "What is 2 + 2?", "4", List.of(), Map.of());
        Protocol reflexion = new Reflexion("reflexion", "solver", "solver", 1, false);
        for (int i = 0; i < 50; i++) { // the first actor's stop report may come after the second one started
            TestProbe<EpisodeOutcome> probe = KIT.createTestProbe();
            experiment.tell(new Experiment.Submit(EpisodePlan.of(task, reflexion, 0, 1), null, probe.getRef()));
            assertThat(probe.receiveMessage(Duration.ofSeconds(10))).isInstanceOf(EpisodeOutcome.Completed.class);
        }
    }

    /** A session's setup: one solver agent on {@code backend}, two episodes at once. */
    private static Experiment.Setup session(ModelBackend backend) {
        return new Experiment.Setup(MathEnvironment.arithmetic(1, 1, 1, 1),
                Map.of("m", new Experiment.Model(backend, new GatewaySettings(2, 10, Duration.ofSeconds(5), 0,
                        Duration.ofMillis(10)))),
                List.of(new AgentSpec("solver", Role.SOLVER, "m", PromptTemplate.defaultFor(Role.SOLVER), Sampling.DEFAULT)),
                List.of(), 2, "test-run", null);
    }

    @Test
    void should_record_every_planned_episode_exactly_once_when_far_more_are_planned_than_run_at_once() {
        MathEnvironment environment = MathEnvironment.arithmetic(3, 200, 1, 2);
        Protocol reflexion = new Reflexion("reflexion", "solver", "solver", 1, false);
        List<EpisodePlan> plans = new java.util.ArrayList<>();
        for (int repeat = 0; repeat < 2; repeat++) {
            for (Task task : environment.tasks()) {
                plans.add(EpisodePlan.of(task, reflexion, repeat, 5));
            }
        }
        ModelBackend slow = new dev.reverb.runtime.backend.SimulatedBackend("policy", 0.5, 0.5, 5,
                dev.reverb.runtime.backend.SimulatedBackend.lookup(environment.tasks()), Duration.ofMillis(20));
        Experiment.Setup setup = new Experiment.Setup(environment,
                Map.of("m", new Experiment.Model(slow, new GatewaySettings(8, 1_000, Duration.ofSeconds(5), 0,
                        Duration.ofMillis(10)))),
                List.of(new AgentSpec("solver", Role.SOLVER, "m", PromptTemplate.defaultFor(Role.SOLVER), Sampling.DEFAULT)),
                plans, 50, "test-run", null);
        TestProbe<Recorder.Command> recorder = KIT.createTestProbe();
        KIT.spawn(Experiment.create(setup, recorder.getRef()));

        Map<String, Integer> ended = new java.util.HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Recorder.Command message = recorder.receiveMessage(Duration.ofSeconds(30));
            if (message == Recorder.AllDone.INSTANCE) {
                break;
            }
            if (message instanceof Recorder.Ended e) {
                assertThat(e.outcome()).isInstanceOf(EpisodeOutcome.Completed.class);
                ended.merge(e.plan().id(), 1, Integer::sum);
            }
        }
        assertThat(ended).hasSize(plans.size());
        assertThat(ended.keySet()).containsExactlyInAnyOrderElementsOf(plans.stream().map(EpisodePlan::id).toList());
        assertThat(ended.values()).containsOnly(1);
    }

    @Test
    void should_run_the_gateways_apart_from_the_episode_actors() {
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ModelBackend recording = new ModelBackend() {
            @Override
            public String name() {
                return "recording";
            }

            @Override
            public CompletionStage<Generation> generate(GenerateRequest request) {
                threads.add(Thread.currentThread().getName()); // the gateway calls its backend on its own thread
                return ANSWERS.generate(request);
            }
        };
        ActorRef<Experiment.Command> experiment = KIT.spawn(Experiment.session(session(recording), event -> { }));
        Task task = new Task("two-twos", "arithmetic", "What is 2 + 2?", "4", List.of(), Map.of());
        TestProbe<EpisodeOutcome> outcome = KIT.createTestProbe();

        experiment.tell(new Experiment.Submit(EpisodePlan.of(task, new Reflexion("reflexion", "solver", "solver", 1,
                false), 0, 1), null, outcome.getRef()));

        assertThat(outcome.receiveMessage(Duration.ofSeconds(10))).isInstanceOf(EpisodeOutcome.Completed.class);
        assertThat(threads).isNotEmpty().allSatisfy(name -> assertThat(name).contains(Team.DISPATCHER));
    }
}
