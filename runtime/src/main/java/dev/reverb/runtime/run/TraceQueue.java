package dev.reverb.runtime.run;

import dev.reverb.agents.trace.TraceEvent;
import dev.reverb.agents.trace.TraceSink;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Where a run's actors put trace events for the {@link Recorder}: any thread adds to it, and the
 * recorder is woken ({@code wake}) only when it is not already taking events: after a drain it takes
 * them again every {@link Recorder#DRAIN_EVERY} for as long as any came, so a stream of events costs
 * one hand-off to the recorder's thread per interval instead of one per event. The events wait in a
 * stack (one compare-and-set per event); the recorder takes all of them at once ({@link #takeAll}).
 */
final class TraceQueue implements TraceSink {

    /** An emitted event: linked to the one emitted before it while it waits, to the next once taken. */
    static final class Waiting {
        final TraceEvent event;
        private Waiting link;

        private Waiting(TraceEvent event) {
            this.event = event;
        }

        /** The event taken after this one; null after the last. */
        Waiting next() {
            return link;
        }
    }

    /** The event emitted last, linked to the one before it; null when none waits. */
    private final AtomicReference<Waiting> last = new AtomicReference<>();
    /** Whether the recorder will take events without being woken: from the wake until it finds none ({@link #idle}). */
    private final AtomicBoolean woken = new AtomicBoolean();
    private final Consumer<TraceQueue> wake;

    TraceQueue(Consumer<TraceQueue> wake) {
        this.wake = wake;
    }

    @Override
    public void emit(TraceEvent event) {
        Waiting waiting = new Waiting(event);
        do {
            waiting.link = last.get();
        } while (!last.compareAndSet(waiting.link, waiting));
        if (!woken.get() && woken.compareAndSet(false, true)) {
            wake.accept(this);
        }
    }

    boolean isEmpty() {
        return last.get() == null;
    }

    /**
     * The recorder stops taking events unless woken: an event emitted from now on wakes it again (so
     * it takes what waits once more after calling this).
     */
    void idle() {
        woken.set(false);
    }

    /** Every event waiting, taken from the queue, oldest first (follow {@link Waiting#next}); null when none. */
    Waiting takeAll() {
        Waiting newest = last.getAndSet(null);
        Waiting next = null;
        while (newest != null) {
            Waiting before = newest.link;
            newest.link = next;
            next = newest;
            newest = before;
        }
        return next;
    }
}
