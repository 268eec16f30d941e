package dev.reverb.environments.world;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WorldSessionTest {

    private static StepResult play(WorldSession session, String... actions) {
        StepResult last = null;
        for (String action : actions) {
            last = session.act(action);
            assertThat(last.valid()).as(action + " -> " + last.observation()).isTrue();
        }
        return last;
    }

    @Test
    void should_show_goal_room_furniture_and_doors_when_starting() {
        WorldSession session = Fixture.session(50);

        assertThat(session.observation()).startsWith("Your task is to: put a clean mug in the cabinet")
                .contains("You are in the kitchen.")
                .contains("a cabinet (closed); a sink; a microwave; a table (on it: key, apple)")
                .contains("Doors: hallway door (open), lab door (locked).")
                .contains("You have 50 steps.");
        assertThat(session.currentRoom()).isEqualTo("kitchen");
        assertThat(session.stepsLeft()).isEqualTo(50);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            dance                           | I don't know the verb 'dance'. Known verbs: look, inventory, examine, go to
            ''                              | Please type an action. Known verbs:
            take banana                     | You don't see a banana here. You can see: cabinet, sink, microwave, table, key, apple, hallway door, lab door.
            take mug                        | You don't see a mug here (something may be inside a closed container).
            take table                      | The table is too heavy to carry.
            take apple from cabinet         | The apple is not in the cabinet.
            put apple on table              | You are not holding the apple. Take it first.
            put apple                       | Usage: put <object> in <container> or put <object> on <surface>.
            go to lab                       | The lab door is locked.
            go to attic                     | There is no room called 'attic'. From the kitchen you can go to: hallway, lab.
            go to kitchen                   | You are already in the kitchen.
            open lab door                   | The lab door is locked.
            unlock lab door with key        | You are not holding the key.
            unlock hallway door with key    | The hallway door is not locked.
            open table                      | You can't open the table.
            close cabinet                   | The cabinet is already closed.
            clean apple with sink           | You are not holding the apple. Take it first.
            heat apple with sink            | You can't heat things with the sink. Use the microwave.
            cool apple                      | Usage: cool <object> with fridge.
            measure apple with thermometer  | You don't see a thermometer here.
            measure apple with table        | The table is not a measuring tool.
            turn on apple                   | The apple has no switch.
            """)
    void should_explain_what_is_wrong_when_an_action_is_invalid(String action, String message) {
        WorldSession session = Fixture.session(50);

        StepResult result = session.act(action == null ? "" : action);

        assertThat(result.valid()).isFalse();
        assertThat(result.observation()).contains(message);
        assertThat(result.stepsLeft()).isEqualTo(49);
        assertThat(session.currentRoom()).isEqualTo("kitchen");
    }

    @Test
    void should_reveal_contents_when_opening_a_container_and_hide_them_when_closing_it() {
        WorldSession session = Fixture.session(50);

        assertThat(play(session, "open the cabinet").observation()).isEqualTo("You open the cabinet. In it: dirty mug.");
        assertThat(session.validActions()).contains("take mug from cabinet", "close cabinet");
        play(session, "close cabinet");
        assertThat(session.validActions()).doesNotContain("take mug from cabinet").contains("open cabinet");
    }

    @Test
    void should_change_object_state_when_cleaning_heating_and_measuring() {
        WorldSession session = Fixture.session(50);
        play(session, "open cabinet", "Take the dirty mug from the cabinet.");

        assertThat(play(session, "examine mug").observation()).startsWith("The mug is dirty, at room temperature");
        assertThat(play(session, "clean mug with sink").observation()).contains("It is clean now");
        assertThat(session.act("clean mug with sink").observation()).isEqualTo("The mug is already clean.");
        play(session, "heat mug with microwave");
        assertThat(play(session, "inventory").observation()).isEqualTo("You are holding: hot mug.");
        assertThat(session.progress()).isEqualTo(1 / 4.0);
        StepResult put = play(session, "put mug in cabinet");
        assertThat(put.done()).isFalse();
        assertThat(session.progress()).isEqualTo(2 / 4.0);
        assertThat(session.missing()).containsExactly("the sample is in the fridge in the lab but it is not hot and "
                + "its temperature has not been measured with the thermometer since it last changed");
    }

    @Test
    void should_open_the_locked_door_only_with_the_key_and_reach_the_goal_when_following_the_plan() {
        WorldSession session = Fixture.session(50);
        play(session, "take key from table", "unlock lab door with key");
        assertThat(session.act("go to lab").observation()).isEqualTo("The lab door is closed.");
        StepResult lab = play(session, "open lab door", "go to lab");
        assertThat(lab.observation()).startsWith("You are in the lab.")
                .contains("a fridge (closed); a bench (on it: thermometer, scale)").contains("On the floor: lamp (off).");

        play(session, "open fridge", "take sample", "take thermometer", "use thermometer on sample");
        play(session, "go to kitchen", "heat sample with microwave");
        assertThat(session.missing()).anyMatch(s -> s.contains("its temperature has not been measured"));
        assertThat(play(session, "measure sample with thermometer").observation())
                .isEqualTo("The thermometer reads 78 degrees: the sample is hot.");
        StepResult last = play(session, "open cabinet", "take mug from cabinet", "clean mug with sink",
                "put mug in cabinet");

        assertThat(last.done()).isTrue();
        assertThat(last.observation()).endsWith("Task complete!");
        assertThat(session.progress()).isEqualTo(1.0);
        assertThat(session.missing()).isEmpty();
        assertThat(session.act("look").observation()).isEqualTo("The task is already complete.");
    }

    @Test
    void should_fail_when_the_budget_is_spent() {
        WorldSession session = Fixture.session(3);

        session.act("look");
        session.act("dance");
        StepResult last = session.act("inventory");

        assertThat(last.failed()).isTrue();
        assertThat(last.stepsLeft()).isZero();
        assertThat(last.observation()).endsWith("You have run out of steps.");
        assertThat(session.act("look")).isEqualTo(new StepResult("You have no steps left.", false, false, 0, true));
    }

    @Test
    void should_list_only_valid_actions_when_asked() {
        WorldSession session = Fixture.session(50);

        List<String> actions = session.validActions();

        assertThat(actions).contains("look", "inventory", "go to hallway", "open cabinet", "take key from table",
                "take apple from table", "examine sink").doesNotContain("go to lab", "take mug from cabinet",
                "unlock lab door with key", "close hallway door".replace("close", "open"));
        for (String action : actions) {
            assertThat(Fixture.session(50).act(action).valid()).as(action).isTrue();
        }
    }
}
