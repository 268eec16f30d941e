package dev.reverb.environments.world;

import dev.reverb.environments.InteractiveEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One episode in a text world: a mutable world, a step budget and the action parser. Start with
 * {@link #observation()}, then call {@link #act(String)} once per action; every call costs one step,
 * also when the action is invalid. Not thread-safe: one session per episode.
 */
public final class WorldSession implements InteractiveEnvironment.Session {

    /** The verbs the parser knows, in the order they are listed to the player. */
    public static final List<String> VERBS = List.of("look", "inventory", "examine", "go to", "open", "close",
            "unlock", "take", "put", "drop", "clean", "heat", "cool", "measure", "use", "turn on", "turn off", "help");

    private static final Set<String> ADJECTIVES = Set.of("dirty", "clean", "hot", "cold", "warm", "my");

    private final WorldState state;
    private final int budget;
    private final String initial;
    private int steps;
    private boolean done;

    private record Reply(boolean valid, String text) {
        static final Reply OK = new Reply(true, "");

        static Reply no(String text) {
            return new Reply(false, text);
        }
    }

    WorldSession(WorldState state, int budget) {
        this.state = state;
        this.budget = budget;
        this.initial = "Your task is to: " + state.goal.text() + ".\n" + state.look()
                + "\nYou have " + budget + " steps. Type 'help' for the list of actions.";
    }

    /** The first observation: the goal, the starting room and the step budget. */
    @Override
    public String observation() {
        return initial;
    }

    public String goal() {
        return state.goal.text();
    }

    public String currentRoom() {
        return state.here;
    }

    public int budget() {
        return budget;
    }

    public int stepsTaken() {
        return steps;
    }

    public int stepsLeft() {
        return budget - steps;
    }

    /** Whether the goal is reached. */
    public boolean done() {
        return done;
    }

    /** Whether the budget is spent without reaching the goal. */
    public boolean failed() {
        return !done && steps >= budget;
    }

    /** Sub-goals met over sub-goals in the goal, in [0, 1]; 1 exactly when the goal is reached. */
    public double progress() {
        return state.progress();
    }

    /** What still keeps the goal from being reached, one sentence per unmet part; empty when done. */
    public List<String> missing() {
        return state.missing();
    }

    @Override
    public InteractiveEnvironment.Outcome step(String action) {
        StepResult r = act(action);
        return new InteractiveEnvironment.Outcome(r.observation(), r.valid(), r.done(), r.failed());
    }

    /** Performs one action and reports what happened. */
    public StepResult act(String action) {
        if (done) {
            return new StepResult("The task is already complete.", false, true, stepsLeft(), false);
        }
        if (failed()) {
            return new StepResult("You have no steps left.", false, false, 0, true);
        }
        steps++;
        Reply reply = execute(normalize(action == null ? "" : action), true);
        done = state.goalMet();
        String text = reply.text() + (done ? "\nTask complete!" : failed() ? "\nYou have run out of steps." : "");
        return new StepResult(text, reply.valid(), done, stepsLeft(), failed());
    }

    /**
     * Every action that would be valid now (the "admissible commands" of ALFWorld), in a stable order,
     * including looking and examining.
     */
    public List<String> validActions() {
        Set<String> candidates = new LinkedHashSet<>(List.of("look", "inventory"));
        for (Door d : state.exits(state.here)) {
            String room = d.other(state.here);
            candidates.addAll(List.of("go to " + room, "open " + room + " door", "close " + room + " door",
                    "unlock " + room + " door with key"));
        }
        List<Thing> visible = state.visible();
        List<Thing> held = state.held();
        for (Thing t : visible) {
            candidates.addAll(List.of("examine " + t.name, "open " + t.name, "close " + t.name,
                    "turn on " + t.name, "turn off " + t.name));
            candidates.add(t.container == null ? "take " + t.name : "take " + t.name + " from " + t.container.name);
            for (Thing tool : held) {
                candidates.add("measure " + t.name + " with " + tool.name);
            }
        }
        for (Thing h : held) {
            candidates.addAll(List.of("drop " + h.name, "clean " + h.name + " with sink",
                    "heat " + h.name + " with microwave", "cool " + h.name + " with fridge"));
            for (Thing f : state.furnitureIn(state.here)) {
                candidates.add("put " + h.name + " " + f.preposition() + " " + f.name);
            }
        }
        return candidates.stream().filter(a -> execute(a, false).valid()).toList();
    }

    /** Lower case, letters and digits only, single spaces, without articles. */
    static String normalize(String action) {
        String s = action.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", " ");
        s = (" " + s + " ").replaceAll(" (the|a|an)(?= )", " ");
        return s.trim().replaceAll("\\s+", " ");
    }

    private Reply execute(String cmd, boolean apply) {
        if (cmd.isEmpty()) {
            return Reply.no("Please type an action. " + verbList());
        }
        String verb = cmd.split(" ")[0];
        String rest = cmd.substring(verb.length()).trim();
        return switch (verb) {
            case "look", "l" -> rest.isEmpty() ? new Reply(true, state.look()) : examine(strip(rest, "at "));
            case "inventory", "i" -> new Reply(true, state.held().isEmpty() ? "You are not holding anything."
                    : "You are holding: " + WorldState.labels(state.held()) + ".");
            case "help" -> new Reply(true, TextWorld.GRAMMAR);
            case "examine", "x" -> examine(rest);
            case "go" -> go(strip(rest, "to "), apply);
            case "open", "close" -> openClose(verb.equals("open"), rest, apply);
            case "unlock" -> unlock(rest, apply);
            case "take", "get", "pick" -> take(strip(rest, "up "), apply);
            case "put", "place" -> put(rest, apply);
            case "drop" -> drop(rest, apply);
            case "clean", "heat", "cool" -> treat(verb, rest, apply);
            case "measure", "weigh" -> measure(rest, apply);
            case "use" -> use(rest, apply);
            case "turn", "switch" -> turn(rest, apply);
            default -> Reply.no("I don't know the verb '" + verb + "'. " + verbList());
        };
    }

    private static String verbList() {
        return "Known verbs: " + String.join(", ", VERBS) + ".";
    }

    private static String strip(String text, String prefix) {
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    /** Splits "mug with sink" at " with ", or returns null. */
    private static String[] split(String text, String word) {
        int at = (" " + text + " ").indexOf(" " + word + " ");
        if (at < 0) {
            return null;
        }
        String left = text.substring(0, Math.max(0, at - 1)).trim();
        String right = text.substring(Math.min(text.length(), at + word.length())).trim();
        return left.isEmpty() || right.isEmpty() ? null : new String[] {left, right};
    }

    /** A visible thing by name (ignoring adjectives such as "dirty"), or null. */
    private Thing find(String phrase) {
        String name = List.of(phrase.split(" ")).stream().filter(w -> !ADJECTIVES.contains(w))
                .collect(Collectors.joining(" "));
        return state.visible().stream().filter(t -> t.name.equals(name)).findFirst().orElse(null);
    }

    private Reply notHere(String phrase) {
        List<String> names = new ArrayList<>(state.visible().stream().map(t -> t.name).toList());
        state.exits(state.here).forEach(d -> names.add(d.other(state.here) + " door"));
        Thing elsewhere = state.thing(phrase);
        String hint = elsewhere != null && elsewhere.portable() && !elsewhere.held
                && state.here.equals(elsewhere.roomOf()) ? " (something may be inside a closed container)" : "";
        return Reply.no("You don't see a " + phrase + " here" + hint + ". You can see: " + String.join(", ", names) + ".");
    }

    /** The door to a neighbouring room named "lab door", or null. */
    private Door findDoor(String phrase) {
        if (!phrase.endsWith(" door")) {
            return null;
        }
        return state.door(state.here, phrase.substring(0, phrase.length() - " door".length()).trim());
    }

    private Reply examine(String phrase) {
        Door door = findDoor(phrase);
        if (door != null) {
            return new Reply(true, "The " + phrase + " leads to the " + door.other(state.here) + ". It is "
                    + (door.locked ? "locked" : door.open ? "open" : "closed") + ".");
        }
        Thing t = find(phrase);
        if (t == null) {
            return notHere(phrase);
        }
        if (!t.portable()) {
            String what = switch (t.name) {
                case "sink" -> "The sink. Hold an object and 'clean <object> with sink'.";
                case "microwave" -> "The microwave. Hold an object and 'heat <object> with microwave'.";
                default -> "The " + t.name + state.furnitureState(t) + "."
                        + (t.name.equals("fridge") ? " Open it and 'cool <object> with fridge'." : "");
            };
            return new Reply(true, what);
        }
        List<String> facts = new ArrayList<>();
        facts.add(t.dirty ? "dirty" : "clean");
        facts.add(t.hot ? "hot" : t.cold ? "cold" : "at room temperature");
        if (t.measured) {
            facts.add("its temperature has been measured");
        }
        if (t.weighed) {
            facts.add("it has been weighed");
        }
        if (t.switchable) {
            facts.add(t.on ? "switched on" : "switched off");
        }
        String tool = t.kind == Thing.Kind.TOOL ? " Hold it and 'measure <object> with " + t.name + "'." : "";
        return new Reply(true, "The " + t.name + " is " + String.join(", ", facts) + "; "
                + state.whereIs(t).replaceFirst("^the " + t.name + " is ", "it is ") + "." + tool);
    }

    private Reply go(String room, boolean apply) {
        if (room.equals(state.here)) {
            return Reply.no("You are already in the " + room + ".");
        }
        String exits = state.exits(state.here).stream().map(d -> d.other(state.here)).collect(Collectors.joining(", "));
        Door door = state.door(state.here, room);
        if (door == null) {
            return Reply.no((state.rooms.contains(room) ? "You can't reach the " + room + " from here."
                    : "There is no room called '" + room + "'.") + " From the " + state.here
                    + " you can go to: " + exits + ".");
        }
        if (!door.open) {
            return Reply.no("The " + room + " door is " + (door.locked ? "locked." : "closed."));
        }
        if (apply) {
            state.here = room;
        }
        return new Reply(true, apply ? state.look() : "");
    }

    private Reply openClose(boolean open, String phrase, boolean apply) {
        String verb = open ? "open" : "close";
        Door door = findDoor(phrase);
        if (door != null) {
            if (door.open == open) {
                return Reply.no("The " + phrase + " is already " + (open ? "open." : "closed."));
            }
            if (door.locked) {
                return Reply.no("The " + phrase + " is locked.");
            }
            if (apply) {
                door.open = open;
            }
            return new Reply(true, "You " + verb + " the " + phrase + ".");
        }
        Thing t = find(phrase);
        if (t == null) {
            return notHere(phrase);
        }
        if (!t.openable) {
            return Reply.no("You can't " + verb + " the " + t.name + ".");
        }
        if (t.open == open) {
            return Reply.no("The " + t.name + " is already " + (open ? "open." : "closed."));
        }
        if (apply) {
            t.open = open;
        }
        List<Thing> inside = state.contents(t);
        String seen = !open ? "" : inside.isEmpty() ? " It is empty." : " In it: " + WorldState.labels(inside) + ".";
        return new Reply(true, "You " + verb + " the " + t.name + "." + seen);
    }

    private Reply unlock(String rest, boolean apply) {
        String[] parts = split(rest, "with");
        if (parts == null) {
            return Reply.no("Usage: unlock <room> door with key.");
        }
        Door door = findDoor(parts[0]);
        if (door == null) {
            return parts[0].endsWith("door") ? notHere(parts[0]) : Reply.no("Only doors can be unlocked.");
        }
        if (!door.locked) {
            return Reply.no("The " + parts[0] + " is not locked.");
        }
        Thing key = find(parts[1]);
        if (key == null || !key.held) {
            return Reply.no("You are not holding the " + parts[1] + ".");
        }
        if (key.kind != Thing.Kind.KEY) {
            return Reply.no("The " + key.name + " does not fit the lock.");
        }
        if (apply) {
            door.locked = false;
        }
        return new Reply(true, "You unlock the " + parts[0] + " with the key.");
    }

    private Reply take(String rest, boolean apply) {
        String[] parts = split(rest, "from");
        Thing t = find(parts == null ? rest : parts[0]);
        if (t == null) {
            return notHere(parts == null ? rest : parts[0]);
        }
        if (!t.portable()) {
            return Reply.no("The " + t.name + " is too heavy to carry.");
        }
        if (t.held) {
            return Reply.no("You are already holding the " + t.name + ".");
        }
        if (parts != null) {
            Thing from = find(parts[1]);
            if (from == null) {
                return notHere(parts[1]);
            }
            if (t.container != from) {
                return Reply.no("The " + t.name + " is not " + from.preposition() + " the " + from.name + ".");
            }
        }
        if (apply) {
            t.held = true;
            t.container = null;
            t.room = null;
        }
        return new Reply(true, "You take the " + t.name + ".");
    }

    private Reply holding(String phrase) {
        Thing t = find(phrase);
        if (t == null) {
            return notHere(phrase);
        }
        return t.held ? null : Reply.no("You are not holding the " + t.name + ". Take it first.");
    }

    private Reply put(String rest, boolean apply) {
        String[] parts = split(rest, "in");
        parts = parts == null ? split(rest, "on") : parts;
        if (parts == null) {
            return Reply.no("Usage: put <object> in <container> or put <object> on <surface>.");
        }
        Reply problem = holding(parts[0]);
        if (problem != null) {
            return problem;
        }
        Thing t = find(parts[0]);
        Thing to = find(parts[1]);
        if (to == null) {
            return notHere(parts[1]);
        }
        if (!to.holdsThings()) {
            return Reply.no("You can't put things " + (to.portable() ? "into the " : "in the ") + to.name + ".");
        }
        if (!state.reachable(to)) {
            return Reply.no("The " + to.name + " is closed.");
        }
        if (apply) {
            t.moveTo(to);
        }
        return new Reply(true, "You put the " + t.name + " " + to.preposition() + " the " + to.name + ".");
    }

    private Reply drop(String phrase, boolean apply) {
        Reply problem = holding(phrase);
        if (problem != null) {
            return problem;
        }
        Thing t = find(phrase);
        if (apply) {
            t.held = false;
            t.room = state.here;
        }
        return new Reply(true, "You drop the " + t.name + " on the floor.");
    }

    private Reply treat(String verb, String rest, boolean apply) {
        String appliance = switch (verb) {
            case "clean" -> "sink";
            case "heat" -> "microwave";
            default -> "fridge";
        };
        String[] parts = split(rest, "with");
        if (parts == null) {
            return Reply.no("Usage: " + verb + " <object> with " + appliance + ".");
        }
        Thing tool = find(parts[1]);
        if (tool == null) {
            return notHere(parts[1]);
        }
        if (!tool.name.equals(appliance)) {
            return Reply.no("You can't " + verb + " things with the " + tool.name + ". Use the " + appliance + ".");
        }
        Reply problem = holding(parts[0]);
        if (problem != null) {
            return problem;
        }
        Thing t = find(parts[0]);
        if (!state.reachable(tool)) {
            return Reply.no("The " + tool.name + " is closed.");
        }
        boolean already = switch (verb) {
            case "clean" -> !t.dirty;
            case "heat" -> t.hot;
            default -> t.cold;
        };
        if (already) {
            return Reply.no("The " + t.name + " is already " + verb.replace("heat", "hot").replace("cool", "cold") + ".");
        }
        if (apply) {
            switch (verb) {
                case "clean" -> t.dirty = false;
                case "heat" -> {
                    t.hot = true;
                    t.cold = false;
                    t.measured = false;
                }
                default -> {
                    t.cold = true;
                    t.hot = false;
                    t.measured = false;
                }
            }
        }
        String done = switch (verb) {
            case "clean" -> "You wash the " + t.name + " in the sink. It is clean now.";
            case "heat" -> "You heat the " + t.name + " in the microwave. It is hot now.";
            default -> "You chill the " + t.name + " in the fridge. It is cold now.";
        };
        return new Reply(true, done);
    }

    private Reply use(String rest, boolean apply) {
        String[] parts = split(rest, "on");
        return parts == null ? Reply.no("Usage: use <tool> on <object>.")
                : measure(parts[1] + " with " + parts[0], apply);
    }

    private Reply measure(String rest, boolean apply) {
        String[] parts = split(rest, "with");
        if (parts == null) {
            return Reply.no("Usage: measure <object> with thermometer, or measure <object> with scale.");
        }
        Thing tool = find(parts[1]);
        if (tool == null) {
            return notHere(parts[1]);
        }
        if (tool.kind != Thing.Kind.TOOL) {
            return Reply.no("The " + tool.name + " is not a measuring tool. Use the thermometer or the scale.");
        }
        if (!tool.held) {
            return Reply.no("You need to hold the " + tool.name + " first.");
        }
        Thing t = find(parts[0]);
        if (t == null) {
            return notHere(parts[0]);
        }
        if (!t.portable() || t == tool) {
            return Reply.no("You can only measure objects you can carry, not the " + t.name + ".");
        }
        boolean thermometer = tool.name.equals("thermometer");
        if (apply) {
            if (thermometer) {
                t.measured = true;
            } else {
                t.weighed = true;
            }
        }
        String reading = thermometer ? (t.hot ? "78 degrees: the " + t.name + " is hot"
                : t.cold ? "4 degrees: the " + t.name + " is cold" : "21 degrees: room temperature")
                : (90 + 17 * t.name.length()) + " grams";
        return new Reply(true, "The " + tool.name + " reads " + reading + ".");
    }

    private Reply turn(String rest, boolean apply) {
        boolean on = rest.startsWith("on ");
        if (!on && !rest.startsWith("off ")) {
            return Reply.no("Usage: turn on <thing> or turn off <thing>.");
        }
        String phrase = rest.substring(on ? 3 : 4);
        Thing t = find(phrase);
        if (t == null) {
            return notHere(phrase);
        }
        if (!t.switchable) {
            return Reply.no("The " + t.name + " has no switch.");
        }
        if (t.on == on) {
            return Reply.no("The " + t.name + " is already " + (on ? "on." : "off."));
        }
        if (apply) {
            t.on = on;
        }
        return new Reply(true, "You turn " + (on ? "on" : "off") + " the " + t.name + ".");
    }

    WorldState state() {
        return state;
    }
}
