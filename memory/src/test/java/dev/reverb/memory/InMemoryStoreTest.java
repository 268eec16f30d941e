package dev.reverb.memory;

import java.nio.file.Path;

class InMemoryStoreTest extends MemoryStoreContract {

    @Override
    MemoryStore open(Path folder, int dimension) {
        return new InMemoryStore(dimension);
    }

    @Override
    boolean persistent() {
        return false;
    }
}
