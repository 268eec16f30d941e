package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Role;
import dev.reverb.environments.Task;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.run.Wiring;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Agentic system search over a scenario ({@code reverb optimize}): splits the tasks into dev and
 * test, scores the start and every candidate on dev through the normal runner (a batch at once),
 * asks the optimizer agent for new candidates at the chosen level (and, at module level, random
 * search for as many), keeps to the token budget and the candidate count, then evaluates the start
 * and the chosen design once on the test set. Everything goes to {@code search.jsonl} as it
 * happens; {@code resume} continues from it without evaluating a finished candidate again.
 */
public final class Search {

    /**
     * @param budget     model tokens (prompt and completion) for the optimizer's calls and the dev
     *                   evaluations together; the final test evaluation is not counted
     * @param candidates proposals at most (the start not counted), shared evenly by the arms
     * @param batch      proposals per arm asked and evaluated at once
     */
    public record Settings(Level level, String optimizer, int dev, int test, long budget, int candidates, int batch,
                           long seed) {
        public Settings {
            Objects.requireNonNull(level, "level");
            if (dev < 1 || test < 1 || budget < 1 || candidates < 1 || batch < 1) {
                throw new IllegalArgumentException("dev, test, budget, candidates and batch must be at least 1");
            }
        }
    }

    /** What a finished search chose, with its test evaluation. */
    public record Outcome(Path best, ObjectNode summary, String table) {
    }

    private final Path file;
    private final Scenario start;
    private final Settings settings;
    private final Path out;
    private final Runner.Options options;
    private final PrintWriter console;
    private final SearchLog log;
    private final Evaluator evaluator;
    private final Designer designer;
    /** Draws of random search until one passes the checks. */
    private static final int RANDOM_DRAWS = 50;

    private final List<Candidate> candidates = new ArrayList<>();
    private final String startYaml;
    private String optimizerIdentity = "";

    public Search(Path file, Scenario start, Settings settings, Path out, Runner.Options options, PrintWriter console) {
        this.file = file;
        this.start = start;
        this.settings = settings;
        this.out = out;
        this.options = options;
        this.console = console;
        this.log = new SearchLog(out.resolve("search.jsonl"));
        this.evaluator = new Evaluator(file, out.resolve("runs"), options);
        this.designer = Designer.of(settings.level(), options.extensions());
        this.startYaml = DesignTree.normal(start.resolvedYaml());
    }

