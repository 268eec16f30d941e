package dev.reverb.runtime.cli;

import dev.reverb.agents.model.CallContext;
import dev.reverb.agents.model.ChatMessage;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.runtime.djl.DjlBackend;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code reverb bench generation --agents N}: N agents share one in-process model through the
 * DJL backend's request path (the one scenario agents use), each sending its requests one after
 * another, the next when the last is answered. Output limits are spread 8-128 tokens and prompts
 * vary in length (fixed seed); decoding is greedy, so static and continuous batching must give
 * the same texts, which is checked. Tokens/s of each, then {@code continuous/static: R}.
 */
final class AgentsBench {

    private static final String[] WORDS = ("Once upon a time there was a little girl named Lily who loved to play "
            + "in the park with her dog and one day she found a big red ball under a tree").split(" ");

    /** What one agent asks, in order. */
    private record Ask(String prompt, int maxTokens) {
    }

    /** A measured run: completion tokens, seconds, the texts in agent and request order. */
    private record Result(long tokens, double seconds, long batches, List<List<String>> texts, String stats) {
        double rate() {
            return tokens / seconds;
        }
    }

    private AgentsBench() {
    }

    static void run(Path model, String device, String dtype, int agents, int requests, boolean geometric, int maxBatch,
                    Duration maxWait, long seed, int repeats, PrintWriter out) throws Exception {
        Random random = new Random(seed);
        // every agent asks for the same output limits, spread 8-128, in its own order: the run's end
        // is then not one agent's unlucky chain of long answers
        int[] limits = new int[requests];
        for (int r = 0; r < requests; r++) {
            double f = requests == 1 ? 1 : r / (double) (requests - 1);
            limits[r] = (int) Math.round(geometric ? 8 * Math.pow(16, f) : 8 + 120 * f);
        }
        List<List<Ask>> work = new ArrayList<>();
        for (int a = 0; a < agents; a++) {
            List<Integer> order = new ArrayList<>();
            for (int limit : limits) {
                order.add(limit);
            }
            java.util.Collections.shuffle(order, random);
            List<Ask> asks = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                int words = 3 + random.nextInt(40);
                StringBuilder prompt = new StringBuilder();
                for (int w = 0; w < words; w++) {
                    prompt.append(w == 0 ? "" : " ").append(WORDS[(a + r + w * 7) % WORDS.length]);
                }
                asks.add(new Ask(prompt.toString(), order.get(r)));
            }
            work.add(asks);
        }
        out.printf(Locale.ROOT, "%d agents x %d requests one after another; output limits %s (%s spread, each agent "
                        + "all of them in its own order, seed %d), prompts of 3-42 words, greedy; max-batch %d, "
                        + "max-wait %d ms%n", agents, requests, java.util.Arrays.toString(limits),
                geometric ? "geometric" : "linear", seed, maxBatch, maxWait.toMillis());
        out.flush();
        // the two alternate, each run `repeats` times, the best of each counts: the machine's load
        // moves while they run
        Result fixed = null;
        Result continuous = null;
        for (int r = 0; r < repeats; r++) {
            Result f = measure(model, device, dtype, maxBatch, maxWait, DjlBackend.Batching.STATIC, work);
            Result c = measure(model, device, dtype, maxBatch, maxWait, DjlBackend.Batching.CONTINUOUS, work);
            out.printf(Locale.ROOT, "run %d: static %7.1f tokens/s, continuous %7.1f tokens/s%n", r + 1, f.rate(), c.rate());
            out.flush();
            fixed = fixed == null || f.rate() > fixed.rate() ? f : fixed;
            continuous = continuous == null || c.rate() > continuous.rate() ? c : continuous;
        }
        out.printf(Locale.ROOT, "static:     %7d tokens in %6.2f s = %8.1f tokens/s (%d batches)%n", fixed.tokens(),
                fixed.seconds(), fixed.rate(), fixed.batches());
        out.printf(Locale.ROOT, "continuous: %7d tokens in %6.2f s = %8.1f tokens/s (%d admissions)%n",
                continuous.tokens(), continuous.seconds(), continuous.rate(), continuous.batches());
        out.printf(Locale.ROOT, "  static engine:     %s%n  continuous engine: %s%n", fixed.stats(), continuous.stats());
        int same = 0;
        for (int a = 0; a < agents; a++) {
            for (int r = 0; r < requests; r++) {
                same += fixed.texts().get(a).get(r).equals(continuous.texts().get(a).get(r)) ? 1 : 0;
            }
        }
        out.printf(Locale.ROOT, "requests answered: %d + %d of %d; same greedy text in both: %d%n",
                count(fixed), count(continuous), agents * requests, same);
        out.printf(Locale.ROOT, "continuous/static: %.2f%n", continuous.rate() / fixed.rate());
    }

    private static int count(Result r) {
        return r.texts().stream().mapToInt(List::size).sum();
    }

    private static Result measure(Path model, String device, String dtype, int maxBatch, Duration maxWait,
                                  DjlBackend.Batching batching, List<List<Ask>> work) throws Exception {
        try (DjlBackend backend = new DjlBackend(model, device, dtype, maxBatch, maxWait, 100_000, null, batching)) {
            // warm-up: the JIT and the engine's allocator, on a slice of the same work
            agents(backend, work.subList(0, Math.max(1, work.size() / 4)).stream().map(a -> a.subList(0, 1)).toList());
            long before = backend.batches();
            backend.model().stats().reset();
            long start = System.nanoTime();
            List<List<Generation>> answers = agents(backend, work);
            double seconds = (System.nanoTime() - start) / 1e9;
            long tokens = answers.stream().flatMap(List::stream).mapToLong(Generation::completionTokens).sum();
            return new Result(tokens, seconds, backend.batches() - before,
                    answers.stream().map(a -> a.stream().map(Generation::text).toList()).toList(), backend.model().stats().summary());
        }
    }

    /** Every agent's requests, each agent's one after another, all agents at once; their answers. */
    private static List<List<Generation>> agents(DjlBackend backend, List<List<Ask>> work) {
        List<CompletableFuture<List<Generation>>> agents = new ArrayList<>();
        for (int a = 0; a < work.size(); a++) {
            String agent = "agent-" + a;
            CompletionStage<List<Generation>> chain = CompletableFuture.completedFuture(new ArrayList<>());
            for (Ask ask : work.get(a)) {
                chain = chain.thenComposeAsync(done -> backend.generate(request(agent, ask)).thenApply(g -> {
                    done.add(g);
                    return done;
                }));
            }
            agents.add(chain.toCompletableFuture());
        }
        return agents.stream().map(CompletableFuture::join).toList();
    }

    private static GenerateRequest request(String agent, Ask ask) {
        return new GenerateRequest(List.of(ChatMessage.user(ask.prompt())), new Sampling(0, 1, ask.maxTokens(), List.of(), 1L),
                1, new CallContext("bench", "t", agent, "solver", 0, Phase.ANSWER));
    }
}
