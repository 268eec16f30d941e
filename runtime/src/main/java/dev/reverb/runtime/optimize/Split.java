package dev.reverb.runtime.optimize;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The seeded split of a scenario's task ids into a dev set (search) and a held-out test set
 * (evaluated once, at the end): the ids sorted, shuffled by the seed, the first {@code dev} to dev
 * and the next {@code test} to test. The same ids, sizes and seed always give the same split.
 */
record Split(List<String> dev, List<String> test) {

    Split {
        dev = List.copyOf(dev);
        test = List.copyOf(test);
        if (dev.stream().anyMatch(test::contains)) {
            throw new IllegalArgumentException("a task is in both the dev and the test set");
        }
    }

    static Split of(List<String> ids, int dev, int test, long seed) {
        List<String> shuffled = new ArrayList<>(new java.util.TreeSet<>(ids));
        if (dev + test > shuffled.size()) {
            throw new IllegalArgumentException("the scenario has " + shuffled.size() + " distinct task(s); --dev "
                    + dev + " and --test " + test + " need " + (dev + test));
        }
        java.util.Collections.shuffle(shuffled, new Random(seed));
        return new Split(shuffled.subList(0, dev), shuffled.subList(dev, dev + test));
    }
}
