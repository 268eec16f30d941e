package dev.reverb.environments.world;

/** Something in a world: furniture, an appliance, a portable object, a tool or the key. Mutable. */
final class Thing {

    enum Kind { FURNITURE, APPLIANCE, ITEM, TOOL, KEY }

    final String name;
    final Kind kind;
    /** Furniture that holds things on it (table) rather than in it (cabinet). */
    final boolean surface;
    final boolean openable;
    /** Dishes and lab glassware: can get dirty. */
    final boolean washable;
    final boolean switchable;

    boolean open;
    boolean dirty;
    boolean hot;
    boolean cold;
    boolean measured;
    boolean weighed;
    boolean on;

    /** Furniture: its room. Portable: the room whose floor it lies on, or null. */
    String room;
    /** Portable: the furniture it is in or on, or null. */
    Thing container;
    boolean held;

    Thing(String name, Kind kind, boolean surface, boolean openable, boolean washable, boolean switchable) {
        this.name = name;
        this.kind = kind;
        this.surface = surface;
        this.openable = openable;
        this.washable = washable;
        this.switchable = switchable;
    }

    boolean portable() {
        return kind == Kind.ITEM || kind == Kind.TOOL || kind == Kind.KEY;
    }

    boolean holdsThings() {
        return kind == Kind.FURNITURE;
    }

    /** The room it is in, or null when held. */
    String roomOf() {
        if (held) {
            return null;
        }
        return container != null ? container.room : room;
    }

    String preposition() {
        return surface ? "on" : "in";
    }

    void moveTo(Thing furniture) {
        held = false;
        room = null;
        container = furniture;
    }

    /** The name with visible states: "dirty mug", "hot potato", "lamp (off)". */
    String label() {
        String text = (dirty ? "dirty " : "") + (hot ? "hot " : cold ? "cold " : "") + name;
        return switchable ? text + (on ? " (on)" : " (off)") : text;
    }
}
