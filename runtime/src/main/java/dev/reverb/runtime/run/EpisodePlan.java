package dev.reverb.runtime.run;

import dev.reverb.agents.Seeds;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.environments.Task;
import java.util.Objects;

/**
 * One episode to run: a task under a protocol, in one repeat.
 *
 * @param id       {@code PROTOCOL/TASK/rREPEAT}, the key that makes a resumed run skip it
 * @param task     the task
 * @param protocol the protocol
 * @param repeat   0-based repeat index
 * @param seed     the episode's seed, derived from the run seed and the id
 */
public record EpisodePlan(String id, Task task, Protocol protocol, int repeat, long seed) {

    public EpisodePlan {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(protocol, "protocol");
    }

    public static EpisodePlan of(Task task, Protocol protocol, int repeat, long runSeed) {
        String id = protocol.name() + "/" + task.id() + "/r" + repeat;
        return new EpisodePlan(id, task, protocol, repeat, Seeds.mix(runSeed, id));
    }
}
