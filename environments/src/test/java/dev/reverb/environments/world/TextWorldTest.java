package dev.reverb.environments.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TextWorldTest {

    private static boolean randomPolicySolves(TextWorld world, long seed) {
        WorldSession session = world.newSession();
        SplittableRandom random = new SplittableRandom(seed);
        while (!session.done() && !session.failed()) {
            List<String> actions = session.validActions();
            session.act(actions.get(random.nextInt(actions.size())));
        }
        return session.done();
    }

    @ParameterizedTest
    @EnumSource(Difficulty.class)
    void should_reach_every_goal_within_the_budget_when_an_explorer_that_does_not_know_the_layout_plays(Difficulty d) {
        for (TextWorld world : TextWorld.generate(2026, 200, d)) {
            WorldSession session = world.newSession();

            boolean solved = new Explorer(session, world.goal()).solve();

            assertThat(solved).as("seed %d: %s, missing %s", world.seed(), world.goal().text(), session.missing())
                    .isTrue();
            assertThat(session.stepsTaken()).isLessThanOrEqualTo(world.budget());
        }
    }

    @ParameterizedTest
    @EnumSource(Difficulty.class)
    void should_reach_every_goal_when_replaying_the_reference_plan(Difficulty d) {
        for (TextWorld world : TextWorld.generate(7, 200, d)) {
            WorldSession session = world.newSession();
            StepResult last = null;
            for (String action : world.referencePlan()) {
                last = session.act(action);
                assertThat(last.valid()).as("seed %d: %s", world.seed(), action).isTrue();
            }
            assertThat(last.done()).as("seed %d", world.seed()).isTrue();
            assertThat(world.budget()).isGreaterThan(world.referencePlan().size());
        }
    }

    @Test
    void should_rarely_reach_the_goal_when_acting_uniformly_at_random_over_valid_actions() {
        for (Difficulty d : Difficulty.values()) {
            List<TextWorld> worlds = TextWorld.generate(99, 100, d);
            long solved = worlds.stream().filter(w -> randomPolicySolves(w, w.seed() ^ 0x5eed)).count();

            // measured: 0 (easy), 1 (medium), 0 (hard) of 100 with these seeds
            assertThat(solved).as("random policy successes on %s", d).isLessThan(10);
        }
    }

    @Test
    void should_give_the_same_worlds_when_the_seed_is_the_same() {
        List<TextWorld> first = TextWorld.generate(42, 30, Difficulty.HARD);
        List<TextWorld> again = TextWorld.generate(42, 30, Difficulty.HARD);

        assertThat(again).isEqualTo(first);
        for (int i = 0; i < first.size(); i++) {
            assertThat(again.get(i).newSession().observation()).isEqualTo(first.get(i).newSession().observation());
            assertThat(again.get(i).newSession().validActions()).isEqualTo(first.get(i).newSession().validActions());
        }
        assertThat(TextWorld.generate(43, 30, Difficulty.HARD)).isNotEqualTo(first);
        assertThat(TextWorld.of(first.get(3).seed(), Difficulty.HARD)).isEqualTo(first.get(3));
    }

    @Test
    void should_vary_goals_rooms_and_obstacles_when_generating_many_worlds() {
        List<TextWorld> worlds = TextWorld.generate(1, 200, Difficulty.HARD);

        assertThat(worlds.stream().map(w -> w.goal().text().replaceAll(" (the|a) \\w+", " X")).distinct().count())
                .isGreaterThan(8);
        assertThat(worlds).anyMatch(w -> w.goal().conditions().size() == 2)
                .anyMatch(w -> w.goal().conditions().size() == 1)
                .anyMatch(w -> w.referencePlan().stream().anyMatch(a -> a.startsWith("unlock ")))
                .anyMatch(w -> w.goal().text().contains("then measure its temperature"))
                .anyMatch(w -> w.goal().text().contains("put a clean"));
        assertThat(worlds.stream().mapToInt(w -> w.referencePlan().size()).average().orElseThrow())
                .isGreaterThan(12);
    }
}
