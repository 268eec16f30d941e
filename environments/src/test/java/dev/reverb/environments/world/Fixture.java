package dev.reverb.environments.world;

import dev.reverb.environments.world.Goal.Condition;
import dev.reverb.environments.world.Goal.Property;
import dev.reverb.environments.world.Thing.Kind;
import java.util.List;
import java.util.Set;

/** A small hand-built world: kitchen, hallway and a lab behind a locked door. */
final class Fixture {

    private Fixture() {
    }

    static WorldSession session(int budget) {
        WorldState w = new WorldState();
        w.rooms.addAll(List.of("kitchen", "hallway", "lab"));
        w.here = "kitchen";
        Door hall = new Door("kitchen", "hallway");
        hall.open = true;
        Door lab = new Door("kitchen", "lab");
        lab.locked = true;
        w.doors.addAll(List.of(hall, lab));
        Thing cabinet = furniture(w, "cabinet", "kitchen", false, true);
        appliance(w, "sink", "kitchen");
        appliance(w, "microwave", "kitchen");
        Thing table = furniture(w, "table", "kitchen", true, false);
        Thing drawer = furniture(w, "drawer", "hallway", false, true);
        drawer.open = false;
        Thing fridge = furniture(w, "fridge", "lab", false, true);
        Thing bench = furniture(w, "bench", "lab", true, false);
        item(w, "mug", Kind.ITEM, cabinet).dirty = true;
        item(w, "key", Kind.KEY, table);
        item(w, "apple", Kind.ITEM, table);
        item(w, "sample", Kind.ITEM, fridge);
        item(w, "thermometer", Kind.TOOL, bench);
        item(w, "scale", Kind.TOOL, bench);
        w.add(new Thing("lamp", Kind.ITEM, false, false, false, true)).room = "lab";
        w.goal = new Goal("put a clean mug in the cabinet, and heat the sample, then measure its temperature",
                List.of(new Condition("mug", Set.of(Property.CLEAN), "cabinet"),
                        new Condition("sample", Set.of(Property.HOT, Property.MEASURED), null)));
        return new WorldSession(w, budget);
    }

    private static Thing furniture(WorldState w, String name, String room, boolean surface, boolean openable) {
        Thing t = w.add(new Thing(name, Kind.FURNITURE, surface, openable, false, false));
        t.room = room;
        t.open = !openable;
        return t;
    }

    private static void appliance(WorldState w, String name, String room) {
        w.add(new Thing(name, Kind.APPLIANCE, false, false, false, false)).room = room;
    }

    private static Thing item(WorldState w, String name, Kind kind, Thing in) {
        Thing t = w.add(new Thing(name, kind, false, false, name.equals("mug"), false));
        t.moveTo(in);
        return t;
    }
}
