package dev.reverb.memory;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Experiential, reflective and concept memory over one {@link MemoryStore}: what a task recalls
 * (hybrid retrieval of similar past trajectories and reflections, plus the environment's
 * insights) and what a finished episode leaves behind. Reads may run concurrently; writes come
 * from one writer (the run's memory keeper) and are durable when a write method returns.
 */
public final class Memory implements AutoCloseable {

    /**
     * How much of memory a prompt shows.
     *
     * @param successes   similar solved trajectories; 0 turns them off
     * @param failures    similar unsolved trajectories
     * @param reflections reflections on similar tasks
     * @param insights    insights of the environment
     * @param maxChars    characters of one item at most (a trajectory's transcript is cut first)
     */
    public record Limits(int successes, int failures, int reflections, int insights, int maxChars) {
        public static final Limits DEFAULT = new Limits(2, 1, 2, 5, 1200);

        public Limits {
            if (successes < 0 || failures < 0 || reflections < 0 || insights < 0 || maxChars < 1) {
                throw new IllegalArgumentException("memory limits must be >= 0 (max-chars >= 1)");
            }
        }
    }

    /**
     * @param limits   items per prompt
     * @param sameTask whether a task may recall its own earlier episodes (off for held-out evaluation)
     */
    public record Settings(Limits limits, boolean sameTask) {
        public static final Settings DEFAULT = new Settings(Limits.DEFAULT, true);

        public Settings {
            Objects.requireNonNull(limits, "limits");
        }
    }

    public static final String ENVIRONMENT = "environment";
    public static final String TASK = "task";
    public static final String VERDICT = "verdict";
    public static final String PROTOCOL = "protocol";
    public static final String AGENT = "agent";
    public static final String TRAJECTORY = "trajectory";

    private final MemoryStore store;
    private final Embedder embedder;
    private final Settings settings;
    private final Clock clock;

    public Memory(MemoryStore store, Embedder embedder, Settings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (embedder.dimension() != store.dimension()) {
            throw new IllegalArgumentException("the embedder makes vectors of dimension " + embedder.dimension()
                    + " but the store holds " + store.dimension());
        }
    }

    public MemoryStore store() {
        return store;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * What memory offers a task, read from {@code scopes}. Each list holds enough items that
     * every agent can still see its {@link Limits} after other agents' private items are cut.
     */
    public Recall recall(String environment, String taskId, String task, Set<String> scopes) throws IOException {
        Limits limits = settings.limits();
        int share = 1 + (int) scopes.stream().filter(Scopes::isAgent).count();
        float[] vector = limits.successes() + limits.failures() + limits.reflections() > 0 ? embedder.embed(task) : null;
        Map<String, String> env = Map.of(ENVIRONMENT, environment);
        List<MemoryItem> successes = similar(MemoryKind.EXPERIENTIAL, withVerdict(env, true), limits.successes() * share,
                task, vector, taskId, scopes);
        List<MemoryItem> failures = similar(MemoryKind.EXPERIENTIAL, withVerdict(env, false), limits.failures() * share,
                task, vector, taskId, scopes);
        List<MemoryItem> reflections = similar(MemoryKind.REFLECTIVE, env, limits.reflections() * share, task, vector,
                taskId, scopes);
        List<MemoryItem> insights = limits.insights() == 0 ? List.of()
                : Insights.ordered(store.list(new MemoryQuery.Filter(Set.of(MemoryKind.CONCEPT), scopes, env))).stream()
                .limit((long) limits.insights() * share).toList();
        return new Recall(limits, successes, failures, reflections, insights);
    }

    private List<MemoryItem> similar(MemoryKind kind, Map<String, String> tags, int want, String task, float[] vector,
                                     String taskId, Set<String> scopes) throws IOException {
        if (want == 0) {
            return List.of();
        }
        int k = settings.sameTask() ? want : want * 3;
        List<MemoryItem> items = new ArrayList<>();
        for (MemoryStore.Hit hit : store.search(new MemoryQuery(task, vector, k,
                new MemoryQuery.Filter(Set.of(kind), scopes, tags)))) {
            if (settings.sameTask() || !taskId.equals(hit.item().tags().get(TASK))) {
                items.add(hit.item());
            }
        }
        return items.stream().limit(want).toList();
    }

    /**
     * Keeps a finished episode: the trajectory as an experiential item, each reflection in it as a
     * reflective item. Each goes to every scope of {@code shared}, and with {@code perAgent} also
     * to the scope of each agent that spoke (a reflection: of the agent that wrote it). Item ids
     * derive from the trajectory's id, so remembering an episode again rewrites the same items.
     *
     * @return the items written
     */
    public List<MemoryItem> remember(Trajectory t, Set<String> shared, boolean perAgent) throws IOException {
        float[] vector = embedder.embed(t.task());
        List<MemoryItem> written = new ArrayList<>();
        Map<String, String> tags = new HashMap<>(Map.of(ENVIRONMENT, t.environment(), TASK, t.taskId(),
                PROTOCOL, t.protocol(), TRAJECTORY, t.id()));
        Set<String> scopes = new LinkedHashSet<>(shared);
        if (perAgent) {
            t.turns().forEach(turn -> scopes.add(Scopes.agent(turn.agent())));
        }
        for (String scope : scopes) {
            written.add(new MemoryItem("exp:" + t.id() + "@" + scope, MemoryKind.EXPERIENTIAL, scope,
                    trajectoryText(t), clock.instant(), withVerdict(tags, t.correct())));
        }
        int n = 0;
        for (Trajectory.Turn turn : t.turns()) {
            if (!turn.phase().equalsIgnoreCase("reflect")) {
                continue;
            }
            n++;
            Set<String> where = new LinkedHashSet<>(shared);
            if (perAgent) {
                where.add(Scopes.agent(turn.agent()));
            }
            Map<String, String> reflectionTags = new HashMap<>(withVerdict(tags, t.correct()));
            reflectionTags.put(AGENT, turn.agent());
            for (String scope : where) {
                written.add(new MemoryItem("refl:" + t.id() + "#" + n + "@" + scope, MemoryKind.REFLECTIVE, scope,
                        reflectionText(t, turn), clock.instant(), reflectionTags));
            }
        }
        for (MemoryItem item : written) {
            store.put(item, vector);
        }
        store.commit();
        return written;
    }

    /** The insights of an environment in one scope, in the order they are numbered for a model. */
    public List<MemoryItem> insights(String environment, String scope) throws IOException {
        return Insights.ordered(store.list(new MemoryQuery.Filter(Set.of(MemoryKind.CONCEPT), Set.of(scope),
                Map.of(ENVIRONMENT, environment))));
    }

    /**
     * Applies a model's operations to the insights it was shown ({@link #insights}) and stores the
     * result; operations that do not apply are in the change's problems.
     */
    public Insights.Change revise(String environment, String scope, List<MemoryItem> shown, List<InsightOps.Op> ops)
            throws IOException {
        MemoryItem template = new MemoryItem("template", MemoryKind.CONCEPT, scope, "", clock.instant(),
                Map.of(ENVIRONMENT, environment));
        long millis = clock.millis();
        String run = UUID.randomUUID().toString().substring(0, 8);
        AtomicInteger n = new AtomicInteger();
        // Ids sort in creation order, which breaks ties between insights of equal importance and age.
        Insights.Change change = Insights.apply(shown, ops, template,
                () -> String.format(Locale.ROOT, "insight:%s:%013d-%03d-%s", environment, millis, n.incrementAndGet(), run),
                clock.instant());
        for (MemoryItem item : change.upserted()) {
            store.put(item, embedder.embed(item.text()));
        }
        for (String id : change.removed()) {
            store.delete(id);
        }
        store.commit();
        return change;
    }

    @Override
    public void close() throws IOException {
        store.close();
    }

    private static Map<String, String> withVerdict(Map<String, String> tags, boolean correct) {
        Map<String, String> out = new HashMap<>(tags);
        out.put(VERDICT, correct ? "correct" : "incorrect");
        return out;
    }

    /** A trajectory as experiential memory stores it: the task, its outcome, the final answer, the feedback, the transcript. */
    public static String trajectoryText(Trajectory t) {
        StringBuilder sb = new StringBuilder();
        sb.append("Task: ").append(t.task().strip()).append('\n');
        sb.append("Outcome: ").append(t.correct() ? "solved" : "not solved").append('\n');
        sb.append("Final answer: ").append(t.answer().strip()).append('\n');
        if (!t.feedback().isBlank()) {
            sb.append("Feedback: ").append(t.feedback().strip()).append('\n');
        }
        if (!t.turns().isEmpty()) {
            sb.append("Transcript:\n");
            for (Trajectory.Turn turn : t.turns()) {
                sb.append('[').append(turn.agent()).append(", ").append(turn.phase().toLowerCase(Locale.ROOT))
                        .append(", round ").append(turn.round() + 1).append("] ").append(turn.text().strip()).append('\n');
            }
        }
        return sb.toString().strip();
    }

    static String reflectionText(Trajectory t, Trajectory.Turn reflection) {
        return "Task: " + t.task().strip() + "\n"
                + (reflection.feedback().isBlank() ? "" : "Feedback on the attempt: " + reflection.feedback().strip() + "\n")
                + "Reflection: " + reflection.text().strip();
    }
}