    /** Runs (or, with {@code resume}, continues) the search and writes {@code best.yaml} and {@code summary.json}. */
    public Outcome run(boolean resume) throws IOException, InterruptedException, ScenarioException {
        Files.createDirectories(out);
        List<JsonNode> lines = log.read();
        if (!resume && !lines.isEmpty()) {
            throw new IllegalArgumentException(log.file() + " holds a search already: continue it with --resume, "
                    + "or give another --out");
        }
        AgentSpec optimizer = optimizerAgent();
        Split split = split(lines);
        Map<String, JsonNode> tests = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            if (line.path("type").asText().equals("candidate")) {
                candidates.add(SearchLog.candidate(line));
            } else if (line.path("type").asText().equals("test")) {
                tests.put(line.path("design").asText(), line);
            }
        }
        if (!candidates.isEmpty()) {
            console.printf("Resuming %s: %d candidate(s) already done.%n", log.file(), candidates.size());
        }
        List<String> arms = settings.level() == Level.MODULE ? List.of("llm", "random") : List.of("llm");
        ExecutorService pool = Executors.newFixedThreadPool(parallelism(arms.size()));
        // the optimizer's model first: one that cannot start stops the search before anything is spent
        try (OptimizerModel model = new OptimizerModel(start, optimizer, options, settings.level())) {
            optimizerIdentity = model.identity();
            if (candidates.isEmpty()) {
                record(evaluate(0, "start", "", startYaml, 0, split), split);
            }
            while (true) {
                List<Proposed> batch = new ArrayList<>();
                for (String arm : arms) {
                    int room = room(arm, arms.size());
                    for (int k = 0; k < room; k++) {
                        batch.add(propose(arm, model, nextId() + batch.size()));
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                List<Future<Candidate>> running = new ArrayList<>();
                for (Proposed p : batch) {
                    running.add(pool.submit(() -> p.invalid != null ? p.invalid
                            : evaluate(p.id, p.arm, p.response, p.yaml, p.tokens, split)));
                }
                for (Future<Candidate> f : running) {
                    try {
                        record(f.get(), split);
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("evaluating a candidate failed: " + e.getCause(), e.getCause());
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return SearchReport.finish(this, split, tests);
    }

    /** A proposal made into a candidate text, or the invalid candidate it gave. */
    private record Proposed(int id, String arm, String response, String yaml, long tokens, Candidate invalid) {
    }

    private Proposed propose(String arm, OptimizerModel model, int id) throws InterruptedException {
        boolean llm = arm.equals("llm");
        ObjectNode base = DesignTree.read(best(arm).yaml());
        String response;
        long tokens = 0;
        if (llm) {
            Candidate best = best(arm);
            List<Candidate> tried = candidates.stream().filter(c -> c.arm().equals(arm)).toList();
            History history = new History(best, tried, best.failures());
            OptimizerModel.Reply reply = model.ask(designer.request(base, Candidate.score(best), history), id);
            response = reply.text();
            tokens = reply.tokens();
        } else {
            // random search samples the legal space: a draw the checks reject is drawn again (no model call is spent)
            base = DesignTree.read(startYaml);
            Random random = new Random(settings.seed() * 31 + id);
            response = null;
            for (int draw = 0; draw < RANDOM_DRAWS && response == null; draw++) {
                String r = ((ModuleDesigner) designer).random(base, random);
                try {
                    evaluator.check(designer.apply(base, r));
                    response = r;
                } catch (IllegalArgumentException | ScenarioException e) {
                    response = draw == RANDOM_DRAWS - 1 ? r : null;
                }
            }
        }
        List<String> errors = new ArrayList<>();
        String yaml = null;
        try {
            yaml = evaluator.check(designer.apply(base, response));
            for (Candidate c : candidates) {
                if (yaml.equals(c.yaml())) {
                    errors.add("the same design as candidate #" + c.id() + ", already scored ("
                            + Candidate.score(c) + ")");
                    break;
                }
            }
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        } catch (ScenarioException e) {
            e.problems().forEach(p -> errors.add(p.path() + ": " + p.message()));
        }
        if (!errors.isEmpty()) {
            Candidate invalid = Candidate.invalid(id, arm, response, errors, tokens);
            return new Proposed(id, arm, response, null, tokens, invalid);
        }
        return new Proposed(id, arm, response, yaml, tokens, null);
    }

    private Candidate evaluate(int id, String arm, String response, String yaml, long optimizerTokens, Split split)
            throws IOException, InterruptedException, ScenarioException {
        Evaluator.Result r = evaluator.evaluate(yaml, split.dev());
        return new Candidate(id, arm, response, yaml, LineDiff.of(startYaml, yaml), List.of(), r.correct(),
                r.episodes(), r.tokens(), optimizerTokens, r.perTask(), r.failures(), out.relativize(r.run()).toString());
    }

    private void record(Candidate c, Split split) throws IOException {
        candidates.add(c);
        log.append(SearchLog.candidate(c, c.valid() ? split.dev() : List.of()));
        console.printf("candidate #%d (%s): %s%n", c.id(), c.arm(), c.valid() ? Candidate.score(c)
                : "rejected: " + History.brief(String.join("; ", c.errors())));
    }

    /** How many more proposals an arm may make now: its share of candidates and tokens, at most a batch. */
    private int room(String arm, int arms) {
        List<Candidate> mine = candidates.stream().filter(c -> c.arm().equals(arm)).toList();
        int share = (settings.candidates() + arms - 1) / arms;
        long spent = candidates.stream().filter(c -> c.arm().equals(arm) || c.arm().equals("start"))
                .mapToLong(Candidate::tokens).sum();
        long left = settings.budget() / arms - spent;
        long each = Math.max(1, candidates.get(0).evalTokens() + (arm.equals("llm") ? optimizerEstimate() : 0));
        long affordable = left / each;
        return (int) Math.max(0, Math.min(settings.batch(), Math.min(share - mine.size(), affordable)));
    }

    private long optimizerEstimate() {
        return candidates.stream().filter(c -> c.arm().equals("llm")).mapToLong(Candidate::optimizerTokens).max()
                .orElse(2000);
    }

    private int nextId() {
        return candidates.stream().mapToInt(Candidate::id).max().orElse(0) + 1;
    }

    private int parallelism(int arms) {
        return start.memory().enabled() ? 1 : Math.max(1, Math.min(8, settings.batch() * arms));
    }

    /** The best valid candidate an arm has found: the start, or one of its own. */
    Candidate best(String arm) {
        return candidates.stream().filter(c -> c.valid() && (arm == null || c.arm().equals(arm)
                        || c.arm().equals("start")))
                .min(Comparator.comparingDouble(Candidate::accuracy).reversed()
                        .thenComparingDouble(Candidate::tokensPerTask).thenComparingInt(Candidate::id))
                .orElseThrow();
    }

    private Split split(List<JsonNode> lines) throws IOException {
        for (JsonNode line : lines) {
            if (line.path("type").asText().equals("split")) {
                if (!line.path("level").asText().equals(settings.level().id())) {
                    throw new IllegalArgumentException("the search in " + out + " is at level "
                            + line.path("level").asText() + ", not " + settings.level().id());
                }
                return SearchLog.split(line);
            }
        }
        List<String> ids = Wiring.tasks(Wiring.environment(start.environment(), options.extensions()).tasks(),
                start.run().tasks()).stream().map(Task::id).toList();
        Split split = Split.of(ids, settings.dev(), settings.test(), settings.seed());
        log.append(SearchLog.split(split, settings.level(), settings.seed()));
        return split;
    }

    private AgentSpec optimizerAgent() {
        for (AgentSpec a : start.agents()) {
            if (settings.optimizer() == null ? a.role() == Role.OPTIMIZER : a.name().equals(settings.optimizer())) {
                return a;
            }
        }
        throw new IllegalArgumentException(settings.optimizer() == null
                ? "the scenario has no agent of role optimizer: add one (any model), or name one with --optimizer"
                : "the scenario has no agent '" + settings.optimizer() + "' to be the optimizer");
    }

    List<Candidate> candidates() {
        return List.copyOf(candidates);
    }

    Scenario start() {
        return start;
    }

    Settings settings() {
        return settings;
    }

    /** The optimizer's model as its backend names itself (a simulated stand-in says so). */
    String optimizerIdentity() {
        return optimizerIdentity;
    }

    Path out() {
        return out;
    }

    Evaluator evaluator() {
        return evaluator;
    }

    SearchLog log() {
        return log;
    }

    PrintWriter console() {
        return console;
    }
}
