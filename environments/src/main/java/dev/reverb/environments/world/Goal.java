package dev.reverb.environments.world;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an episode must achieve: one or more conditions on named objects, all of which must hold at
 * the same time.
 *
 * @param text       the goal as shown to agents, e.g. "put a clean mug in the cabinet"
 * @param conditions the parts of the goal, each checked against the world state
 */
public record Goal(String text, List<Condition> conditions) {

    /** A state an object can be required to be in. */
    public enum Property {
        CLEAN, HOT, COLD,
        /** Temperature measured with the thermometer since it was last heated or cooled. */
        MEASURED,
        /** Weighed on the scale. */
        WEIGHED,
        /** Switched on. */
        ON
    }

    /**
     * One part of a goal.
     *
     * @param object      the object's name, unique in its world
     * @param required    the properties it must have
     * @param destination the furniture it must be in or on, or empty when it may be anywhere
     */
    public record Condition(String object, Set<Property> required, String destination) {
        public Condition {
            Objects.requireNonNull(object, "object");
            required = Set.copyOf(required);
            destination = destination == null ? "" : destination;
        }

        public boolean hasDestination() {
            return !destination.isEmpty();
        }

        /** Number of sub-goals: one per required property, plus one for the destination. */
        public int subgoals() {
            return required.size() + (hasDestination() ? 1 : 0);
        }
    }

    public Goal {
        Objects.requireNonNull(text, "text");
        conditions = List.copyOf(conditions);
        if (conditions.isEmpty()) {
            throw new IllegalArgumentException("a goal needs at least one condition");
        }
    }

    public int subgoals() {
        return conditions.stream().mapToInt(Condition::subgoals).sum();
    }
}
