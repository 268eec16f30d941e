package dev.reverb.environments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A seeded generator of multi-step arithmetic word problems with known answers and a worked
 * step-by-step solution, so demos and tests need no dataset. Every intermediate value is a
 * positive integer; the same seed gives the same problems.
 */
public final class ArithmeticProblems {

    private static final String[] NAMES = {"Mia", "Noah", "Ava", "Liam", "Zoe", "Omar", "Lena", "Ravi", "Sara", "Tom"};
    private static final boolean[] SHE = {true, false, true, false, true, false, true, false, true, false};
    private static final String[] ITEMS = {"stickers", "marbles", "apples", "stamps", "cookies", "shells", "pencils",
        "beads", "cards", "coins"};
    private static final String[] FRIENDS = {"a friend", "a cousin", "a neighbour", "a teammate", "a classmate"};
    private static final int[] PERCENTS = {10, 20, 25, 50, 75};
    private static final String[] TIMES = {"", "", "twice", "three times", "four times"};
    private static final int LIMIT = 5_000;

    private ArithmeticProblems() {
    }

    /**
     * Generates {@code count} problems with {@code minSteps..maxSteps} operations each; ids are
     * {@code arith-0001} onward.
     */
    public static List<Task> generate(long seed, int count, int minSteps, int maxSteps) {
        if (count < 0 || minSteps < 1 || maxSteps < minSteps) {
            throw new IllegalArgumentException("need count >= 0 and 1 <= min-steps <= max-steps");
        }
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom[] randoms = new SplittableRandom[count];
        for (int i = 0; i < count; i++) {
            randoms[i] = random.split(); // in order: problem i depends on the seed and i only
        }
        IntStream indexes = IntStream.range(0, count);
        if (count >= PARALLEL_FROM) {
            indexes = indexes.parallel(); // a run of 100,000 problems plans them on every core
        }
        return new ArrayList<>(indexes.mapToObj(i -> problem(randoms[i], id(i + 1), minSteps, maxSteps)).toList());
    }

    /** Problems generated at once from which the work is spread over the cores. */
    private static final int PARALLEL_FROM = 4096;

    /** {@code arith-0007}: the number zero-padded to four digits (as {@code %04d}, without a formatter per task). */
    static String id(int i) {
        String digits = Integer.toString(i);
        return digits.length() >= 4 ? "arith-" + digits : "arith-" + "0000".substring(digits.length()) + digits;
    }

    private static Task problem(SplittableRandom r, String id, int minSteps, int maxSteps) {
        int who = r.nextInt(NAMES.length);
        String name = NAMES[who];
        String pronoun = SHE[who] ? "She" : "He";
        String poss = SHE[who] ? "her" : "his";
        String items = ITEMS[r.nextInt(ITEMS.length)];
        int value = 10 + r.nextInt(60);
        StringBuilder question = new StringBuilder(256).append(name).append(" has ").append(value).append(' ')
                .append(items).append('.');
        List<String> steps = new ArrayList<>();
        int wanted = minSteps + r.nextInt(maxSteps - minSteps + 1);
        while (steps.size() < wanted) {
            int next;
            switch (r.nextInt(5)) {
                case 0 -> {
                    int packs = 2 + r.nextInt(5);
                    int each = 3 + r.nextInt(10);
                    int bought = packs * each;
                    next = value + bought;
                    question.append(' ').append(pronoun).append(" buys ").append(packs).append(" packs with ")
                            .append(each).append(' ').append(items).append(" in each.");
                    steps.add(step().append(name).append(" buys ").append(packs).append(" packs of ").append(each)
                            .append(": ").append(packs).append(" * ").append(each).append(" = ").append(bought)
                            .append(", so ").append(value).append(" + ").append(bought).append(" = ").append(next)
                            .append('.').toString());
                }
                case 1 -> {
                    if (value < 6) {
                        continue;
                    }
                    int given = 2 + r.nextInt(value / 2 - 1);
                    next = value - given;
                    question.append(' ').append(pronoun).append(" gives ").append(given).append(' ').append(items)
                            .append(" to ").append(FRIENDS[r.nextInt(FRIENDS.length)]).append('.');
                    steps.add(step().append(name).append(" gives away ").append(given).append(": ").append(value)
                            .append(" - ").append(given).append(" = ").append(next).append('.').toString());
                }
                case 2 -> {
                    int piles = divisor(r, value);
                    if (piles == 0) {
                        continue;
                    }
                    next = value / piles;
                    question.append(' ').append(pronoun).append(" splits ").append(poss).append(' ').append(items)
                            .append(" into ").append(piles).append(" equal piles and keeps only one pile.");
                    steps.add(step().append(name).append(" keeps one of ").append(piles).append(" equal piles: ")
                            .append(value).append(" / ").append(piles).append(" = ").append(next).append('.')
                            .toString());
                }
                case 3 -> {
                    int times = 2 + r.nextInt(3);
                    next = value * times;
                    if (next > LIMIT) {
                        continue;
                    }
                    question.append(' ').append("A relative gives ").append(name).append(" enough ").append(items)
                            .append(" to make ").append(poss).append(" collection ").append(TIMES[times])
                            .append(" as large.");
                    steps.add(step().append("The collection becomes ").append(times).append(" times as large: ")
                            .append(value).append(" * ").append(times).append(" = ").append(next).append('.')
                            .toString());
                }
                default -> {
                    int percent = PERCENTS[r.nextInt(PERCENTS.length)];
                    if (value * percent % 100 != 0 || value * percent / 100 >= value) {
                        continue;
                    }
                    int sold = value * percent / 100;
                    next = value - sold;
                    question.append(' ').append(pronoun).append(" sells ").append(percent).append("% of ")
                            .append(poss).append(' ').append(items).append('.');
                    steps.add(step().append(name).append(" sells ").append(percent).append("% of ").append(value)
                            .append(": ").append(value).append(" * ").append(percent).append(" / 100 = ").append(sold)
                            .append(", so ").append(value).append(" - ").append(sold).append(" = ").append(next)
                            .append('.').toString());
                }
            }
            value = next;
        }
        question.append(" How many ").append(items).append(" does ").append(name).append(" have now?");
        return new Task(id, "arithmetic", question.toString(), Integer.toString(value), steps,
                Map.of("steps", Integer.toString(steps.size())));
    }

    /**
     * A step's sentence is built by plain appends onto this. A string concatenation per step compiles
     * into a tree of method handles, and joining boxed parts inlines a generic append at every step:
     * either made this generator one of the JIT compiler's largest jobs while a large run starts.
     */
    private static StringBuilder step() {
        return new StringBuilder(96);
    }

    /** A divisor of {@code value} between 2 and 6, or 0 when it has none. */
    private static int divisor(SplittableRandom r, int value) {
        int start = 2 + r.nextInt(5);
        for (int k = 0; k < 5; k++) {
            int d = 2 + (start - 2 + k) % 5;
            if (value % d == 0 && value / d >= 2) {
                return d;
            }
        }
        return 0;
    }
}
