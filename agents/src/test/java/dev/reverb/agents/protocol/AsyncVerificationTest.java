package dev.reverb.agents.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import com.typesafe.config.ConfigFactory;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Verifiers run off the protocol actor's thread, on the verifier dispatcher, once per answer. */
class AsyncVerificationTest {

    static final ActorTestKit KIT = ActorTestKit.create(ConfigFactory.parseString("""
            reverb.verifier-dispatcher {
              type = Dispatcher
              executor = "thread-pool-executor"
              thread-pool-executor.fixed-pool-size = 2
            }
            """).withFallback(ConfigFactory.load()));
    static final Executor VERIFIERS = KIT.system().dispatchers()
            .lookup(DispatcherSelector.fromConfig("reverb.verifier-dispatcher"));
    static final Map<String, Role> TEAM = Map.of("solver", Role.SOLVER, "reflector", Role.REFLECTOR);

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** The test environment's grading, slowed down (a sandbox subprocess, say), recording each call's thread. */
    static final class SlowEnvironment implements Environment {
        final List<String> threads = new CopyOnWriteArrayList<>();
        final List<String> graded = new CopyOnWriteArrayList<>();
        final long sleepMs;
        final RuntimeException failure;

        SlowEnvironment(long sleepMs, RuntimeException failure) {
            this.sleepMs = sleepMs;
            this.failure = failure;
        }

        @Override
        public String type() {
            return "test";
        }

        @Override
        public List<Task> tasks() {
            return List.of(ProtocolTestKit.TASK);
        }

        @Override
        public Optional<String> extractAnswer(String output) {
            return ProtocolTestKit.ENV.extractAnswer(output);
        }

