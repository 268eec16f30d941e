package dev.reverb.environments.world;

/** A door between two rooms; seen from one room it is called after the other, e.g. "lab door". */
final class Door {
    final String a;
    final String b;
    boolean open;
    boolean locked;

    Door(String a, String b) {
        this.a = a;
        this.b = b;
    }

    boolean connects(String room) {
        return a.equals(room) || b.equals(room);
    }

    String other(String room) {
        return a.equals(room) ? b : a;
    }
}
