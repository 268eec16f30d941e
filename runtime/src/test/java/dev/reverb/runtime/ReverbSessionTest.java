package dev.reverb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.Task;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reverb hosted in an actor system the application (here: the test) owns: ad-hoc questions and tasks. */
class ReverbSessionTest {

    /** The application's own actor system; Reverb's dispatchers come from reference.conf. */
    static final ActorSystem<Void> SYSTEM = ActorSystem.create(Behaviors.empty(), "app");

    @AfterAll
    static void shutdown() {
        SYSTEM.terminate();
        SYSTEM.getWhenTerminated().toCompletableFuture().join();
    }

    @TempDir
    Path tmp;

    static final String SCENARIO = """
            name: session
            environment: {type: arithmetic, count: 2, seed: 5}
            models:
              m: {model: stand-in, simulated: {accuracy: 1.0}}
            agents:
              - {name: solver, role: solver, model: m}
              - {name: reflector, role: reflector, model: m}
            protocols:
              - {name: reflexion, type: reflexion, solver: solver, reflector: reflector, max-trials: 2}
            """;

    /** A model written in Java: answers as {@code script} says and records every prompt it was sent. */
    static class Scripted implements ModelBackend {
        final List<GenerateRequest> requests = new CopyOnWriteArrayList<>();
        final Function<GenerateRequest, String> script;

        Scripted(Function<GenerateRequest, String> script) {
            this.script = script;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            requests.add(request);
            return CompletableFuture.completedFuture(new Generation(Collections.nCopies(request.n(),
                    script.apply(request)), 20, 7, "scripted", false));
        }

        String lastPrompt(String agent) {
            List<GenerateRequest> of = requests.stream().filter(r -> r.context().agent().equals(agent)).toList();
            GenerateRequest last = of.get(of.size() - 1);
            return last.messages().get(last.messages().size() - 1).content();
        }
    }

    Scenario scenario(String extra) throws Exception {
        return ScenarioLoader.load(Files.writeString(tmp.resolve("session.yaml"), SCENARIO + extra), List.of());
    }

    static EpisodeResult await(CompletionStage<EpisodeResult> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void should_answer_a_question_without_a_verifier_with_the_transcript_and_the_tokens() throws Exception {
        Scripted model = new Scripted(r -> r.context().phase() == Phase.REFLECT ? "Recheck the sum."
                : "7 + 5 = 12\nThe answer is 12.");
        List<TraceEvent> trace = new CopyOnWriteArrayList<>();
        try (ReverbSession session = Reverb.session(SYSTEM, scenario("")).backend("m", model).trace(trace::add).start()) {
            EpisodeResult result = await(session.ask("What is 7 + 5?"));

            assertThat(result.output()).isEqualTo("7 + 5 = 12\nThe answer is 12.");
            assertThat(result.verdict().extracted()).isEqualTo("12");
            assertThat(result.verdict().correct()).isFalse(); // no reference answer: not graded
            assertThat(result.verdict().feedback()).contains("Not graded");
            // ungraded, so Reflexion uses its trials: answer, reflection, revision
            assertThat(result.messages()).extracting(EpisodeResult.Message::phase)
                    .containsExactly(Phase.ANSWER, Phase.REFLECT, Phase.REVISE);
            assertThat(result.promptTokens()).isEqualTo(60);
            assertThat(result.completionTokens()).isEqualTo(21);
            assertThat(model.requests.get(0).messages().get(model.requests.get(0).messages().size() - 1).content())
                    .contains("What is 7 + 5?");
            assertThat(trace).anyMatch(e -> e instanceof TraceEvent.ModelCall);
        }
    }

    @Test
    void should_grade_a_task_with_the_scenarios_verifier_and_stop_at_the_first_correct_answer() throws Exception {
        Scripted model = new Scripted(r -> "6 * 7 = 42\nThe answer is 42.");
        try (ReverbSession session = Reverb.session(SYSTEM, scenario("")).backend("m", model).start()) {
            Task task = new Task("six-sevens", "arithmetic", "What is 6 * 7?", "42", List.of(), Map.of());
            EpisodeResult right = await(session.ask(task, "reflexion"));
            Task other = new Task("six-eights", "arithmetic", "What is 6 * 8?", "48", List.of(), Map.of());
            EpisodeResult wrong = await(session.ask(other));

            assertThat(right.verdict().correct()).isTrue();
            assertThat(right.rounds()).hasSize(1);
            assertThat(wrong.verdict().correct()).isFalse();
            assertThat(wrong.rounds()).hasSize(2);
            assertThat(session.protocols()).containsExactly("reflexion");
            assertThatThrownBy(() -> await(session.ask(task, "debate"))).hasMessageContaining("no protocol 'debate'");
        }
    }

    @Test
    void should_run_the_scenarios_simulated_model_when_no_backend_is_given() throws Exception {
        Scenario scenario = scenario("");
        try (ReverbSession session = Reverb.session(SYSTEM, scenario).start()) {
            Task task = dev.reverb.runtime.run.Wiring.environment(scenario.environment(), Extensions.NONE).tasks().get(0);
            EpisodeResult result = await(session.ask(task));

            assertThat(result.simulated()).isTrue();
            assertThat(result.verdict().correct()).isTrue(); // accuracy 1.0
            assertThat(result.modelCalls()).isEqualTo(1);
        }
    }

    @Test
    void should_show_the_second_question_the_trajectory_of_the_first_when_memory_is_on() throws Exception {
        Scripted model = new Scripted(r -> r.context().phase() == Phase.REFLECT ? "Carry the one."
                : "The answer is 12.");
        String memory = """
                memory:
                  folder: %s
                  read: [team]
                  write: [team]
                """.formatted(tmp.resolve("memory"));
        try (ReverbSession session = Reverb.session(SYSTEM, scenario(memory)).backend("m", model).start()) {
            EpisodeResult first = await(session.ask(new Task("a", "arithmetic", "What is 7 + 5?", "12", List.of(), Map.of())));
            assertThat(first.memoryUsed()).isEmpty();
            EpisodeResult second = await(session.ask(new Task("b", "arithmetic", "What is 8 + 4?", "12", List.of(), Map.of())));

            assertThat(second.memoryUsed()).isNotEmpty();
            assertThat(model.lastPrompt("solver")).contains("What is 7 + 5?");
        }
    }

    @Test
    void should_fail_the_asked_episode_with_the_cause_when_the_model_fails() throws Exception {
        ModelBackend broken = new Scripted(r -> {
            throw new IllegalStateException("model server down");
        }) {
            @Override
            public boolean isRetryable(Throwable error) {
                return false;
            }
        };
        try (ReverbSession session = Reverb.session(SYSTEM, scenario("")).backend("m", broken).start()) {
            assertThatThrownBy(() -> await(session.ask("What is 1 + 1?")))
                    .hasCauseInstanceOf(ReverbSession.EpisodeFailed.class)
                    .hasMessageContaining("model server down");
        }
    }

    @Test
    void should_run_verifiers_on_the_bounded_verifier_dispatcher_of_reference_conf() throws Exception {
        CompletableFuture<String> thread = CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(),
                Experiment.verifiers(SYSTEM));
        assertThat(thread.get(5, TimeUnit.SECONDS)).contains("reverb.verifier-dispatcher");
        assertThat(SYSTEM.settings().config().getConfig("reverb.verifier-dispatcher").getString("executor"))
                .isEqualTo("thread-pool-executor");
        assertThat(SYSTEM.settings().config().hasPath("reverb.io-dispatcher")).isTrue();
    }
}
