package dev.reverb.runtime.optimize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.reverb.runtime.report.Stats;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.run.Summary;
import dev.reverb.runtime.scenario.ScenarioException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of a search: the chosen design (best dev accuracy, then fewest tokens per task), its
 * and the start's one evaluation on the test set, {@code best.yaml}, and {@code summary.json} with
 * each arm's best, the frontier of dev accuracy against tokens per task, and McNemar's exact test
 * of chosen against start on the test tasks (a task counts as solved when more than half of its
 * episodes are right).
 */
final class SearchReport {

    private SearchReport() {
    }

    static Search.Outcome finish(Search search, Split split, Map<String, JsonNode> tests)
            throws IOException, InterruptedException, ScenarioException {
        List<Candidate> all = search.candidates();
        Candidate start = all.stream().filter(c -> c.id() == 0).findFirst().orElseThrow();
        Candidate chosen = search.best(null);
        JsonNode startTest = test(search, "start", start, split, tests);
        JsonNode chosenTest = chosen.id() == 0 ? startTest : test(search, "chosen", chosen, split, tests);

        Path best = search.out().resolve("best.yaml");
        Files.writeString(best, "# Chosen by reverb optimize (level " + search.settings().level().id() + ") as candidate #"
                + chosen.id() + ": " + Candidate.score(chosen) + " on " + split.dev().size() + " dev tasks.\n"
                + chosen.yaml(), StandardCharsets.UTF_8);

        ObjectNode summary = Json.MAPPER.createObjectNode();
        summary.put("scenario", search.start().name()).put("level", search.settings().level().id())
                .put("budget_tokens", search.settings().budget())
                .put("spent_tokens", all.stream().mapToLong(Candidate::tokens).sum())
                .put("candidates", all.size() - 1).put("rejected", all.stream().filter(c -> !c.valid()).count())
                .put("dev_tasks", split.dev().size()).put("test_tasks", split.test().size())
                .put("chosen", chosen.id()).put("optimizer", search.optimizerIdentity());
        if (search.start().resolvedYaml().contains("backend: simulated")) {
            summary.put("note", Summary.SIMULATED_NOTE);
        }
        ObjectNode arms = summary.putObject("arms");
        for (String arm : all.stream().map(Candidate::arm).filter(a -> !a.equals("start")).distinct().toList()) {
            Candidate b = search.best(arm);
            arms.putObject(arm).put("candidates", all.stream().filter(c -> c.arm().equals(arm)).count())
                    .put("tokens", all.stream().filter(c -> c.arm().equals(arm)).mapToLong(Candidate::tokens).sum())
                    .put("best", b.id()).put("best_dev_accuracy", b.accuracy());
        }
        ArrayNode frontier = summary.putArray("frontier");
        frontier(all).forEach(c -> frontier.addObject().put("id", c.id()).put("arm", c.arm())
                .put("dev_accuracy", c.accuracy()).put("tokens_per_task", c.tokensPerTask()));
        ObjectNode test = summary.putObject("test");
        test.set("start", startTest.path("score"));
        test.set("chosen", chosenTest.path("score"));
        int b = 0;
        int c = 0;
        for (String id : split.test()) {
            boolean s = startTest.path("per_task").path(id).asDouble() > 0.5;
            boolean x = chosenTest.path("per_task").path(id).asDouble() > 0.5;
            b += x && !s ? 1 : 0;
            c += s && !x ? 1 : 0;
        }
        test.putObject("mcnemar").put("chosen_only", b).put("start_only", c).put("p", Stats.mcnemarExact(b, c));
        Files.writeString(search.out().resolve("summary.json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n", StandardCharsets.UTF_8);
        String table = table(summary, start, chosen);
        search.console().print(table);
        return new Search.Outcome(best, summary, table);
    }

    /** The test line of a design: from the log when a resumed search has it, else evaluated now (once). */
    private static JsonNode test(Search search, String name, Candidate c, Split split, Map<String, JsonNode> tests)
            throws IOException, InterruptedException, ScenarioException {
        JsonNode done = tests.get(name);
        if (done != null) {
            return done;
        }
        Evaluator.Result r = search.evaluator().evaluate(c.yaml(), split.test());
        double[] ci = Stats.wilson(r.correct(), r.episodes());
        ObjectNode line = Json.MAPPER.createObjectNode().put("type", "test").put("design", name).put("id", c.id());
        line.putObject("score").put("correct", r.correct()).put("episodes", r.episodes())
                .put("accuracy", r.episodes() == 0 ? 0 : (double) r.correct() / r.episodes())
                .put("tokens", r.tokens()).putArray("ci95").add(ci[0]).add(ci[1]);
        r.perTask().forEach(line.putObject("per_task")::put);
        split.test().forEach(line.putArray("tasks")::add);
        line.put("run", search.out().relativize(r.run()).toString());
        search.log().append(line);
        return line;
    }

    /** The valid candidates no cheaper one matches: accuracy rises along it as tokens per task rise. */
    static List<Candidate> frontier(List<Candidate> all) {
        List<Candidate> out = new ArrayList<>();
        double best = -1;
        for (Candidate c : all.stream().filter(Candidate::valid)
                .sorted(Comparator.comparingDouble(Candidate::tokensPerTask).thenComparingInt(Candidate::id)).toList()) {
            if (c.accuracy() > best) {
                out.add(c);
                best = c.accuracy();
            }
        }
        return out;
    }

    private static String table(ObjectNode s, Candidate start, Candidate chosen) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "%nSearch (%s level): %d candidate(s), %d rejected (invalid or repeated), %d of %d tokens%n",
                s.path("level").asText(), s.path("candidates").asInt(), s.path("rejected").asInt(),
                s.path("spent_tokens").asLong(), s.path("budget_tokens").asLong()));
        s.path("arms").fields().forEachRemaining(a -> out.append(String.format(Locale.ROOT,
                "  %-7s best #%d, dev accuracy %.3f, %d candidate(s), %d tokens%n", a.getKey(),
                a.getValue().path("best").asInt(), a.getValue().path("best_dev_accuracy").asDouble(),
                a.getValue().path("candidates").asInt(), a.getValue().path("tokens").asLong())));
        out.append("  frontier (dev accuracy @ tokens/task):");
        s.path("frontier").forEach(f -> out.append(String.format(Locale.ROOT, " #%d %.3f@%.0f", f.path("id").asInt(),
                f.path("dev_accuracy").asDouble(), f.path("tokens_per_task").asDouble())));
        out.append('\n');
        out.append(String.format(Locale.ROOT, "  dev:  start %s | chosen #%d %s%n", Candidate.score(start), chosen.id(),
                Candidate.score(chosen)));
        JsonNode t = s.path("test");
        out.append(String.format(Locale.ROOT, "  test: start %.3f (%d/%d) | chosen %.3f (%d/%d) | McNemar exact p = %.3f%n",
                t.path("start").path("accuracy").asDouble(), t.path("start").path("correct").asInt(),
                t.path("start").path("episodes").asInt(), t.path("chosen").path("accuracy").asDouble(),
                t.path("chosen").path("correct").asInt(), t.path("chosen").path("episodes").asInt(),
                t.path("mcnemar").path("p").asDouble()));
        if (s.has("note")) {
            out.append("  ").append(s.path("note").asText()).append('\n');
        }
        return out.toString();
    }
}
