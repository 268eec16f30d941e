package dev.reverb.environments.world;

import dev.reverb.environments.world.Goal.Condition;
import dev.reverb.environments.world.Goal.Property;
import dev.reverb.environments.world.Thing.Kind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/** Builds a world and its goal from a seed; the same seed and difficulty always give the same world. */
final class WorldGenerator {

    private static final List<String> ROOMS = List.of("kitchen", "hallway", "lab", "bathroom", "pantry", "study",
            "bedroom", "garage", "office", "cellar", "workshop", "attic");
    private static final List<String> CLOSABLE = List.of("cabinet", "drawer", "box", "wardrobe", "locker", "crate",
            "chest", "cupboard", "closet", "trunk");
    private static final List<String> SURFACES = List.of("table", "countertop", "shelf", "bench", "desk", "stool",
            "sofa", "armchair", "dresser", "cart");
    private static final List<String> DISHES = List.of("mug", "plate", "bowl", "cup", "glass", "pan", "spoon", "fork");
    private static final List<String> FOOD = List.of("apple", "potato", "tomato", "egg", "bread", "lettuce", "onion");
    private static final List<String> LAB = List.of("sample", "beaker", "flask", "vial");
    private static final List<String> MISC = List.of("book", "pen", "towel", "soap", "candle");

    private enum Template { CLEAN_PLACE, HOT_PLACE, COLD_PLACE, HEAT_MEASURE, COOL_MEASURE, WEIGH_PLACE,
        CLEAN_HOT_PLACE, PLACE, LAMP }

    private final SplittableRandom random;
    private final Difficulty difficulty;
    private final WorldState world = new WorldState();
    private final List<Thing> furniture = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    private WorldGenerator(long seed, Difficulty difficulty) {
        this.random = new SplittableRandom(seed);
        this.difficulty = difficulty;
    }

    static WorldState generate(long seed, Difficulty difficulty) {
        return new WorldGenerator(seed, difficulty).build();
    }

    /** Steps an agent that does not know the layout needs beyond the reference plan to look around. */
    static int explorationAllowance(WorldState world) {
        long closable = world.things.values().stream().filter(t -> t.openable).count();
        return 3 * world.rooms.size() + 2 * world.doors.size() + (int) closable + 8;
    }

    private WorldState build() {
        int rooms = difficulty.minRooms + random.nextInt(difficulty.maxRooms - difficulty.minRooms + 1);
        world.rooms.addAll(pick(ROOMS, rooms));
        world.here = world.rooms.get(0);
        for (int i = 1; i < rooms; i++) {
            connect(world.rooms.get(i), world.rooms.get(random.nextInt(i)));
        }
        if (rooms >= 4 && random.nextDouble() < difficulty.lockChance) { // harder worlds also get a loop
            String a = world.rooms.get(rooms - 1);
            String b = world.rooms.get(1 + random.nextInt(rooms - 2));
            if (world.door(a, b) == null) {
                connect(a, b);
            }
        }
        List<String> closable = pick(CLOSABLE, CLOSABLE.size());
        List<String> surfaces = pick(SURFACES, SURFACES.size());
        for (String room : world.rooms) {
            int count = 1 + random.nextInt(difficulty.maxFurniturePerRoom);
            for (int i = 0; i < count; i++) {
                boolean closed = surfaces.isEmpty() || (!closable.isEmpty() && random.nextBoolean());
                String name = (closed ? closable : surfaces).remove(0);
                furniture.add(place(new Thing(name, Kind.FURNITURE, !closed, closed, false, false), room));
            }
        }
        furniture.add(place(new Thing("fridge", Kind.FURNITURE, false, true, false, false), anyRoom()));
        place(new Thing("sink", Kind.APPLIANCE, false, false, false, false), anyRoom());
        place(new Thing("microwave", Kind.APPLIANCE, false, false, false, false), anyRoom());
        for (Thing f : furniture) {
            f.open = !f.openable || random.nextDouble() >= difficulty.closedContainerChance;
        }
        for (String tool : List.of("thermometer", "scale")) {
            world.add(new Thing(tool, Kind.TOOL, false, false, false, false)).moveTo(anyFurniture(null));
        }
        lockDoor();
        world.goal = goal();
        List<String> extras = new ArrayList<>(DISHES);
        extras.addAll(FOOD);
        extras.addAll(LAB);
        extras.addAll(MISC);
        extras.add("lamp");
        for (String name : pick(extras, extras.size())) {
            if (world.things.values().stream().filter(t -> t.kind == Kind.ITEM).count() >= difficulty.items) {
                break;
            }
            if (!used.contains(name)) {
                item(name).moveTo(anyFurniture(null));
            }
        }
        return world;
    }

    private <T> List<T> pick(List<T> from, int n) {
        List<T> copy = new ArrayList<>(from);
        for (int i = copy.size() - 1; i > 0; i--) {
            T swap = copy.get(i);
            int j = random.nextInt(i + 1);
            copy.set(i, copy.get(j));
            copy.set(j, swap);
        }
        return new ArrayList<>(copy.subList(0, n));
    }

    private void connect(String a, String b) {
        Door door = new Door(a, b);
        door.open = random.nextDouble() >= difficulty.closedDoorChance;
        world.doors.add(door);
    }

    private String anyRoom() {
        return world.rooms.get(random.nextInt(world.rooms.size()));
    }

    private Thing place(Thing thing, String room) {
        thing.room = room;
        return world.add(thing);
    }