        @Override
        public Verdict verify(Task task, String output) {
            threads.add(Thread.currentThread().getName());
            graded.add(output);
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failure != null) {
                throw failure;
            }
            return ProtocolTestKit.ENV.verify(task, output);
        }
    }

    static Episode episode(ScriptedModel model, Environment environment) {
        Episode base = ProtocolTestKit.episode(KIT, model, TEAM, Recall.EMPTY);
        return new Episode(base.id(), base.task(), environment, base.seed(), base.agents(), base.memory(), base.trace(),
                base.askTimeout(), VERIFIERS);
    }

    /** A protocol that answers once, and answers a ping at any time: what "responsive" means. */
    record Pinged(String name, String agent) implements Protocol {
        @Override
        public List<String> agents() {
            return List.of(agent);
        }

        @Override
        public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            return Behaviors.<Run.Command>setup(ctx -> new Run(ctx, this, episode, replyTo));
        }

        static final class Run extends EpisodeBehavior<Run.Command> {
            interface Command {
            }

            record Ping(ActorRef<String> replyTo) implements Command {
            }

            record Answered(Agent.Reply reply, Throwable error) implements Command {
            }

            record Verified(String text, Verdict verdict, Throwable error) implements Command {
            }

            Run(ActorContext<Command> ctx, Pinged config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
                super(ctx, episode, config.name(), config.agents(), replyTo);
                ask(config.agent(), 0, Phase.ANSWER, Map.of(), Answered::new);
            }

            @Override
            public Receive<Command> createReceive() {
                return newReceiveBuilder()
                        .onMessage(Ping.class, p -> {
                            p.replyTo().tell("pong");
                            return this;
                        })
                        .onMessage(Answered.class, a -> {
                            String text = account(a.reply()).text();
                            verify(text, (verdict, error) -> new Verified(text, verdict, error));
                            return this;
                        })
                        .onMessage(Verified.class, v -> v.error() != null ? fail(v.error())
                                : finish(v.text(), v.verdict(), List.of(new RoundOutcome(0, v.verdict().extracted(),
                                v.verdict().correct()))))
                        .build();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void should_answer_other_messages_while_a_slow_verifier_runs_on_the_verifier_dispatcher() {
        SlowEnvironment slow = new SlowEnvironment(3000, null);
        ScriptedModel model = new ScriptedModel(r -> "The answer is 42.");
        TestProbe<EpisodeOutcome> outcomes = KIT.createTestProbe();
        ActorRef<Pinged.Run.Command> actor = (ActorRef<Pinged.Run.Command>) (ActorRef<?>) KIT.spawn(
                new Pinged("pinged", "solver").behavior(episode(model, slow), outcomes.getRef()));
        TestProbe<String> pongs = KIT.createTestProbe();

        // wait until the verifier is running, then ping: the answer comes long before the verdict
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (slow.threads.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(slow.threads).hasSize(1);
        long sent = System.nanoTime();
        actor.tell(new Pinged.Run.Ping(pongs.getRef()));
        pongs.expectMessage(Duration.ofMillis(1500), "pong");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofMillis(1500));
        outcomes.expectNoMessage(Duration.ofMillis(100)); // the verdict is still being computed

        EpisodeOutcome outcome = outcomes.receiveMessage(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOf(EpisodeOutcome.Completed.class);
        assertThat(((EpisodeOutcome.Completed) outcome).result().verdict().correct()).isTrue();
        assertThat(slow.threads).hasSize(1).allMatch(t -> t.contains("reverb.verifier-dispatcher"));
    }

    @Test
    void should_verify_each_answer_once_when_a_built_in_protocol_finishes() {
        SlowEnvironment counting = new SlowEnvironment(0, null);
        ScriptedModel model = new ScriptedModel(r -> r.context().phase() == Phase.REFLECT ? "Check the product."
                : r.context().round() >= 1 ? "The answer is 42." : "The answer is 41.");
        EpisodeResult r = ProtocolTestKit.run(KIT, new Reflexion("reflexion", "solver", "reflector", 3, true),
                episode(model, counting));

        assertThat(r.verdict().correct()).isTrue();
        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
        // two attempts, two verifications: finish reuses the last verdict instead of grading again
        assertThat(counting.graded).containsExactly("The answer is 41.", "The answer is 42.");
        assertThat(counting.threads).allMatch(t -> t.contains("reverb.verifier-dispatcher"));
    }

    @Test
    void should_fail_only_the_episode_with_the_cause_when_the_verifier_throws() {
        SlowEnvironment broken = new SlowEnvironment(0, new IllegalStateException("sandbox could not start"));
        ScriptedModel model = new ScriptedModel(r -> "The answer is 42.");
        TestProbe<EpisodeOutcome> outcomes = KIT.createTestProbe();
        KIT.spawn(new CritiqueRevise("cr", "solver", List.of("reflector"), Map.of(), 2).behavior(episode(model, broken),
                outcomes.getRef()));

        EpisodeOutcome outcome = outcomes.receiveMessage(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOfSatisfying(EpisodeOutcome.Failed.class, f -> assertThat(f.reason())
                .isEqualTo("verifier failed: sandbox could not start"));
    }

    @Test
    void should_grade_the_winning_text_once_when_a_debate_ends() {
        SlowEnvironment counting = new SlowEnvironment(300, null);
        ScriptedModel model = new ScriptedModel(r -> "The answer is 42.");
        Debate debate = new Debate("debate", List.of("solver", "reflector"), 0, Debate.TieBreak.FIRST, null);
        EpisodeResult r = ProtocolTestKit.run(KIT, debate, episode(model, counting));

        assertThat(r.verdict().correct()).isTrue();
        assertThat(counting.graded).containsExactly("The answer is 42."); // the round's winner, reused at the end
    }

    /** A protocol written outside Reverb that ends with {@code finish(output, rounds)} and never verifies. */
    record Unverified(String name, String agent) implements Protocol {
        @Override
        public List<String> agents() {
            return List.of(agent);
        }

        @Override
        public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            return Behaviors.<Run.Answered>setup(ctx -> new Run(ctx, this, episode, replyTo));
        }

        static final class Run extends EpisodeBehavior<Run.Answered> {
            record Answered(Agent.Reply reply, Throwable error) {
            }

            Run(ActorContext<Answered> ctx, Unverified config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
                super(ctx, episode, config.name(), config.agents(), replyTo);
                ask(config.agent(), 0, Phase.ANSWER, Map.of(), Answered::new);
            }

            @Override
            public Receive<Answered> createReceive() {
                return newReceiveBuilder().onMessage(Answered.class, a -> finish(account(a.reply()).text(), List.of()))
                        .build();
            }
        }
    }

    @Test
    void should_grade_the_final_output_off_the_actor_thread_when_a_protocol_finishes_without_a_verdict() {
        SlowEnvironment counting = new SlowEnvironment(100, null);
        EpisodeResult r = ProtocolTestKit.run(KIT, new Unverified("plain", "solver"),
                episode(new ScriptedModel(q -> "The answer is 42."), counting));

        assertThat(r.verdict().correct()).isTrue();
        assertThat(counting.graded).containsExactly("The answer is 42.");
        assertThat(counting.threads).allMatch(t -> t.contains("reverb.verifier-dispatcher"));
    }
}
