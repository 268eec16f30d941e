package dev.reverb.runtime.djl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker loop of a {@link DjlBackend} with static batching (the behaviour before continuous
 * batching, kept to compare against): it takes what arrives within max-wait, up to max-batch
 * sequences, and decodes that batch with {@link Generator#generate} to its longest sequence's end.
 */
final class StaticWorker {

    private static final Logger LOG = LoggerFactory.getLogger(StaticWorker.class);

    private final DjlBackend backend;

    StaticWorker(DjlBackend backend) {
        this.backend = backend;
    }

    void run() {
        while (!backend.closed()) {
            List<DjlBackend.Job> batch = new ArrayList<>();
            try {
                DjlBackend.Job first = backend.queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int sequences = first.sequences();
                long deadline = System.nanoTime() + backend.maxWait.toNanos();
                while (sequences < backend.maxBatch) {
                    DjlBackend.Job next = backend.queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    sequences += next.sequences();
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(job -> job.result().completeExceptionally(e));
                return;
            } catch (RuntimeException e) {
                LOG.warn("DJL batch of {} requests failed", batch.size(), e);
                batch.forEach(job -> job.result().completeExceptionally(e));
            }
        }
    }

    private void run(List<DjlBackend.Job> batch) {
        List<DjlBackend.GenerateJob> generate = new ArrayList<>();
        List<DjlBackend.ScoreJob> score = new ArrayList<>();
        for (DjlBackend.Job job : batch) {
            if (job instanceof DjlBackend.GenerateJob g) {
                generate.add(g);
            } else if (job instanceof DjlBackend.ScoreJob s) {
                score.add(s);
            }
        }
        if (!score.isEmpty()) {
            backend.score(score);
        }
        if (!generate.isEmpty()) {
            generate(generate);
        }
    }

    private void generate(List<DjlBackend.GenerateJob> batch) {
        List<DjlBackend.Prepared> running = batch.stream().map(backend::prepare).filter(java.util.Objects::nonNull).toList();
        if (running.isEmpty()) {
            return;
        }
        List<int[]> prompts = new ArrayList<>();
        List<Generator.Params> params = new ArrayList<>();
        for (DjlBackend.Prepared p : running) {
            p.params().forEach(one -> prompts.add(p.prompt()));
            params.addAll(p.params());
        }
        backend.batches.incrementAndGet();
        backend.sequences.addAndGet(prompts.size());
        List<Generator.Output> outputs = Generator.generate(backend.model(), prompts, params);
        int at = 0;
        for (DjlBackend.Prepared p : running) {
            int n = p.params().size();
            backend.complete(p.job(), outputs.subList(at, at + n));
            at += n; // a job cancelled while decoding is skipped; the others stay aligned
        }
    }
}
