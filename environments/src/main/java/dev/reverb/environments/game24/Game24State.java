package dev.reverb.environments.game24;

import dev.reverb.environments.game24.Tokens.Kind;
import dev.reverb.environments.game24.Tokens.Token;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A position in a step-wise Game of 24, as search protocols (Tree of Thoughts, PRM-guided search)
 * use it: the numbers still left, in ascending order, and the steps taken so far. A step combines
 * two of the numbers left with one operation, e.g. {@code 4 * 6 = 24 (left: 1 1 24)}; the game is
 * solved when a single number, exactly 24, is left.
 *
 * @param numbers the numbers left, sorted ascending
 * @param steps   the steps that led here, first step first
 */
public record Game24State(List<Fraction> numbers, List<Step> steps) {

    /**
     * One step: {@code left operator right = result}, and the numbers left after it.
     *
     * @param remaining the numbers left after this step, sorted ascending
     */
    public record Step(Fraction left, Operator operator, Fraction right, Fraction result, List<Fraction> remaining) {
        public Step {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(operator, "operator");
            Objects.requireNonNull(right, "right");
            Objects.requireNonNull(result, "result");
            if (!operator.apply(left, right).equals(Optional.of(result))) {
                throw new IllegalArgumentException(left + " " + operator + " " + right + " is not " + result);
            }
            remaining = remaining.stream().sorted().toList();
        }

        /** {@code 4 * 6 = 24}. */
        public String equation() {
            return left + " " + operator + " " + right + " = " + result;
        }

        /** {@code 4 * 6 = 24 (left: 1 1 24)}, the form Tree of Thoughts uses. */
        public String text() {
            return equation() + " (left: " + join(remaining) + ")";
        }

        @Override
        public String toString() {
            return text();
        }
    }

    /**
     * The outcome of {@link #parseStep}: either a step that may be applied, or why the proposal was rejected.
     *
     * @param step  the step when it is valid, else null
     * @param error what is wrong with the proposal, fit to show the model, else null
     */
    public record StepCheck(Step step, String error) {
        public StepCheck {
            if ((step == null) == (error == null)) {
                throw new IllegalArgumentException("exactly one of step and error must be set");
            }
        }

        static StepCheck accepted(Step step) {
            return new StepCheck(step, null);
        }

        static StepCheck rejected(String error) {
            return new StepCheck(null, error);
        }

        public boolean valid() {
            return step != null;
        }
    }

    private static final String EXAMPLE = "write one step as 'a op b = c', e.g. '4 * 6 = 24'";
    private static final Pattern PREFIX = Pattern.compile(
            "^\\s*(?:step\\s*\\d+\\s*[:.)]|\\d+\\s*[.)](?=\\s)|[-*•>]+(?=\\s))\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern LEFT = Pattern.compile(
            "\\(\\s*(?:numbers\\s+)?(?:left|remaining)\\s*:?\\s*([^)]*)\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern WRITTEN_NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:/\\d+)?");

    public Game24State {
        numbers = numbers.stream().map(Objects::requireNonNull).sorted().toList();
        steps = List.copyOf(steps);
    }

    /** The starting position for a puzzle. */
    public static Game24State start(List<Integer> numbers) {
        return new Game24State(numbers.stream().map(Fraction::of).toList(), List.of());
    }

    /**
     * Every step possible from here: each pair of numbers left with {@code +} and {@code *} once and
     * {@code -} and {@code /} in both orders, skipping division by zero and steps that read the same.
     */
    public List<Step> expansions() {
        Map<List<Object>, Step> out = new LinkedHashMap<>();
        for (int i = 0; i < numbers.size(); i++) {
            for (int j = i + 1; j < numbers.size(); j++) {
                Fraction a = numbers.get(i);
                Fraction b = numbers.get(j);
                add(out, i, j, a, Operator.PLUS, b);
                add(out, j, i, b, Operator.MINUS, a);
                add(out, i, j, a, Operator.MINUS, b);
                add(out, i, j, a, Operator.TIMES, b);
                add(out, j, i, b, Operator.DIVIDE, a);
                add(out, i, j, a, Operator.DIVIDE, b);
            }
        }
        return List.copyOf(out.values());
    }

