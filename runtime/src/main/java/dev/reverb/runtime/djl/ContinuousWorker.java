package dev.reverb.runtime.djl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker loop of a {@link DjlBackend} with continuous batching. Between two decoding steps it
 * takes what has arrived without waiting (an idle engine first gathers for max-wait, as static
 * batching does), scores step-scoring requests, drops the sequences whose callers have gone,
 * admits waiting sequences into free slots, and decodes one step. A request of n samples is n
 * sequences; it is answered when the last of them ends.
 */
final class ContinuousWorker {

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousWorker.class);

    /** A request in flight: its n sequences' outputs as they end. */
    private static final class Request {
        final DjlBackend.Prepared prepared;
        final Generator.Output[] outputs;
        int left;

        Request(DjlBackend.Prepared prepared) {
            this.prepared = prepared;
            this.outputs = new Generator.Output[prepared.params().size()];
            this.left = outputs.length;
        }

        boolean gone() {
            return prepared.job().result().isDone();
        }
    }

    /** One sequence of a request, waiting since decoding step {@code since}. */
    private record Part(Request request, int index, long since) {
        ContinuousBatch.Entry<Part> entry() {
            return new ContinuousBatch.Entry<>(request.prepared.prompt(), request.prepared.params().get(index), this);
        }
    }

    private final DjlBackend backend;
    private final Deque<Part> waiting = new ArrayDeque<>();
    private final int group;
    private long steps;

    ContinuousWorker(DjlBackend backend) {
        this.backend = backend;
        this.group = Math.max(1, backend.maxBatch / 8);
    }

    void run() {
        try (ContinuousBatch<Part> batch = new ContinuousBatch<>(backend.model(), backend.maxBatch)) {
            while (!backend.closed()) {
                List<Part> admitting = List.of();
                try {
                    List<DjlBackend.ScoreJob> scores = take(batch.running() == 0 && waiting.isEmpty(), batch.free());
                    score(scores);
                    waiting.removeIf(p -> p.request().gone());
                    batch.drop(p -> p.request().gone());
                    admitting = admissions(batch.free(), batch.running() == 0);
                    if (!admitting.isEmpty()) {
                        backend.batches.incrementAndGet();
                        backend.sequences.addAndGet(admitting.size());
                        ended(batch.admit(admitting.stream().map(Part::entry).toList()));
                    }
                    admitting = List.of();
                    if (batch.running() > 0) {
                        steps++;
                        ended(batch.step());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(batch, admitting, e);
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("DJL decoding step failed", e);
                    fail(batch, admitting, e);
                }
            }
            // closed: what was decoding or waiting here is answered, not left waiting forever
            IllegalStateException closed = new IllegalStateException("the DJL model '" + backend.name() + "' was closed");
            fail(batch, List.of(), closed);
            waiting.forEach(p -> p.request().prepared.job().result().completeExceptionally(closed));
            waiting.clear();
        }
    }

    /** Scores step-scoring requests in one batch; a failure fails them alone. */
    private void score(List<DjlBackend.ScoreJob> scores) {
        if (scores.isEmpty()) {
            return;
        }
        try {
            backend.score(scores);
        } catch (RuntimeException e) {
            LOG.warn("DJL scoring of {} requests failed", scores.size(), e);
            scores.forEach(s -> s.result().completeExceptionally(e));
        }
    }

    /**
     * Moves what has arrived into {@link #waiting}, returning the scoring requests. Waits only
     * when idle: up to 100 ms for a first request, then up to max-wait for others to join it.
     * Takes no more than a batch beyond the free slots, so that the backend's bounded queue still
     * refuses requests when the engine is overloaded.
     */
    private List<DjlBackend.ScoreJob> take(boolean idle, int free) throws InterruptedException {
        List<DjlBackend.ScoreJob> scores = new ArrayList<>();
        if (idle) {
            DjlBackend.Job first = backend.queue.poll(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return scores;
            }
            accept(first, scores);
            long deadline = System.nanoTime() + backend.maxWait.toNanos();
            while (waiting.size() + scores.size() < free) {
                DjlBackend.Job next = backend.queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    break;
                }
                accept(next, scores);
            }
        }
        DjlBackend.Job next;
        while (waiting.size() < free + backend.maxBatch && (next = backend.queue.poll()) != null) {
            accept(next, scores);
        }
        return scores;
    }

    private void accept(DjlBackend.Job job, List<DjlBackend.ScoreJob> scores) {
        if (job instanceof DjlBackend.ScoreJob s) {
            scores.add(s);
        } else if (job instanceof DjlBackend.GenerateJob g) {
            DjlBackend.Prepared prepared = backend.prepare(g);
            if (prepared != null) {
                Request request = new Request(prepared);
                for (int i = 0; i < request.outputs.length; i++) {
                    waiting.add(new Part(request, i, steps));
                }
            }
        }
    }

    /**
     * The waiting sequences that take the free slots now, first come first served. Each admission
     * is one prefill pass, so while the batch runs nearly full they join in groups: when an eighth
     * of the slots is free, or when the first has waited as many decoding steps as that eighth.
     */
    private List<Part> admissions(int free, boolean idle) {
        List<Part> parts = new ArrayList<>();
        if (waiting.isEmpty() || free == 0) {
            return parts;
        }
        boolean now = idle || free >= group || steps - waiting.peek().since() >= group;
        if (!now) {
            return parts;
        }
        while (parts.size() < free && !waiting.isEmpty()) {
            parts.add(waiting.poll());
        }
        return parts;
    }

    private void ended(List<ContinuousBatch.Finished<Part>> finished) {
        for (ContinuousBatch.Finished<Part> f : finished) {
            Request r = f.tag().request();
            r.outputs[f.tag().index()] = f.output();
            if (--r.left == 0) {
                backend.complete(r.prepared.job(), List.of(r.outputs));
            }
        }
    }

    /** Fails every request that had a sequence in the batch; those still waiting wait on. */
    private void fail(ContinuousBatch<Part> batch, List<Part> admitting, Exception e) {
        List<Part> parts = new ArrayList<>(batch.clear());
        parts.addAll(admitting);
        for (Part p : parts) {
            p.request().prepared.job().result().completeExceptionally(e);
        }
        waiting.removeIf(p -> p.request().gone());
        if (e instanceof InterruptedException) {
            waiting.forEach(p -> p.request().prepared.job().result().completeExceptionally(e));
            waiting.clear();
        }
    }
}
