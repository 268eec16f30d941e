package dev.reverb.runtime.djl;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.reverb.agents.model.ContextLengthExceeded;
import dev.reverb.agents.model.GenerateRequest;
import dev.reverb.agents.model.Generation;
import dev.reverb.agents.model.ModelBackend;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.model.ScoreRequest;
import dev.reverb.agents.model.StepScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Hugging Face model folder run in process on DJL, shared by every agent of a run. Requests
 * from all agents wait in a bounded queue; one worker thread decodes them in batches, so
 * concurrent agents share each forward pass (each of a request's {@code n} samples is one
 * sequence). Callers never block: {@link #generate} returns a stage completed by the worker.
 *
 * <p>With continuous batching (the default, {@link ContinuousWorker}) the batch has
 * {@code maxBatch} slots: a sequence that ends leaves at once and a waiting one joins at a next
 * step, so a short answer never waits for a long one. With static batching ({@link StaticWorker},
 * the behaviour before) the worker takes what arrives within {@code maxWait}, up to
 * {@code maxBatch} sequences, and decodes that batch to its longest sequence's end.
 *
 * <p>Context limits ({@code max_position_embeddings} of {@code config.json}) are checked before
 * the engine runs: a prompt that leaves no room fails its request alone with a final
 * {@link ContextLengthExceeded} ("prompt of 913 tokens + max-tokens 256 exceeds the context of 512
 * tokens of model 'x'"); a prompt that fits with a max-tokens that does not has its completion
 * clamped to the room left, and the {@link Generation#notes()} say so in the trace (the OpenAI
 * backend does the same when a server refuses only the completion's length).
 */
public final class DjlBackend implements ModelBackend {

    /** How requests share the engine: see {@link DjlBackend}. */
    public enum Batching {
        /** Gather for max-wait, decode the batch to its longest sequence's end, then the next. */
        STATIC,
        /** Sequences leave the batch as they end and waiting ones join at the next step. */
        CONTINUOUS
    }

    /** A waiting request: completions or step scores. */
    sealed interface Job {
        CompletableFuture<?> result();

        int sequences();
    }

    record GenerateJob(GenerateRequest request, CompletableFuture<Generation> result) implements Job {
        @Override
        public int sequences() {
            return request.n();
        }
    }

    record ScoreJob(ScoreRequest request, CompletableFuture<StepScores> result) implements Job {
        @Override
        public int sequences() {
            return 1;
        }
    }

    private final String name;
    private final String identity;
    private final LlamaModel model;
    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final ProcessRewardModel prm;
    private final Set<Integer> eos;
    final int maxBatch;
    final Duration maxWait;
    final BlockingQueue<Job> queue;
    private final Batching batching;
    private final Thread worker;
    private volatile boolean closed;
    final java.util.concurrent.atomic.AtomicLong batches = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong sequences = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param modelDir      a Hugging Face folder: config.json, *.safetensors, tokenizer.json,
     *                      optionally tokenizer_config.json and generation_config.json
     * @param device        {@code cpu}, {@code cuda} or {@code auto}
     * @param dtype         {@code float32} or {@code float16}
     * @param maxBatch      most sequences decoded together
     * @param maxWait       how long the first waiting request waits for others to join its batch
     * @param queueCapacity requests that may wait; more are refused with a clear error
     * @param prm           how the model scores steps when it is a process reward model, or null
     */
    public DjlBackend(Path modelDir, String device, String dtype, int maxBatch, Duration maxWait, int queueCapacity,
                      ProcessRewardModel.Settings prm) throws IOException {
        this(modelDir, device, dtype, maxBatch, maxWait, queueCapacity, prm, Batching.CONTINUOUS);
    }

    /**
     * @param batching continuous (the default): {@code maxBatch} slots, a sequence leaves as it
     *                 ends and a waiting one joins at the next step; {@code maxWait} is then only
     *                 how long an idle engine gathers requests before it starts. Static: the
     *                 behaviour before continuous batching, kept to compare against.
     */
    public DjlBackend(Path modelDir, String device, String dtype, int maxBatch, Duration maxWait, int queueCapacity,
                      ProcessRewardModel.Settings prm, Batching batching) throws IOException {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1");
        }
        this.batching = java.util.Objects.requireNonNull(batching, "batching");
        this.name = modelDir.getFileName().toString();
        this.identity = name + "@" + FolderDigest.of(modelDir);
        this.model = LlamaModel.load(modelDir, LlamaModel.device(device), LlamaModel.dtype(dtype));
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(modelDir.resolve("tokenizer.json"),
                    java.util.Map.of("truncation", "false", "padding", "false",
                            "modelMaxLength", Integer.toString(model.config().maxPositions())));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        this.template = ChatTemplate.of(modelDir);
        try {
            this.prm = prm == null ? null : new ProcessRewardModel(model, this::encode, prm);
        } catch (RuntimeException e) {
            tokenizer.close();
            model.close();
            throw e;
        }
        this.eos = eosIds(modelDir, model.config());
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        Runnable loop = batching == Batching.STATIC ? new StaticWorker(this)::run : new ContinuousWorker(this)::run;
        this.worker = new Thread(loop, "reverb-djl-" + name);
        worker.setDaemon(true);
        worker.start();
    }

    private static Set<Integer> eosIds(Path dir, HfConfig config) throws IOException {
        Set<Integer> ids = new HashSet<>(config.eosTokenIds());
        Path generation = dir.resolve("generation_config.json");
        if (Files.isRegularFile(generation)) {
            JsonNode e = new ObjectMapper().readTree(generation.toFile()).path("eos_token_id");
            if (e.isArray()) {
                e.forEach(id -> ids.add(id.asInt()));
            } else if (e.isNumber()) {
                ids.add(e.asInt());
            }
        }
        return ids;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * The folder's name and a digest of what it holds: the bytes of its small files (config,
     * tokenizer, templates) and the name, size and modification time of its large ones (weights).
     */
    @Override
    public String identity() {
        return identity;
    }

    public LlamaModel model() {
        return model;
    }

    @Override
    public CompletionStage<Generation> generate(GenerateRequest request) {
        CompletableFuture<Generation> result = new CompletableFuture<>();
        submit(new GenerateJob(request, result));
        return result;
    }

    @Override
    public CompletionStage<StepScores> score(ScoreRequest request) {
        if (prm == null) {
            return ModelBackend.super.score(request);
        }
        CompletableFuture<StepScores> result = new CompletableFuture<>();
        submit(new ScoreJob(request, result));
        return result;
    }

    private void submit(Job job) {
        if (closed) {
            job.result().completeExceptionally(new IllegalStateException("the DJL model '" + name + "' is closed"));
        } else if (!queue.offer(job)) {
            job.result().completeExceptionally(new IllegalStateException("the DJL model '" + name
                    + "' is overloaded: " + queue.size() + " requests already wait"));
        }
    }

    public Batching batching() {
        return batching;
    }

    boolean closed() {
        return closed;
    }

    /**
     * Batches decoded so far: with static batching each gathered batch, with continuous batching
     * each group of sequences prefilled together and admitted at one step.
     */
    public long batches() {
        return batches.get();
    }

    /** Sequences decoded so far (a request's n samples count n). */
    public long sequences() {
        return sequences.get();
    }

    @Override
    public boolean isRetryable(Throwable error) {
        return false;
    }

    void score(List<ScoreJob> all) {
        int context = model.config().maxPositions();
        List<ScoreJob> jobs = new ArrayList<>();
        for (ScoreJob job : all) {
            int length = prm.length(job.request().problem(), job.request().steps());
            if (length > context) {
                job.result().completeExceptionally(new ContextLengthExceeded(name, length, 0, context, null));
            } else if (!job.result().isDone()) {
                jobs.add(job);
            }
        }
        if (jobs.isEmpty()) {
            return;
        }
        List<List<Double>> scores = prm.score(jobs.stream().map(j -> j.request().problem()).toList(),
                jobs.stream().map(j -> j.request().steps()).toList());
        batches.incrementAndGet();
        sequences.addAndGet(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            ScoreRequest r = jobs.get(i).request();
            int tokens = encode(r.problem()).length + r.steps().stream().mapToInt(step -> encode(step).length + 2).sum();
            jobs.get(i).result().complete(new StepScores(scores.get(i), tokens, name));
        }
    }

    /** A request's prompt, checked against the context, and how each of its n sequences is decoded. */
    record Prepared(GenerateJob job, int[] prompt, List<Generator.Params> params) {
    }

    /**
     * Renders and encodes a request's prompt and checks it against the context: null, with the
     * request failed, when the prompt leaves no room (nothing runs: the engine would index past
     * its position table), or when its caller has gone.
     */
    Prepared prepare(GenerateJob job) {
        if (job.result().isDone()) {
            return null;
        }
        GenerateRequest r = job.request();
        int[] ids = encode(template.render(r.messages()));
        Sampling s = r.sampling();
        int context = model.config().maxPositions();
        if (ids.length >= context) {
            job.result().completeExceptionally(new ContextLengthExceeded(name, ids.length, s.maxTokens(), context, null));
            return null;
        }
        int maxTokens = Math.min(s.maxTokens(), context - ids.length);
        List<Generator.Params> params = new ArrayList<>();
        for (int i = 0; i < r.n(); i++) {
            long seed = (s.seed() == null ? System.nanoTime() : s.seed()) + i;
            params.add(new Generator.Params(maxTokens, s.temperature(), s.topK(), s.topP(), seed, eos,
                    tokens -> !s.stop().isEmpty() && cut(decode(tokens), s.stop()) != null));
        }
        return new Prepared(job, ids, params);
    }

    /** Answers a request with its n decoded sequences, unless its caller has gone. */
    void complete(GenerateJob job, List<Generator.Output> outputs) {
        if (job.result().isDone()) {
            return;
        }
        List<String> texts = new ArrayList<>();
        int completion = 0;
        int prompt = 0;
        for (Generator.Output out : outputs) {
            String text = decode(out.tokens());
            String stopped = cut(text, job.request().sampling().stop());
            texts.add(stopped == null ? text : stopped);
            completion += out.tokens().size();
            prompt = out.promptTokens();
        }
        job.result().complete(new Generation(texts, prompt, completion, name, false, clamped(job.request(), prompt)));
    }

    /**
     * The note for a request whose prompt fits the context but whose max-tokens does not: the
     * completion was clamped to the room left (as llama.cpp's server does), said in the trace.
     */
    private List<String> clamped(GenerateRequest request, int prompt) {
        int context = model.config().maxPositions();
        int asked = request.sampling().maxTokens();
        if (prompt + asked <= context) {
            return List.of();
        }
        return List.of("max-tokens " + asked + " clamped to " + (context - prompt) + ": the prompt of " + prompt
                + " tokens leaves only that much of the context of " + context + " tokens");
    }

    private int[] encode(String text) {
        return encode(text, !template.hasTemplate());
    }

    private int[] encode(String text, boolean addSpecialTokens) {
        long[] ids = tokenizer.encode(text, addSpecialTokens, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    private String decode(List<Integer> tokens) {
        long[] ids = new long[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokens.get(i);
        }
        return tokenizer.decode(ids, true);
    }

    /** The text before the first stop string, or null when none occurs. */
    private static String cut(String text, List<String> stop) {
        int first = -1;
        for (String s : stop) {
            int i = text.indexOf(s);
            if (i >= 0 && (first < 0 || i < first)) {
                first = i;
            }
        }
        return first < 0 ? null : text.substring(0, first);
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Job job;
        while ((job = queue.poll()) != null) {
            job.result().completeExceptionally(new IllegalStateException("the DJL model '" + name + "' was closed"));
        }
        tokenizer.close();
        model.close();
    }
}
