package dev.reverb.memory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** A writer process for the crash-safety test: puts items one by one and prints "acked N" after each commit. */
public final class StoreWriter {

    private StoreWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        try (LuceneStore store = LuceneStore.open(folder, 8)) {
            for (int i = 0; i < count; i++) {
                float[] v = new float[8];
                v[i % 8] = 1;
                v[(i + 3) % 8] = 0.5f;
                store.put(new MemoryItem("item-" + i, MemoryKind.EXPERIENTIAL, "global", "episode number " + i,
                        Instant.now(), Map.of("n", Integer.toString(i))), v);
                store.commit();
                System.out.println("acked " + i);
                System.out.flush();
            }
        }
    }
}
