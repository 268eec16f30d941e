package dev.reverb.runtime.cli;

import dev.reverb.runtime.djl.Generator;
import dev.reverb.runtime.djl.LlamaModel;
import dev.reverb.runtime.djl.ProcessRewardModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reverb bench ...}: the project's performance measurements. */
@Command(name = "bench", description = "Measure performance.", subcommands = {Bench.Generation.class, MemoryBench.class,
        SandboxBench.class, OrchestrationBench.class, LatencyBench.class, ScaleBench.class,
        ClusterCommands.BenchCluster.class})
final class Bench {

    @Command(name = "generation", description = "Tokens/s of the in-process DJL engine at batch 1, 2, 4, 8, 16, "
            + "and PRM steps/s batched versus one at a time; with --agents, N agents sharing the model through the "
            + "backend, static versus continuous batching.")
    static final class Generation implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--model", required = true, description = "A Hugging Face model folder.")
        Path model;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float16 (default: ${DEFAULT-VALUE}).")
        String dtype;

        @Option(names = "--tokens", defaultValue = "64", description = "New tokens per sequence (default: ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = "--prompt-tokens", defaultValue = "32", description = "Prompt length (default: ${DEFAULT-VALUE}).")
        int promptTokens;

        @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per batch size (with --agents: per "
                + "batching, alternating); the best counts (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--agents", description = "Agents sharing the model through the backend: tokens/s with static "
                + "and with continuous batching, last line continuous/static (default: the batch-size table).")
        Integer agents;

        @Option(names = "--requests", defaultValue = "8", description = "With --agents: requests per agent, one after "
                + "another (default: ${DEFAULT-VALUE}).")
        int requests;

        @Option(names = "--spread", defaultValue = "geometric", description = "With --agents: output limits from 8 to "
                + "128 tokens in equal ratios (geometric: as many short as long answers per octave) or equal steps "
                + "(linear) (default: ${DEFAULT-VALUE}).")
        String spread;

        @Option(names = "--max-batch", description = "With --agents: the backend's max-batch (default: agents, at most 64).")
        Integer maxBatch;

        @Option(names = "--max-wait-ms", defaultValue = "10", description = "With --agents: the backend's max-wait "
                + "(default: ${DEFAULT-VALUE}).")
        long maxWaitMs;

        @Option(names = "--seed", defaultValue = "42", description = "With --agents: seeds the prompts and output "
                + "limits (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            out.printf(Locale.ROOT, "load average at start: %.2f on %d cores; engine threads: %s%n",
                    os.getSystemLoadAverage(), os.getAvailableProcessors(), LlamaModel.engineThreads());
            if (agents != null) {
                if (!spread.equals("geometric") && !spread.equals("linear")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--spread must be geometric or linear");
                }
                AgentsBench.run(model, device, dtype, agents, requests, spread.equals("geometric"), maxBatch == null ? Math.min(agents, 64) : maxBatch,
                        java.time.Duration.ofMillis(maxWaitMs), seed, Math.max(1, repeats), out);
                return 0;
            }
            try (LlamaModel llama = LlamaModel.load(model, LlamaModel.device(device), LlamaModel.dtype(dtype))) {
                out.printf(Locale.ROOT, "model %s (%s, %d layers, hidden %d) on %s, %s; %d prompt + %d new tokens per sequence%n",
                        model.getFileName(), llama.config().modelType(), llama.config().layers(),
                        llama.config().hiddenSize(), llama.device(), dtype, promptTokens, tokens);
                prm(llama, out);
                int vocab = llama.config().vocabSize();
                double base = 0;
                double ratio8 = 0;
                for (int batch : new int[] {1, 2, 4, 8, 16}) {
                    List<int[]> prompts = new ArrayList<>();
                    List<Generator.Params> params = new ArrayList<>();
                    for (int b = 0; b < batch; b++) {
                        int[] prompt = new int[promptTokens];
                        for (int t = 0; t < promptTokens; t++) {
                            prompt[t] = 3 + (t * 31 + b * 17) % (vocab - 3);
                        }
                        prompts.add(prompt);
                        params.add(new Generator.Params(tokens, 0, 0, 1, b, Set.of(), generated -> false));
                    }
                    for (int w = 0; w < 2; w++) { // warm-up
                        Generator.generate(llama, prompts, params);
                    }
                    double best = 0;
                    for (int r = 0; r < repeats; r++) {
                        long start = System.nanoTime();
                        List<Generator.Output> outputs = Generator.generate(llama, prompts, params);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        long produced = outputs.stream().mapToLong(o -> o.tokens().size()).sum();
                        best = Math.max(best, produced / seconds);
                    }
                    base = batch == 1 ? best : base;
                    ratio8 = batch == 8 ? best / base : ratio8;
                    out.printf(Locale.ROOT, "batch %2d: %10.1f tokens/s  (%.2fx batch 1)%n", batch, best, best / base);
                }
                out.printf(Locale.ROOT, "speedup batch8/batch1: %.2f%n", ratio8);
            }
            return 0;
        }

        /**
         * PRM scoring throughput (step-tag style on synthetic token ids: one token per character),
         * 16 (problem, 4 steps) pairs scored in one batch versus one pair at a time.
         */
        private void prm(LlamaModel llama, PrintWriter out) {
            int vocab = llama.config().vocabSize();
            ProcessRewardModel.Encoder chars = (text, special) -> text.chars().map(c -> 3 + c % (vocab - 3)).toArray();
            ProcessRewardModel prm = new ProcessRewardModel(llama, chars,
                    new ProcessRewardModel.Settings(ProcessRewardModel.Style.STEP_TAG, "#", "+", "-"));
            List<String> problems = new ArrayList<>();
            List<List<String>> steps = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                problems.add("Problem " + i + ": a shop sells " + (i + 3) + " boxes of 12 pens.");
                steps.add(List.of("boxes times pens " + i, "add the spare pens", "subtract the sold", "final count " + i));
            }
            int totalSteps = 16 * 4;
            for (int w = 0; w < 5; w++) { // warm up both paths: the JIT and the engine's allocator
                prm.score(problems, steps);
                for (int i = 0; i < problems.size(); i++) {
                    prm.score(problems.subList(i, i + 1), steps.subList(i, i + 1));
                }
            }
            double batched = 0;
            double single = 0;
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                prm.score(problems, steps);
                batched = Math.max(batched, totalSteps / ((System.nanoTime() - start) / 1e9));
                start = System.nanoTime();
                for (int i = 0; i < problems.size(); i++) {
                    prm.score(problems.subList(i, i + 1), steps.subList(i, i + 1));
                }
                single = Math.max(single, totalSteps / ((System.nanoTime() - start) / 1e9));
            }
            out.printf(Locale.ROOT, "PRM scoring (step-tag, 16 pairs x 4 steps): batched %.1f steps/s, one at a time "
                    + "%.1f steps/s (%.2fx)%n", batched, single, batched / single);
        }
    }
}
