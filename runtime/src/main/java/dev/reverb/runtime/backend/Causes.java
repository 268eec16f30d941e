package dev.reverb.runtime.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** An error's cause chain, which backends read to classify a failure (each cause once, even in a cycle). */
final class Causes {

    private Causes() {
    }

    /** {@code error} and its causes, outermost first. */
    static List<Throwable> of(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Throwable> chain = new ArrayList<>();
        for (Throwable e = error; e != null && seen.add(e); e = e.getCause()) {
            chain.add(e);
        }
        return chain;
    }

    /** Whether {@code error} or one of its causes is a {@code type}. */
    static boolean include(Throwable error, Class<? extends Throwable> type) {
        return of(error).stream().anyMatch(type::isInstance);
    }
}
