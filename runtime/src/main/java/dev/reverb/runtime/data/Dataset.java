package dev.reverb.runtime.data;

import java.util.Objects;

/**
 * A public benchmark that {@code reverb data get} can fetch: its name, what it is, its data file
 * and its licence, each pinned by digest.
 *
 * @param name        the name on the command line ({@code gsm8k})
 * @param description one line: what it is, where it comes from, its licence
 * @param data        the file a scenario's {@code dataset} names
 * @param licence     the licence published beside it (fetched too, best effort), or null
 */
public record Dataset(String name, String description, DataFile data, DataFile licence) {

    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(data, "data");
    }
}
