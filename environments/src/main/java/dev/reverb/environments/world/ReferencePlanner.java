package dev.reverb.environments.world;

import dev.reverb.environments.world.Goal.Condition;
import dev.reverb.environments.world.Goal.Property;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a reference solution with full knowledge of the world, by playing it in a session: every
 * action it writes has been checked valid, and the plan ends with the goal reached.
 */
final class ReferencePlanner {

    private final WorldSession session;
    private final WorldState world;
    private final List<String> plan = new ArrayList<>();

    private ReferencePlanner(WorldState world) {
        this.world = world;
        this.session = new WorldSession(world, Integer.MAX_VALUE);
    }

    /** The plan for a freshly generated world; the world is played through and left at the goal. */
    static List<String> plan(WorldState world) {
        ReferencePlanner planner = new ReferencePlanner(world);
        for (Condition c : world.goal.conditions()) {
            planner.achieve(c);
        }
        if (!planner.session.done()) {
            throw new IllegalStateException("reference plan does not reach the goal: " + world.missing());
        }
        return List.copyOf(planner.plan);
    }

    private void act(String action) {
        StepResult result = session.act(action);
        if (!result.valid()) {
            throw new IllegalStateException("reference action '" + action + "' failed: " + result.observation());
        }
        plan.add(action);
    }

    private void achieve(Condition c) {
        Thing object = world.thing(c.object());
        if (c.required().contains(Property.ON)) {
            goTo(object.roomOf());
            act("turn on " + object.name);
            return;
        }
        fetch(object);
        if (c.required().contains(Property.CLEAN)) {
            goTo(world.thing("sink").room);
            act("clean " + object.name + " with sink");
        }
        if (c.required().contains(Property.HOT)) {
            goTo(world.thing("microwave").room);
            act("heat " + object.name + " with microwave");
        }
        if (c.required().contains(Property.COLD)) {
            Thing fridge = world.thing("fridge");
            goTo(fridge.room);
            openIfClosed(fridge);
            act("cool " + object.name + " with fridge");
        }
        for (Property p : List.of(Property.MEASURED, Property.WEIGHED)) {
            if (c.required().contains(p)) {
                Thing tool = world.thing(p == Property.MEASURED ? "thermometer" : "scale");
                fetch(tool);
                act("measure " + object.name + " with " + tool.name);
            }
        }
        if (c.hasDestination()) {
            Thing dest = world.thing(c.destination());
            goTo(dest.room);
            openIfClosed(dest);
            act("put " + object.name + " " + dest.preposition() + " " + dest.name);
        }
    }

    private void openIfClosed(Thing furniture) {
        if (!world.reachable(furniture)) {
            act("open " + furniture.name);
        }
    }

    private void fetch(Thing thing) {
        if (thing.held) {
            return;
        }
        goTo(thing.roomOf());
        if (thing.container == null) {
            act("take " + thing.name);
        } else {
            openIfClosed(thing.container);
            act("take " + thing.name + " from " + thing.container.name);
        }
    }

    private void goTo(String room) {
        while (!world.here.equals(room)) {
            Thing key = world.thing("key");
            boolean hasKey = key != null && key.held;
            List<String> path = world.path(world.here, room, hasKey);
            if (path == null) {
                fetch(key);
                continue;
            }
            String next = path.get(0);
            Door door = world.door(world.here, next);
            if (door.locked) {
                act("unlock " + next + " door with key");
            }
            if (!door.open) {
                act("open " + next + " door");
            }
            act("go to " + next);
        }
    }
}
