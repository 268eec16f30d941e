package dev.reverb.environments.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A generated interactive text world (a small ALFWorld/ScienceWorld): rooms joined by doors, some
 * closed and one perhaps locked; furniture that opens and closes; objects that get clean, hot, cold,
 * measured or weighed with the sink, microwave, fridge, thermometer and scale; and a goal. The world
 * is defined by its seed and difficulty; each {@link #newSession()} starts it afresh.
 *
 * @param seed          the world's own seed
 * @param difficulty    the generator settings
 * @param goal          what must be achieved
 * @param budget        actions allowed per episode: the reference plan plus room to explore
 * @param referencePlan a checked solution written with full knowledge of the world
 */
public record TextWorld(long seed, Difficulty difficulty, Goal goal, int budget, List<String> referencePlan) {

    /** The action grammar, as shown to agents. */
    public static final String GRAMMAR = """
            Actions (one per line; 'the'/'a' are optional):
              look | inventory | examine <thing> | help
              go to <room>                  (a neighbouring room, through an open door)
              open <thing> | close <thing>  (furniture, or a door named after the room it leads to: open lab door)
              unlock <room> door with key
              take <object> [from <furniture>] | put <object> in/on <furniture> | drop <object>
              clean <object> with sink | heat <object> with microwave | cool <object> with fridge (open it first)
              measure <object> with thermometer | measure <object> with scale   (hold the tool;
                                            also: use <tool> on <object>); heating or cooling resets a measurement
              turn on <thing> | turn off <thing>
            Every action, valid or not, uses one step.""";

    public TextWorld {
        Objects.requireNonNull(difficulty, "difficulty");
        Objects.requireNonNull(goal, "goal");
        referencePlan = List.copyOf(referencePlan);
        if (budget < referencePlan.size()) {
            throw new IllegalArgumentException("budget " + budget + " is shorter than the reference plan");
        }
    }

    /** {@code count} worlds whose own seeds are drawn from {@code seed}. */
    public static List<TextWorld> generate(long seed, int count, Difficulty difficulty) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<TextWorld> worlds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            worlds.add(of(random.nextLong(), difficulty));
        }
        return worlds;
    }

    /** The world with this seed and difficulty. */
    public static TextWorld of(long seed, Difficulty difficulty) {
        WorldState world = WorldGenerator.generate(seed, difficulty);
        int allowance = WorldGenerator.explorationAllowance(world);
        Goal goal = world.goal;
        List<String> plan = ReferencePlanner.plan(world);
        return new TextWorld(seed, difficulty, goal, plan.size() + allowance, plan);
    }

    /** A fresh episode in this world, with the full budget. */
    public WorldSession newSession() {
        return new WorldSession(WorldGenerator.generate(seed, difficulty), budget);
    }
}
