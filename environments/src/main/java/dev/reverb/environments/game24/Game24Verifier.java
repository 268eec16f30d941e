package dev.reverb.environments.game24;

import dev.reverb.environments.Verdict;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a Game of 24 expression out of a model's output and checks it exactly: each puzzle number
 * used exactly once (no other numbers), only {@code + - * /} and parentheses, value exactly 24 in
 * rational arithmetic.
 *
 * <p>Where the expression is read from: the last line that starts with {@code Answer:} (also
 * {@code Final answer:}, {@code **Answer:**}, or a line containing {@code the answer is}); when there
 * is none, the last line that is nothing but arithmetic, optionally followed by {@code = 24}. Within
 * that text the first run of arithmetic containing an operator is the expression, so a trailing
 * {@code = 24}, a chain {@code = 3 * 8 = 24} and words around it are dropped.
 */
public final class Game24Verifier {

    private static final Pattern ANSWER_LINE = Pattern.compile(
            "^\\W*(?:final\\s+)?answer\\W*?[:：]\\s*(.*)$|^.*\\bthe\\s+(?:final\\s+)?answer\\s+is\\s*:?\\s*(.*)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ARITHMETIC_RUN = Pattern.compile("[0-9.+\\-*/()\\s]+");
    private static final Pattern ONLY_ARITHMETIC = Pattern.compile(
            "[\\s>#*-]*((?:[0-9.+\\-*/()\\s])+?)(?:=\\s*24(?:\\.0+)?)?[\\s.!]*");

    private Game24Verifier() {
    }

    /** The text of the expression as written in the output (see the class comment), or empty. */
    public static Optional<String> find(String output) {
        if (output == null || output.isBlank()) {
            return Optional.empty();
        }
        String[] lines = output.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            Matcher m = ANSWER_LINE.matcher(Tokens.normalize(lines[i]).strip());
            if (m.matches()) {
                String rest = (m.group(1) != null ? m.group(1) : m.group(2)).strip();
                if (rest.isEmpty() && i + 1 < lines.length) {
                    rest = nextNonBlank(lines, i + 1);
                }
                return Optional.of(expressionIn(rest));
            }
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = Tokens.normalize(lines[i]).strip();
            Matcher m = ONLY_ARITHMETIC.matcher(line);
            if (m.matches() && looksLikeArithmetic(m.group(1))) {
                return Optional.of(m.group(1).strip());
            }
        }
        return Optional.empty();
    }

    /** The expression in the output, normalised ({@code (11 + 1) * (1 + 1)}), or empty when none can be read. */
    public static Optional<String> extract(String output) {
        return find(output).flatMap(text -> {
            try {
                return Optional.of(Game24Expression.parse(text).text());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /** Grades an output against the four puzzle numbers. Never throws on malformed output. */
    public static Verdict verify(List<Integer> puzzle, String output) {
        String numbers = puzzle.stream().map(String::valueOf).collect(Collectors.joining(" "));
        String rule = "Use each of " + numbers + " exactly once with + - * / and parentheses, and end with a line "
                + "'Answer: <expression> = 24'.";
        Optional<String> found = find(output);
        if (found.isEmpty() || found.get().isBlank()) {
            return new Verdict(false, 0, "", "Could not read an expression. " + rule);
        }
        Game24Expression expression;
        try {
            expression = Game24Expression.parse(found.get());
        } catch (IllegalArgumentException e) {
            return new Verdict(false, 0, found.get(),
                    "Could not read an expression from '" + found.get() + "': " + e.getMessage() + ". " + rule);
        }
        List<String> problems = new ArrayList<>(usageProblems(puzzle, expression.numbers()));
        if (expression.value().isEmpty()) {
            problems.add("divides by zero (division by zero is undefined)");
        } else if (!expression.isTwentyFour()) {
            problems.add("evaluates to " + expression.value().get() + ", not 24");
        }
        if (problems.isEmpty()) {
            return new Verdict(true, 1, expression.text(), "Correct: " + expression.text() + " = 24.");
        }
        return new Verdict(false, 0, expression.text(),
                "Your expression " + expression.text() + " " + String.join("; it ", problems) + ". " + rule);
    }

    /** What is wrong with the numbers used, e.g. {@code uses 8 twice but the puzzle has one 8}; empty when nothing. */
    static List<String> usageProblems(List<Integer> puzzle, List<Fraction> used) {
        Map<Fraction, Integer> want = new TreeMap<>();
        puzzle.forEach(n -> want.merge(Fraction.of(n), 1, Integer::sum));
        Map<Fraction, Integer> have = new TreeMap<>();
        used.forEach(n -> have.merge(n, 1, Integer::sum));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Fraction, Integer> e : have.entrySet()) {
            int p = want.getOrDefault(e.getKey(), 0);
            int u = e.getValue();
            if (p == 0) {
                problems.add("uses " + written(e.getKey()) + (u == 1 ? "" : " " + times(u))
                        + ", which is not one of the numbers");
            } else if (u > p) {
                problems.add("uses " + written(e.getKey()) + " " + times(u) + " but the puzzle has " + count(p, e.getKey()));
            }
        }
        for (Map.Entry<Fraction, Integer> e : want.entrySet()) {
            int p = e.getValue();
            int u = have.getOrDefault(e.getKey(), 0);
            if (u == 0) {
                problems.add("does not use " + written(e.getKey()) + (p == 1 ? "" : " (the puzzle has " + count(p, e.getKey()) + ")"));
            } else if (u < p) {
                problems.add("uses " + written(e.getKey()) + " only " + times(u) + " but the puzzle has " + count(p, e.getKey()));
            }
        }
        return problems;
    }

    private static String times(int n) {
        return n == 1 ? "once" : n == 2 ? "twice" : (n <= 4 ? List.of("three", "four").get(n - 3) : n) + " times";
    }

    /** A number as it is written in an expression: {@code 8}, or {@code 1.5} rather than {@code 3/2}. */
    private static String written(Fraction n) {
        if (n.isInteger()) {
            return n.toString();
        }
        try {
            return new BigDecimal(n.numerator()).divide(new BigDecimal(n.denominator())).toPlainString();
        } catch (ArithmeticException e) {
            return n.toString();
        }
    }

    private static String count(int n, Fraction value) {
        String word = n <= 4 ? List.of("no", "one", "two", "three", "four").get(n) : String.valueOf(n);
        return word + " " + written(value) + (n == 1 ? "" : "s");
    }

    private static String nextNonBlank(String[] lines, int from) {
        for (int i = from; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                return Tokens.normalize(lines[i]).strip();
            }
        }
        return "";
    }

    /** The first run of arithmetic with an operator in it (else the first with a digit), or the text itself. */
    private static String expressionIn(String text) {
        String withDigit = null;
        Matcher m = ARITHMETIC_RUN.matcher(text);
        while (m.find()) {
            String run = m.group().replaceAll("^[\\s)]+|[\\s(.]+$", "");
            if (!run.matches(".*\\d.*")) {
                continue;
            }
            if (run.matches(".*\\d.*[+\\-*/].*\\d.*")) {
                return run;
            }
            if (withDigit == null) {
                withDigit = run;
            }
        }
        return withDigit != null ? withDigit : text;
    }

    private static boolean looksLikeArithmetic(String text) {
        return text.matches(".*\\d.*[+\\-*/].*\\d.*");
    }
}