    private void add(Map<List<Object>, Step> out, int i, int j, Fraction a, Operator op, Fraction b) {
        // the numbers left follow from (a, op, b), so equal keys are equal steps
        List<Object> key = List.of(a, op, b);
        if (!out.containsKey(key)) {
            op.apply(a, b).ifPresent(result -> out.put(key, new Step(a, op, b, result, remainingAfter(i, j, result))));
        }
    }

    private List<Fraction> remainingAfter(int i, int j, Fraction result) {
        List<Fraction> rest = new ArrayList<>();
        for (int k = 0; k < numbers.size(); k++) {
            if (k != i && k != j) {
                rest.add(numbers.get(k));
            }
        }
        rest.add(result);
        return rest;
    }

    /**
     * The position after {@code step}.
     *
     * @throws IllegalArgumentException when the step's operands are not among the numbers left, or its
     *                                  numbers left do not follow from this position
     */
    public Game24State apply(Step step) {
        List<Fraction> rest = new ArrayList<>(numbers);
        if (!rest.remove(step.left()) || !rest.remove(step.right())) {
            throw new IllegalArgumentException("the step " + step.equation() + " uses numbers that are not left: "
                    + join(numbers));
        }
        rest.add(step.result());
        if (!rest.stream().sorted().toList().equals(step.remaining())) {
            throw new IllegalArgumentException("the step " + step.text() + " does not follow from " + join(numbers));
        }
        return next(step);
    }

    private Game24State next(Step step) {
        List<Step> path = new ArrayList<>(steps);
        path.add(step);
        return new Game24State(step.remaining(), path);
    }

    /** One number left, and it is exactly 24. */
    public boolean isSolved() {
        return numbers.size() == 1 && numbers.get(0).equals(Fraction.TWENTY_FOUR);
    }

    /** One number left: no step is possible any more. */
    public boolean isFinished() {
        return numbers.size() <= 1;
    }

    /** The numbers left as text: {@code 1 1 24}. */
    public String numbersText() {
        return join(numbers);
    }

    /**
     * The steps taken, written as one expression of the starting numbers, e.g. {@code (11 + 1) * (1 + 1)};
     * empty unless exactly one number is left.
     */
    public Optional<String> expression() {
        if (numbers.size() != 1) {
            return Optional.empty();
        }
        List<Fraction> start = new ArrayList<>(numbers);
        for (int k = steps.size() - 1; k >= 0; k--) {
            Step step = steps.get(k);
            start.remove(step.result());
            start.add(step.left());
            start.add(step.right());
        }
        List<Term> terms = new ArrayList<>(start.stream().map(n -> new Term(n, n.toString(), 3)).toList());
        for (Step step : steps) {
            Term a = take(terms, step.left());
            Term b = take(terms, step.right());
            terms.add(Term.combine(a, step.operator(), b, step.result()));
        }
        return Optional.of(terms.get(0).text());
    }

    /** A sub-expression with its value and how tightly it binds (3 number, 2 product, 1 sum). */
    private record Term(Fraction value, String text, int precedence) {
        static Term combine(Term a, Operator op, Term b, Fraction value) {
            String left = a.precedence < op.precedence() ? "(" + a.text + ")" : a.text;
            boolean wrapRight = b.precedence < op.precedence() || (b.precedence == op.precedence() && !op.commutative());
            String right = wrapRight ? "(" + b.text + ")" : b.text;
            return new Term(value, left + " " + op + " " + right, op.precedence());
        }
    }

    private static Term take(List<Term> terms, Fraction value) {
        for (int i = 0; i < terms.size(); i++) {
            if (terms.get(i).value().equals(value)) {
                return terms.remove(i);
            }
        }
        throw new IllegalStateException("the steps do not fit together at " + value);
    }

    /** Whether some sequence of steps from {@code numbers} reaches exactly 24 (exhaustive search). */
    public static boolean solvable(List<Integer> numbers) {
        return solve(numbers).isPresent();
    }

    /** A solved position reached from {@code numbers} by exhaustive search, or empty when there is none. */
    public static Optional<Game24State> solve(List<Integer> numbers) {
        return search(start(numbers), new HashSet<>());
    }

