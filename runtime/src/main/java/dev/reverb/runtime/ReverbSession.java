package dev.reverb.runtime;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import dev.reverb.agents.Seeds;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.EpisodeResult;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.Environment;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import dev.reverb.runtime.run.EpisodePlan;
import dev.reverb.runtime.run.Experiment;
import dev.reverb.runtime.run.MemoryKeeper;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reverb inside an application's {@link ActorSystem}: ask a question (or a {@link Task}) and get
 * the episode back as a {@link CompletionStage} with the answer, its verdict, every agent message
 * and the tokens. The models are built once per session and closed with it; with memory on, each
 * episode is remembered before its answer is returned, so the next question can recall it. Made
 * by {@link Reverb#session}; thread-safe.
 *
 * <p>A question without a reference answer is not graded (its verdict says so); a task is graded
 * by the scenario's environment.
 */
public final class ReverbSession implements AutoCloseable {

    /** An episode that could not finish (a model kept failing, a verifier threw ...). */
    public static final class EpisodeFailed extends RuntimeException {
        private final String episodeId;

        public EpisodeFailed(String episodeId, String reason) {
            super("episode " + episodeId + " failed: " + reason);
            this.episodeId = episodeId;
        }

        public String episodeId() {
            return episodeId;
        }
    }

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final ActorSystem<?> system;
    private final ActorRef<Experiment.Command> experiment;
    private final Environment environment;
    private final Map<String, Protocol> protocols = new LinkedHashMap<>();
    private final Map<String, Experiment.Model> models;
    private final Map<String, ?> given;
    private final MemoryKeeper.Plan memory;
    private final Duration timeout;
    private final long seed;
    private final String id;
    private final AtomicLong asked = new AtomicLong();
    /** The tasks of this session by id: the simulated stand-in's lookup (backends see ids only). */
    private final Map<String, Task> tasks;
    private volatile boolean closed;

    private ReverbSession(Reverb.Builder b, Environment environment, Map<String, Task> tasks,
                          Map<String, Experiment.Model> models, MemoryKeeper.Plan memory) {
        this.system = b.system;
        this.tasks = tasks;
        this.environment = environment;
        this.models = models;
        this.given = Map.copyOf(b.backends);
        this.memory = memory;
        this.timeout = b.timeout;
        this.seed = b.scenario.run().seed();
        this.id = "session-" + System.currentTimeMillis() + "-" + SESSIONS.incrementAndGet();
        Runner.protocols(b.scenario, b.extensions).forEach(p -> protocols.put(p.name(), p));
        Experiment.Setup setup = new Experiment.Setup(environment, models, b.scenario.agents(), List.of(),
                b.scenario.run().concurrency(), id, memory);
        this.experiment = system.systemActorOf(Experiment.session(setup, b.trace), "reverb-" + id, Props.empty());
    }

    static ReverbSession start(Reverb.Builder b) throws IOException {
        Environment environment = Wiring.environment(b.scenario.environment(), b.extensions);
        Runner.Options options = new Runner.Options(false, new PrintWriter(new StringWriter()), b.environment,
                b.extensions);
        for (Map.Entry<String, dev.reverb.agents.model.ModelBackend> e : b.backends.entrySet()) {
            options = options.withBackend(e.getKey(), e.getValue());
        }
        Map<String, Task> tasks = new ConcurrentHashMap<>();
        environment.tasks().forEach(t -> tasks.putIfAbsent(t.id(), t));
        Map<String, Experiment.Model> models = Runner.models(b.scenario, options,
                id -> Optional.ofNullable(tasks.get(id)));
        MemoryKeeper.Plan memory;
        try {
            memory = Wiring.memory(b.scenario, b.environment);
        } catch (IOException | RuntimeException e) {
            models.forEach((name, m) -> closeUnlessGiven(b.backends, name, m));
            throw e;
        }
        return new ReverbSession(b, environment, tasks, models, memory);
    }

    /** The scenario's protocol names; the first one answers {@link #ask(String)}. */
    public List<String> protocols() {
        return List.copyOf(protocols.keySet());
    }

    /** The session's experiment actor: other actors may {@code tell} it {@link Experiment.Submit}. */
    public ActorRef<Experiment.Command> experiment() {
        return experiment;
    }

    /** Asks a question through the first protocol; it has no reference answer, so it is not graded. */
    public CompletionStage<EpisodeResult> ask(String question) {
        return ask(question, protocols().get(0));
    }

    /** Asks a question through the named protocol; not graded. */
    public CompletionStage<EpisodeResult> ask(String question, String protocol) {
        long n = asked.incrementAndGet();
        Task task = new Task("ask-" + n, environment.type(), question, "", List.of(), Map.of());
        return submit(task, protocol, n, new Ungraded(environment));
    }

    /** Works a task through the first protocol; graded by the scenario's environment. */
    public CompletionStage<EpisodeResult> ask(Task task) {
        return ask(task, protocols().get(0));
    }

    /** Works a task through the named protocol; graded by the scenario's environment. */
    public CompletionStage<EpisodeResult> ask(Task task, String protocol) {
        return submit(task, protocol, asked.incrementAndGet(), null);
    }

    private CompletionStage<EpisodeResult> submit(Task task, String protocolName, long n, Environment grader) {
        Protocol protocol = protocols.get(protocolName);
        if (protocol == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no protocol '" + protocolName
                    + "' in the scenario (protocols: " + String.join(", ", protocols.keySet()) + ")"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the session is closed"));
        }
        tasks.putIfAbsent(task.id(), task);
        String episodeId = protocol.name() + "/" + task.id() + "/" + id + "-" + n;
        EpisodePlan plan = new EpisodePlan(episodeId, task, protocol, 0, Seeds.mix(seed, episodeId));
        return AskPattern.<Experiment.Command, EpisodeOutcome>ask(experiment,
                        replyTo -> new Experiment.Submit(plan, grader, replyTo), timeout, system.scheduler())
                .thenCompose(outcome -> outcome instanceof EpisodeOutcome.Completed c
                        ? CompletableFuture.completedFuture(c.result())
                        : CompletableFuture.failedFuture(new EpisodeFailed(outcome.episodeId(),
                        ((EpisodeOutcome.Failed) outcome).reason())));
    }

    /** Stops the session's actors (abandoning running episodes), then closes the models it built and the memory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            AskPattern.<Experiment.Command, akka.Done>ask(experiment, Experiment.Stop::new, Duration.ofSeconds(30),
                    system.scheduler()).toCompletableFuture().join();
        } catch (RuntimeException e) {
            system.log().warn("reverb session {} did not stop in time: {}", id, e.toString());
        } finally {
            models.forEach((name, m) -> closeUnlessGiven(given, name, m));
            if (memory != null) {
                try {
                    memory.memory().close();
                } catch (IOException | RuntimeException e) {
                    system.log().warn("closing the memory of reverb session {}: {}", id, e.toString());
                }
            }
        }
    }

    private static void closeUnlessGiven(Map<String, ?> given, String name, Experiment.Model model) {
        if (!given.containsKey(name)) {
            model.backend().close();
        }
    }

    /** Reads answers like the session's environment, grades none: a question has no reference answer. */
    private record Ungraded(Environment environment) implements Environment {
        @Override
        public String type() {
            return environment.type();
        }

        @Override
        public List<Task> tasks() {
            return List.of();
        }

        @Override
        public Optional<String> extractAnswer(String output) {
            return environment.extractAnswer(output);
        }

        @Override
        public Verdict verify(Task task, String output) {
            return new Verdict(false, 0, extractAnswer(output).orElse(""),
                    "Not graded: the question has no reference answer.");
        }
    }
}
