package dev.reverb.environments.world;

import dev.reverb.environments.world.Goal.Condition;
import dev.reverb.environments.world.Goal.Property;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The mutable state of one world: rooms, doors, things, where the player is, and the goal. */
final class WorldState {

    final List<String> rooms = new ArrayList<>();
    final List<Door> doors = new ArrayList<>();
    final Map<String, Thing> things = new LinkedHashMap<>();
    String here;
    Goal goal;

    Thing add(Thing thing) {
        if (things.putIfAbsent(thing.name, thing) != null) {
            throw new IllegalStateException("duplicate thing " + thing.name);
        }
        return thing;
    }

    Thing thing(String name) {
        return things.get(name);
    }

    List<Door> exits(String room) {
        return doors.stream().filter(d -> d.connects(room)).toList();
    }

    Door door(String from, String to) {
        return doors.stream().filter(d -> d.connects(from) && d.other(from).equals(to)).findFirst().orElse(null);
    }

    List<Thing> furnitureIn(String room) {
        return things.values().stream()
                .filter(t -> !t.portable() && room.equals(t.room)).toList();
    }

    List<Thing> contents(Thing furniture) {
        return things.values().stream().filter(t -> t.container == furniture).toList();
    }

    List<Thing> held() {
        return things.values().stream().filter(t -> t.held).toList();
    }

    List<Thing> onFloor(String room) {
        return things.values().stream()
                .filter(t -> t.portable() && !t.held && t.container == null && room.equals(t.room)).toList();
    }

    boolean reachable(Thing furniture) {
        return !furniture.openable || furniture.open;
    }

    /** Everything the player can see or touch here: furniture, what is on or in open furniture, the floor, the hands. */
    List<Thing> visible() {
        List<Thing> seen = new ArrayList<>();
        for (Thing f : furnitureIn(here)) {
            seen.add(f);
            if (reachable(f)) {
                seen.addAll(contents(f));
            }
        }
        seen.addAll(onFloor(here));
        seen.addAll(held());
        return seen;
    }

    String look() {
        StringBuilder text = new StringBuilder("You are in the ").append(here).append(".\nYou see: ");
        List<String> parts = new ArrayList<>();
        for (Thing f : furnitureIn(here)) {
            parts.add("a " + f.name + furnitureState(f));
        }
        text.append(parts.isEmpty() ? "nothing" : String.join("; ", parts)).append('.');
        List<Thing> floor = onFloor(here);
        if (!floor.isEmpty()) {
            text.append("\nOn the floor: ").append(labels(floor)).append('.');
        }
        text.append("\nDoors: ").append(exits(here).stream()
                .map(d -> d.other(here) + " door (" + (d.locked ? "locked" : d.open ? "open" : "closed") + ")")
                .collect(Collectors.joining(", "))).append('.');
        return text.toString();
    }

    String furnitureState(Thing f) {
        if (f.kind == Thing.Kind.APPLIANCE) {
            return "";
        }
        if (!reachable(f)) {
            return " (closed)";
        }
        List<Thing> inside = contents(f);
        String holding = inside.isEmpty() ? "empty" : f.preposition() + " it: " + labels(inside);
        return f.openable ? " (open, " + holding + ")" : " (" + holding + ")";
    }

    static String labels(List<Thing> list) {
        return list.stream().map(Thing::label).collect(Collectors.joining(", "));
    }

    /** Where a portable thing is, as a sentence start: "the mug is in the cabinet". */
    String whereIs(Thing t) {
        if (t.held) {
            return "you are holding the " + t.name;
        }
        if (t.container != null) {
            return "the " + t.name + " is " + t.container.preposition() + " the " + t.container.name
                    + " in the " + t.container.room;
        }
        return "the " + t.name + " is on the " + t.room + " floor";
    }

    boolean has(Thing t, Property p) {
        return switch (p) {
            case CLEAN -> !t.dirty;
            case HOT -> t.hot;
            case COLD -> t.cold;
            case MEASURED -> t.measured;
            case WEIGHED -> t.weighed;
            case ON -> t.on;
        };
    }

    static String lacking(Property p) {
        return switch (p) {
            case CLEAN -> "it is dirty";
            case HOT -> "it is not hot";
            case COLD -> "it is not cold";
            case MEASURED -> "its temperature has not been measured with the thermometer since it last changed";
            case WEIGHED -> "it has not been weighed on the scale";
            case ON -> "it is switched off";
        };
    }

    boolean atDestination(Condition c) {
        Thing t = thing(c.object());
        return !c.hasDestination() || (t.container != null && t.container.name.equals(c.destination()));
    }

    /** Sub-goals of a condition that hold now. */
    int met(Condition c) {
        Thing t = thing(c.object());
        int met = atDestination(c) ? (c.hasDestination() ? 1 : 0) : 0;
        for (Property p : c.required()) {
            met += has(t, p) ? 1 : 0;
        }
        return met;
    }

    boolean goalMet() {
        return goal.conditions().stream().allMatch(c -> met(c) == c.subgoals());
    }

    double progress() {
        return goal.conditions().stream().mapToInt(this::met).sum() / (double) goal.subgoals();
    }

    /** One sentence per unmet condition, e.g. "the mug is in the cabinet but it is dirty". */
    List<String> missing() {
        List<String> sentences = new ArrayList<>();
        for (Condition c : goal.conditions()) {
            Thing t = thing(c.object());
            List<String> lacks = new ArrayList<>();
            if (!atDestination(c)) {
                Thing dest = thing(c.destination());
                lacks.add("it is not " + dest.preposition() + " the " + dest.name + " yet");
            }
            c.required().stream().sorted().filter(p -> !has(t, p)).forEach(p -> lacks.add(lacking(p)));
            if (!lacks.isEmpty()) {
                sentences.add(whereIs(t) + " but " + String.join(" and ", lacks));
            }
        }
        return sentences;
    }

    /** Shortest room path from one room to another, through locked doors only when {@code throughLocked}. */
    List<String> path(String from, String to, boolean throughLocked) {
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        parent.put(from, from);
        while (!queue.isEmpty()) {
            String room = queue.poll();
            if (room.equals(to)) {
                List<String> path = new ArrayList<>();
                for (String r = to; !r.equals(from); r = parent.get(r)) {
                    path.add(0, r);
                }
                return path;
            }
            for (Door d : exits(room)) {
                String next = d.other(room);
                if ((throughLocked || !d.locked) && parent.putIfAbsent(next, room) == null) {
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