    private static Optional<Game24State> search(Game24State state, Set<List<Fraction>> failed) {
        if (state.isSolved()) {
            return Optional.of(state);
        }
        if (state.isFinished() || failed.contains(state.numbers())) {
            return Optional.empty();
        }
        for (Step step : state.expansions()) {
            Optional<Game24State> found = search(state.next(step), failed);
            if (found.isPresent()) {
                return found;
            }
        }
        failed.add(state.numbers());
        return Optional.empty();
    }

    /**
     * Checks a step a model proposed, such as {@code 4 * 6 = 24}, {@code Step 2: 3 − 8/3 = 1/3} or
     * {@code 4 x 6 = 24 (left: 1 1 24)}: the two operands must be among the numbers left, the result
     * must be right (a decimal result such as {@code 2.67} is accepted when it is the exact value
     * rounded or cut to the digits written), and a {@code (left: ...)} list, when given, must be right.
     * Never throws on malformed text.
     */
    public static StepCheck parseStep(Game24State state, String text) {
        if (text == null || text.isBlank()) {
            return StepCheck.rejected("the step is empty; " + EXAMPLE);
        }
        if (state.isFinished()) {
            return StepCheck.rejected("no step is possible: only " + state.numbersText() + " is left");
        }
        String s = PREFIX.matcher(Tokens.normalize(text.strip())).replaceFirst("");
        String claimedLeft = null;
        Matcher left = LEFT.matcher(s);
        if (left.find()) {
            claimedLeft = left.group(1);
            s = s.substring(0, left.start()) + s.substring(left.end());
        }
        s = s.strip().replaceAll("[.,;]+$", "");
        String[] sides = s.split("=", -1);
        if (sides.length != 2) {
            return StepCheck.rejected("could not read '" + text.strip() + "' as a step; " + EXAMPLE);
        }
        List<Token> lhs;
        Optional<Written> result;
        try {
            lhs = Tokens.tokenize(sides[0]);
            result = operand(Tokens.tokenize(sides[1]));
        } catch (IllegalArgumentException e) {
            return StepCheck.rejected("could not read '" + text.strip() + "' as a step (" + e.getMessage() + "); " + EXAMPLE);
        }
        if (result.isEmpty()) {
            return StepCheck.rejected("the result '" + sides[1].strip() + "' is not a single number; " + EXAMPLE);
        }
        String firstError = null;
        boolean anySplit = false;
        for (int k = 1; k < lhs.size() - 1; k++) {
            if (!lhs.get(k).is(Kind.OPERATOR)) {
                continue;
            }
            Optional<Written> a = operand(lhs.subList(0, k));
            Optional<Written> b = operand(lhs.subList(k + 1, lhs.size()));
            if (a.isEmpty() || b.isEmpty()) {
                continue;
            }
            anySplit = true;
            Operator op = lhs.get(k).operator();
            List<Fraction> rest = new ArrayList<>(state.numbers());
            Optional<Fraction> x = takeMatching(rest, a.get());
            Optional<Fraction> y = x.isPresent() ? takeMatching(rest, b.get()) : Optional.empty();
            if (x.isEmpty() || y.isEmpty()) {
                if (firstError == null) {
                    firstError = unavailable(state, a.get(), b.get(), x.isEmpty());
                }
                continue;
            }
            Optional<Fraction> exact = op.apply(x.get(), y.get());
            if (exact.isEmpty()) {
                return StepCheck.rejected(x.get() + " " + op + " " + y.get() + " divides by zero");
            }
            if (!result.get().matches(exact.get())) {
                return StepCheck.rejected(x.get() + " " + op + " " + y.get() + " is " + exact.get()
                        + ", not " + result.get().text());
            }
            rest.add(exact.get());
            Step step = new Step(x.get(), op, y.get(), exact.get(), rest);
            if (claimedLeft != null) {
                Optional<String> wrong = checkLeft(step, claimedLeft);
                if (wrong.isPresent()) {
                    return StepCheck.rejected(wrong.get());
                }
            }
            return StepCheck.accepted(step);
        }
        if (!anySplit) {
            return StepCheck.rejected("'" + sides[0].strip() + "' is not one operation on two numbers; " + EXAMPLE);
        }
        return StepCheck.rejected(firstError);
    }

