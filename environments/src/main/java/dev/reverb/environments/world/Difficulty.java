package dev.reverb.environments.world;

/**
 * How large and tangled a generated world is: rooms, furniture, distractor objects, closed and locked
 * doors, closed containers, and how often a goal has two parts.
 */
public enum Difficulty {
    EASY(2, 3, 2, 5, 0.3, 0.5, 0.0, 0.0),
    MEDIUM(3, 4, 2, 7, 0.5, 0.7, 0.35, 0.4),
    HARD(5, 6, 2, 10, 0.6, 0.8, 0.7, 0.75);

    final int minRooms;
    final int maxRooms;
    final int maxFurniturePerRoom;
    final int items;
    final double closedDoorChance;
    final double closedContainerChance;
    final double lockChance;
    final double twoPartGoalChance;

    Difficulty(int minRooms, int maxRooms, int maxFurniturePerRoom, int items, double closedDoorChance,
               double closedContainerChance, double lockChance, double twoPartGoalChance) {
        this.minRooms = minRooms;
        this.maxRooms = maxRooms;
        this.maxFurniturePerRoom = maxFurniturePerRoom;
        this.items = items;
        this.closedDoorChance = closedDoorChance;
        this.closedContainerChance = closedContainerChance;
        this.lockChance = lockChance;
        this.twoPartGoalChance = twoPartGoalChance;
    }

    /** Reads {@code easy}, {@code medium} or {@code hard}, ignoring case. */
    public static Difficulty parse(String text) {
        return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
