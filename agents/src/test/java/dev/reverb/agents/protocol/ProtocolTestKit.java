package dev.reverb.agents.protocol;

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
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Environment;
import dev.reverb.environments.NumericAnswers;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/** A scripted model behind a real gateway, a one-task environment whose answer is 42, and helpers. */
final class ProtocolTestKit {

    static final Task TASK = new Task("t1", "test", "What is six times seven?", "42", List.of(), Map.of());

    static final Environment ENV = new Environment() {
        @Override
        public String type() {
            return "test";
        }

        @Override
        public List<Task> tasks() {
            return List.of(TASK);
        }

        @Override
        public Optional<String> extractAnswer(String output) {
            return NumericAnswers.extract(output);
        }

        @Override
        public Verdict verify(Task task, String output) {
            Optional<String> a = extractAnswer(output);
            boolean ok = a.isPresent() && NumericAnswers.equal(a.get(), task.referenceAnswer());
            return new Verdict(ok, ok ? 1 : 0, a.orElse(""), ok ? "Correct." : "Your answer is incorrect.");
        }

        @Override
        public DatasetReport report() {
            return DatasetReport.clean("test", 1);
        }
    };

    /**
     * A model whose reply to each sample is a function of the request and the sample's index, and
     * optionally a process reward model whose step scores are a function of the score request; it
     * records every request.
     */
    static final class ScriptedModel implements ModelBackend {
        final List<GenerateRequest> requests = new CopyOnWriteArrayList<>();
        final List<ScoreRequest> scoreRequests = new CopyOnWriteArrayList<>();
        private final BiFunction<GenerateRequest, Integer, String> script;
        private final Function<ScoreRequest, List<Double>> prm;

        ScriptedModel(Function<GenerateRequest, String> script) {
            this((request, sample) -> script.apply(request), null);
        }

        ScriptedModel(BiFunction<GenerateRequest, Integer, String> script, Function<ScoreRequest, List<Double>> prm) {
            this.script = script;
            this.prm = prm;
        }

        @Override
        public CompletionStage<StepScores> score(ScoreRequest request) {
            if (prm == null) {
                return ModelBackend.super.score(request);
            }
            scoreRequests.add(request);
            return CompletableFuture.completedFuture(new StepScores(prm.apply(request), 5, "scripted-prm"));
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public CompletionStage<Generation> generate(GenerateRequest request) {
            requests.add(request);
            try {
                List<String> texts = new java.util.ArrayList<>();
                for (int i = 0; i < request.n(); i++) {
                    texts.add(script.apply(request, i));
                }
                return CompletableFuture.completedFuture(new Generation(texts, 10, 5, "scripted", false));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public boolean isRetryable(Throwable error) {
            return false;
        }

        /** The user prompts an agent was sent, in order. */
        List<String> prompts(String agent) {
            return requests.stream().filter(r -> r.context().agent().equals(agent))
                    .map(r -> r.messages().get(r.messages().size() - 1).content()).toList();
        }
    }

    static final List<TraceEvent> TRACE = new CopyOnWriteArrayList<>();

    static Episode episode(ActorTestKit kit, ScriptedModel model, Map<String, Role> agents, Recall memory) {
        ActorRef<ModelGateway.Command> gateway = kit.spawn(ModelGateway.create(model,
                new GatewaySettings(4, 100, Duration.ofSeconds(5), 0, Duration.ofMillis(10)), TRACE::add));
        Map<String, Episode.Binding> bindings = new HashMap<>();
        agents.forEach((name, role) -> bindings.put(name, binding(kit,
                new AgentSpec(name, role, "scripted", PromptTemplate.defaultFor(role), Sampling.DEFAULT), gateway)));
        return new Episode("ep-" + System.nanoTime(), TASK, ENV, 1, bindings, memory, TRACE::add, Duration.ofSeconds(5));
    }

    /** Agent {@code spec} bound to {@code gateway}, with its actor spawned as a run spawns it. */
    static Episode.Binding binding(ActorTestKit kit, AgentSpec spec, ActorRef<ModelGateway.Command> gateway) {
        return new Episode.Binding(spec, gateway, kit.spawn(Agent.create(spec, gateway)));
    }

    static EpisodeResult run(ActorTestKit kit, Protocol protocol, Episode episode) {
        TestProbe<EpisodeOutcome> probe = kit.createTestProbe();
        kit.spawn(protocol.behavior(episode, probe.getRef()));
        EpisodeOutcome outcome = probe.receiveMessage(Duration.ofSeconds(10));
        if (outcome instanceof EpisodeOutcome.Completed c) {
            return c.result();
        }
        throw new AssertionError("episode failed: " + outcome);
    }

    private ProtocolTestKit() {
    }
}