    /** A number as a model wrote it: integer, decimal, fraction {@code a/b}, possibly negative. */
    private record Written(Fraction value, int decimals, String text) {
        boolean matches(Fraction exact) {
            if (value.equals(exact)) {
                return true;
            }
            Fraction tolerance = new Fraction(BigInteger.ONE, BigInteger.TEN.pow(decimals));
            return decimals > 0 && value.distanceTo(exact).compareTo(tolerance) <= 0;
        }

        static Optional<Written> parse(String text) {
            if (!WRITTEN_NUMBER.matcher(text).matches()) {
                return Optional.empty();
            }
            try {
                return operand(Tokens.tokenize(text));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    /** A single number: {@code 7}, {@code -7}, {@code 2.67}, {@code 8/3}, {@code (-8/3)}; else empty. */
    private static Optional<Written> operand(List<Token> tokens) {
        List<Token> t = tokens;
        while (t.size() >= 2 && t.get(0).is(Kind.OPEN) && t.get(t.size() - 1).is(Kind.CLOSE)) {
            t = t.subList(1, t.size() - 1);
        }
        boolean negative = !t.isEmpty() && t.get(0).isOperator(Operator.MINUS);
        if (negative) {
            t = t.subList(1, t.size());
        }
        Written w;
        if (t.size() == 1 && t.get(0).is(Kind.NUMBER)) {
            w = new Written(t.get(0).value(), t.get(0).decimals(), t.get(0).text());
        } else if (t.size() == 3 && t.get(0).is(Kind.NUMBER) && t.get(1).isOperator(Operator.DIVIDE)
                && t.get(2).is(Kind.NUMBER) && t.get(0).decimals() == 0 && t.get(2).decimals() == 0
                && !t.get(2).value().isZero()) {
            w = new Written(t.get(0).value().dividedBy(t.get(2).value()), 0, t.get(0).text() + "/" + t.get(2).text());
        } else {
            return Optional.empty();
        }
        return Optional.of(negative ? new Written(w.value().negate(), w.decimals(), "-" + w.text()) : w);
    }

    /** Removes and returns the number left that {@code w} stands for, preferring an exact match. */
    private static Optional<Fraction> takeMatching(List<Fraction> rest, Written w) {
        int index = rest.indexOf(w.value());
        if (index < 0) {
            for (int i = 0; i < rest.size() && index < 0; i++) {
                if (w.matches(rest.get(i))) {
                    index = i;
                }
            }
        }
        return index < 0 ? Optional.empty() : Optional.of(rest.remove(index));
    }

    private static String unavailable(Game24State state, Written a, Written b, boolean firstMissing) {
        String left = " (numbers left: " + state.numbersText() + ")";
        if (firstMissing) {
            return a.text() + " is not among the numbers left" + left;
        }
        if (b.value().equals(a.value()) || b.matches(a.value())) {
            return "uses " + b.text() + " twice but only one " + b.text() + " is left" + left;
        }
        return b.text() + " is not among the numbers left" + left;
    }

    private static Optional<String> checkLeft(Step step, String claimed) {
        String cleaned = claimed.strip().replaceAll("\\s*/\\s*", "/");
        List<Written> written = new ArrayList<>();
        if (!cleaned.isEmpty()) {
            for (String item : cleaned.split("[\\s,]+")) {
                Optional<Written> w = Written.parse(item);
                if (w.isEmpty()) {
                    return Optional.of("could not read the numbers left '" + claimed.strip() + "'; after "
                            + step.equation() + " they are " + join(step.remaining()));
                }
                written.add(w.get());
            }
        }
        written.sort((x, y) -> x.value().compareTo(y.value()));
        boolean same = written.size() == step.remaining().size();
        for (int i = 0; same && i < written.size(); i++) {
            same = written.get(i).matches(step.remaining().get(i));
        }
        return same ? Optional.empty() : Optional.of("after " + step.equation() + " the numbers left are "
                + join(step.remaining()) + ", not " + written.stream().map(Written::text).collect(Collectors.joining(" ")));
    }

    private static String join(List<Fraction> numbers) {
        return numbers.stream().map(Fraction::toString).collect(Collectors.joining(" "));
    }

    @Override
    public String toString() {
        return numbersText() + (steps.isEmpty() ? "" : " after " + steps.stream().map(Step::equation)
                .collect(Collectors.joining("; ")));
    }
}
