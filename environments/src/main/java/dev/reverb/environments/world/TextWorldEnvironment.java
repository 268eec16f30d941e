package dev.reverb.environments.world;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.InteractiveEnvironment;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.SettingsSpec;

/**
 * The embodied-agent environment: each task is a generated {@link TextWorld} and its goal. The question
 * holds the goal, the first observation and the action grammar. An output is graded by replaying its
 * actions, one per line, in a fresh session: lines that are not actions ("Thought: ...") are skipped,
 * "Action: x" counts as x. Reward is 1 when the goal is reached within the budget, otherwise the share
 * of sub-goals met (below 1). Protocols that act step by step (ReAct) open a {@link #session(Task)}.
 */
public final class TextWorldEnvironment implements InteractiveEnvironment {

    /** The scenario type {@code textworld}: generated text adventures. */
    public static final EnvironmentDescriptor DESCRIPTOR = new EnvironmentDescriptor("textworld",
            "Generated text adventures, played through actions (react).",
            SettingsSpec.builder()
                    .integer("count", 1, 100_000, 20, "Worlds to generate.")
                    .integer("seed", Long.MIN_VALUE, Long.MAX_VALUE, 0, "Generator seed.")
                    .choice("difficulty", List.of("easy", "medium", "hard"), "medium",
                            "Rooms, locked doors, closed containers and two-part goals.")
                    .build(),
            s -> generate(s.whole("seed"), s.integer("count"), Difficulty.parse(s.text("difficulty"))));

    public static final String TYPE = "textworld";

    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:[-*>]\\s*|\\d+[.):]\\s*)?(?:(?:action|act|command)\\s*\\d*\\s*:\\s*)?(.*)$",
            Pattern.CASE_INSENSITIVE);
    private static final int SHOWN_OBSERVATIONS = 3;

    private final List<Task> tasks;
    private final String source;

    private TextWorldEnvironment(List<Task> tasks, String source) {
        this.tasks = List.copyOf(tasks);
        this.source = source;
    }

    /** {@code count} generated worlds; ids {@code textworld-0001} onward. */
    public static TextWorldEnvironment generate(long seed, int count, Difficulty difficulty) {
        List<TextWorld> worlds = TextWorld.generate(seed, count, difficulty);
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < worlds.size(); i++) {
            tasks.add(task(String.format("%s-%04d", TYPE, i + 1), worlds.get(i)));
        }
        return new TextWorldEnvironment(tasks, TYPE + "(seed=" + seed + ", difficulty="
                + difficulty.name().toLowerCase(Locale.ROOT) + ")");
    }

    /** The task for one world. */
    public static Task task(String id, TextWorld world) {
        String question = "You are an agent in a text world.\n\n" + world.newSession().observation() + "\n\n"
                + TextWorld.GRAMMAR + "\n\nWrite the actions that reach the goal, one per line, e.g. 'Action: look'.";
        return new Task(id, TYPE, question, String.join("\n", world.referencePlan()), world.referencePlan(),
                Map.of("seed", Long.toString(world.seed()), "difficulty", world.difficulty().name(),
                        "budget", Integer.toString(world.budget()), "goal", world.goal().text()));
    }

    /** The world behind a task, rebuilt from its seed and difficulty. */
    public static TextWorld world(Task task) {
        return TextWorld.of(Long.parseLong(task.metadata().get("seed")),
                Difficulty.parse(task.metadata().get("difficulty")));
    }

    /** A fresh episode for a task, for protocols that act one step at a time. */
    @Override
    public WorldSession session(Task task) {
        return world(task).newSession();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Task> tasks() {
        return tasks;
    }

    /**
     * The actions in an output, normalised (lower case, no articles): one per line, "Action: x" read as
     * x, numbering and bullets dropped, lines that do not start with a known verb skipped.
     */
    public static List<String> actions(String output) {
        List<String> actions = new ArrayList<>();
        if (output == null) {
            return actions;
        }
        for (String line : output.split("\\R")) {
            Matcher m = PREFIX.matcher(line);
            String action = WorldSession.normalize(m.matches() ? m.group(1) : line);
            if (!action.isEmpty() && isAction(action)) {
                actions.add(action);
            }
        }
        return actions;
    }

    private static boolean isAction(String action) {
        String first = action.split(" ")[0];
        return WorldSession.VERBS.stream().anyMatch(v -> v.split(" ")[0].equals(first))
                || List.of("get", "pick", "place", "weigh", "switch").contains(first)
                || List.of("i", "l").contains(action) || first.equals("x") && action.length() > 2;
    }

    /** The normalised actions, one per line; empty when the output holds none. */
    @Override
    public Optional<String> extractAnswer(String output) {
        List<String> actions = actions(output);
        return actions.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", actions));
    }

    @Override
    public Verdict verify(Task task, String output) {
        List<String> actions = actions(output);
        if (actions.isEmpty()) {
            return new Verdict(false, 0, "", "No actions found. Write one action per line, e.g. 'Action: look'.");
        }
        WorldSession session = session(task);
        Deque<String> last = new ArrayDeque<>();
        int invalid = 0;
        for (String action : actions) {
            if (session.done() || session.failed()) {
                break;
            }
            StepResult result = session.act(action);
            invalid += result.valid() ? 0 : 1;
            last.addLast("> " + action + "\n" + result.observation());
            if (last.size() > SHOWN_OBSERVATIONS) {
                last.removeFirst();
            }
        }
        String extracted = String.join("\n", actions);
        if (session.done()) {
            return new Verdict(true, 1, extracted, "Goal reached in " + session.stepsTaken() + " of "
                    + session.budget() + " steps.");
        }
        String ending = session.failed() ? "You ran out of steps (budget " + session.budget() + ")."
                : "Your actions ended after " + session.stepsTaken() + " of " + session.budget()
                + " steps without reaching the goal.";
        String feedback = ending + " Still missing: " + String.join("; ", session.missing()) + "."
                + (invalid > 0 ? " " + invalid + " of your actions were invalid." : "")
                + "\nLast observations:\n" + String.join("\n", last);
        return new Verdict(false, Math.min(session.progress(), 0.99), extracted, feedback);
    }

    @Override
    public DatasetReport report() {
        return DatasetReport.clean(source, tasks.size());
    }
}
