package dev.reverb.runtime.djl;

/**
 * The PyTorch engine's CPU threads, set before the engine starts. Left to itself, libtorch runs
 * one intra-op OpenMP thread per core; when the machine is also busy with other work (the actor
 * system, verifiers, other processes), those threads spin-wait on each other and decoding collapses
 * (batch 1 on stories260k fell from ~100 to 4.5 tokens/s at load ~12 on 2 cores). So unless the
 * user has chosen, intra-op threads default to half the cores (at least 1) and inter-op threads to 1.
 *
 * <p>The user's choice: the engine's own system properties {@code ai.djl.pytorch.num_threads}
 * and {@code ai.djl.pytorch.num_interop_threads} (e.g. {@code REVERB_JAVA_OPTS=-Dai.djl.pytorch.num_threads=4}).
 */
final class EngineThreads {

    static final String INTRA = "ai.djl.pytorch.num_threads";
    static final String INTER = "ai.djl.pytorch.num_interop_threads";

    private EngineThreads() {
    }

    /** Sets the defaults for the properties the user has not set; the engine reads them when it starts. */
    static synchronized void defaults() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (System.getProperty(INTRA) == null) {
            System.setProperty(INTRA, Integer.toString(Math.max(1, cores / 2)));
        }
        if (System.getProperty(INTER) == null) {
            System.setProperty(INTER, "1");
        }
    }
}