    private Thing anyFurniture(Set<String> rooms) {
        List<Thing> options = furniture.stream().filter(f -> rooms == null || rooms.contains(f.room)).toList();
        return options.get(random.nextInt(options.size()));
    }

    private Thing item(String name) {
        used.add(name);
        Thing t = world.add(new Thing(name, Kind.ITEM, false, false, DISHES.contains(name) || LAB.contains(name),
                name.equals("lamp")));
        t.dirty = t.washable && random.nextDouble() < 0.4;
        return t;
    }

    /** Locks one door; the key lies somewhere reachable from the start without passing it. */
    private void lockDoor() {
        if (world.rooms.size() < 3 || random.nextDouble() >= difficulty.lockChance) {
            return;
        }
        Door door = world.doors.get(random.nextInt(world.doors.size()));
        door.open = false;
        door.locked = true;
        Set<String> free = world.rooms.stream().filter(r -> world.path(world.here, r, false) != null)
                .collect(Collectors.toSet());
        world.add(new Thing("key", Kind.KEY, false, false, false, false)).moveTo(anyFurniture(free));
    }

    private Goal goal() {
        int parts = random.nextDouble() < difficulty.twoPartGoalChance ? 2 : 1;
        List<Condition> conditions = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Template> first = new ArrayList<>(List.of(Template.CLEAN_PLACE, Template.HOT_PLACE, Template.COLD_PLACE,
                Template.HEAT_MEASURE, Template.COOL_MEASURE, Template.WEIGH_PLACE));
        if (difficulty == Difficulty.HARD) {
            first.add(Template.CLEAN_HOT_PLACE);
        }
        for (int i = 0; i < parts; i++) {
            List<Template> options = i == 0 ? first : List.of(Template.PLACE, Template.LAMP, Template.CLEAN_PLACE,
                    Template.COLD_PLACE, Template.WEIGH_PLACE);
            Template template = options.get(random.nextInt(options.size()));
            if (template == Template.LAMP && used.contains("lamp")) {
                template = Template.PLACE;
            }
            condition(template, conditions, texts);
        }
        return new Goal(String.join(", and ", texts), conditions);
    }

    private String unused(List<String> pool) {
        List<String> free = pool.stream().filter(n -> !used.contains(n)).toList();
        return free.get(random.nextInt(free.size()));
    }

    private void condition(Template template, List<Condition> conditions, List<String> texts) {
        List<String> food = FOOD;
        List<String> anything = new ArrayList<>(DISHES);
        anything.addAll(FOOD);
        anything.addAll(LAB);
        anything.addAll(MISC);
        String name = switch (template) {
            case CLEAN_PLACE, CLEAN_HOT_PLACE -> unused(DISHES);
            case HOT_PLACE, COLD_PLACE -> unused(food);
            case HEAT_MEASURE, COOL_MEASURE, WEIGH_PLACE -> unused(LAB);
            case PLACE -> unused(anything);
            case LAMP -> "lamp";
        };
        Thing object = item(name);
        List<Thing> destinations = furniture.stream().filter(f -> !f.name.equals("fridge")).toList();
        Thing dest = destinations.get(random.nextInt(destinations.size()));
        if (template == Template.LAMP) {
            List<Thing> open = furniture.stream().filter(f -> !f.openable).toList();
            if (open.isEmpty() || random.nextInt(3) == 0) {
                object.room = anyRoom();
            } else {
                object.moveTo(open.get(random.nextInt(open.size())));
            }
            conditions.add(new Condition(name, EnumSet.of(Property.ON), null));
            texts.add("turn on the lamp");
            return;
        }
        do {
            object.moveTo(anyFurniture(null));
        } while (object.container == dest);
        String where = dest.preposition() + " the " + dest.name;
        Set<Property> required = switch (template) {
            case CLEAN_PLACE -> EnumSet.of(Property.CLEAN);
            case HOT_PLACE -> EnumSet.of(Property.HOT);
            case COLD_PLACE -> EnumSet.of(Property.COLD);
            case HEAT_MEASURE -> EnumSet.of(Property.HOT, Property.MEASURED);
            case COOL_MEASURE -> EnumSet.of(Property.COLD, Property.MEASURED);
            case WEIGH_PLACE -> EnumSet.of(Property.WEIGHED);
            case CLEAN_HOT_PLACE -> EnumSet.of(Property.CLEAN, Property.HOT);
            default -> EnumSet.noneOf(Property.class);
        };
        if (required.contains(Property.CLEAN)) {
            object.dirty = true;
        }
        boolean measure = required.contains(Property.MEASURED);
        String destination = measure && difficulty != Difficulty.HARD ? null : dest.name;
        texts.add(switch (template) {
            case CLEAN_PLACE -> "put a clean " + name + " " + where;
            case HOT_PLACE -> "put a hot " + name + " " + where;
            case COLD_PLACE -> "put a cold " + name + " " + where;
            case HEAT_MEASURE, COOL_MEASURE -> (template == Template.HEAT_MEASURE ? "heat" : "cool") + " the " + name
                    + ", then measure its temperature with the thermometer"
                    + (destination == null ? "" : ", then put it " + where);
            case WEIGH_PLACE -> "weigh the " + name + " with the scale, then put it " + where;
            case CLEAN_HOT_PLACE -> "put a clean, hot " + name + " " + where;
            default -> "put the " + name + " " + where;
        });
        conditions.add(new Condition(name, required, destination));
    }
}
