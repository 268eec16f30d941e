package dev.reverb.environments.world;

import dev.reverb.environments.world.Goal.Condition;
import dev.reverb.environments.world.Goal.Property;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A goal-directed agent that knows nothing of the layout: it explores every room (opening doors and
 * furniture, taking the key), then carries out the goal. It uses only the public session interface:
 * observations, {@link WorldSession#validActions()} and {@link WorldSession#act(String)}.
 */
final class Explorer {

    private static final Pattern DOOR = Pattern.compile("(\\w+) door \\((open|closed|locked)\\)");

    private final WorldSession session;
    private final Goal goal;
    private final Map<String, Set<String>> openEdges = new HashMap<>();
    private final Map<String, String> whereIs = new HashMap<>();
    private final Set<String> visited = new HashSet<>();
    private final Set<String> lockedFrom = new LinkedHashSet<>();
    private String lastLook;

    Explorer(WorldSession session, Goal goal) {
        this.session = session;
        this.goal = goal;
        this.lastLook = session.observation();
    }

    /** Plays the episode; true when the goal was reached. */
    boolean solve() {
        explore(session.currentRoom());
        while (!lockedFrom.isEmpty() && held("key")) {
            String entry = lockedFrom.iterator().next();
            lockedFrom.remove(entry);
            String[] parts = entry.split(">");
            if (visited.contains(parts[1])) {
                continue;
            }
            goTo(parts[0]);
            act("unlock " + parts[1] + " door with key");
            act("open " + parts[1] + " door");
            enter(parts[0], parts[1]);
        }
        for (Condition c : goal.conditions()) {
            achieve(c);
        }
        return session.done();
    }

    private boolean held(String name) {
        return session.validActions().contains("drop " + name);
    }

    private String act(String action) {
        StepResult result = session.act(action);
        if (!result.valid()) {
            throw new IllegalStateException("explorer action '" + action + "' failed: " + result.observation());
        }
        if (action.startsWith("go to ")) {
            lastLook = result.observation();
        }
        return result.observation();
    }

    private Optional<String> valid(String prefix, String suffix) {
        return session.validActions().stream().filter(a -> a.startsWith(prefix) && a.endsWith(suffix)).findFirst();
    }

    private void explore(String room) {
        visited.add(room);
        Optional<String> open;
        while ((open = session.validActions().stream()
                .filter(a -> a.startsWith("open ") && !a.endsWith(" door")).findFirst()).isPresent()) {
            act(open.get());
        }
        for (String a : session.validActions()) {
            if (a.startsWith("examine ") && !a.endsWith(" door")) {
                whereIs.putIfAbsent(a.substring("examine ".length()), room);
            }
        }
        valid("take key", "").ifPresent(this::act);
        Matcher doors = DOOR.matcher(lastLook.substring(lastLook.indexOf("Doors:")));
        List<String[]> exits = new ArrayList<>();
        while (doors.find()) {
            exits.add(new String[] {doors.group(1), doors.group(2)});
        }
        for (String[] exit : exits) {
            String next = exit[0];
            if (visited.contains(next)) {
                continue;
            }
            if (exit[1].equals("locked")) {
                if (!held("key")) {
                    lockedFrom.add(room + ">" + next);
                    continue;
                }
                act("unlock " + next + " door with key");
            }
            if (!exit[1].equals("open")) {
                act("open " + next + " door");
            }
            enter(room, next);
            goTo(room);
        }
    }

    private void enter(String from, String to) {
        openEdges.computeIfAbsent(from, k -> new HashSet<>()).add(to);
        openEdges.computeIfAbsent(to, k -> new HashSet<>()).add(from);
        act("go to " + to);
        if (!visited.contains(to)) {
            explore(to);
        }
    }

    private void goTo(String room) {
        Map<String, String> parent = new HashMap<>(Map.of(session.currentRoom(), ""));
        Deque<String> queue = new ArrayDeque<>(List.of(session.currentRoom()));
        while (!queue.isEmpty()) {
            String r = queue.poll();
            for (String n : openEdges.getOrDefault(r, Set.of())) {
                if (parent.putIfAbsent(n, r) == null) {
                    queue.add(n);
                }
            }
        }
        List<String> path = new ArrayList<>();
        for (String r = room; !r.equals(session.currentRoom()); r = parent.get(r)) {
            path.add(0, r);
        }
        path.forEach(r -> act("go to " + r));
    }

    private void fetch(String name) {
        if (!held(name)) {
            goTo(whereIs.get(name));
            act(valid("take " + name, "").orElseThrow());
        }
    }

    private void achieve(Condition c) {
        String object = c.object();
        if (c.required().contains(Property.ON)) {
            goTo(whereIs.get(object));
            act("turn on " + object);
            return;
        }
        fetch(object);
        String[][] treatments = {{"CLEAN", "clean", "sink"}, {"HOT", "heat", "microwave"}, {"COLD", "cool", "fridge"}};
        for (String[] t : treatments) {
            if (c.required().contains(Property.valueOf(t[0]))) {
                goTo(whereIs.get(t[2]));
                act(t[1] + " " + object + " with " + t[2]);
            }
        }
        if (c.required().contains(Property.MEASURED)) {
            fetch("thermometer");
            act("measure " + object + " with thermometer");
        }
        if (c.required().contains(Property.WEIGHED)) {
            fetch("scale");
            act("measure " + object + " with scale");
        }
        if (c.hasDestination()) {
            goTo(whereIs.get(c.destination()));
            act(valid("put " + object + " ", " " + c.destination()).orElseThrow());
        }
    }
}
