package dev.reverb.environments;

import dev.reverb.environments.AnswerTokens.Kind;
import dev.reverb.environments.AnswerTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads an answer as a person reads it: a chain of arithmetic expressions joined by {@code =}
 * ("18 + 2 = 20 apples", "x = 5", "3 × 4 apples = 12", "$\frac{1}{2} + \frac{1}{4}$") gives the
 * value of its LAST member, computed exactly over rationals ({@code + - × · * / ÷}, integer
 * powers {@code 2^{10}}, brackets,
 * {@code \frac}, unary signs, {@code 2(3+4)}, mixed numbers {@code 1\frac{1}{2}}). Currency
 * signs and unit words around numbers are ignored; a percent sign is kept as the number it
 * follows ({@code 50%} is 50), is a hundredth in a product ("25% of 80" and {@code 10% * 200} are
 * 20; "of" between numbers is a product), and a percent in a sum is not read at all.
 *
 * <p>A chain is read only when it ends as a sentence would: at the end of the text, a stop
 * ({@code . ; ! ? :}), a comma followed by a word, a bracket closing an outer remark, or unit
 * words and prose after a blank. So {@code 2x + 3}, {@code 1, -2}, {@code (1, 2)} and
 * {@code \sqrt{2}} are not arithmetic here, and callers fall back to reading them as text.
 * Nothing here throws.
 */
final class AnswerArithmetic {

    /**
     * One reading.
     *
     * @param value    the exact value of the last member; empty when it is undefined (division by
     *                 zero) or too large to compute
     * @param member   the source text of the last member (labels and trailing units left out)
     * @param computed whether arithmetic was done: the chain has an {@code =} or the last member an operator
     * @param decimal  whether the last member writes a decimal point
     * @param end      the index in the text just after the last member
     */
    record Reading(Optional<Rational> value, String member, boolean computed, boolean decimal, int end) {
    }

    private static final int MAX_TOKENS = 300;
    private static final int MAX_TEXT = 4_000;
    private static final int MAX_LABEL_WORDS = 3;
    private static final int MAX_UNIT_WORDS = 2;
    private static final Set<String> CONNECTIVES = Set.of("and", "or", "but", "because", "since", "so", "then",
            "thus", "hence", "while", "if", "when", "not", "which", "where", "is", "was", "are", "gives", "makes");

    private AnswerArithmetic() {
    }

    /** The chain that makes up all of {@code text} (a box's content), trailing units and stops allowed. */
    static Optional<Reading> whole(String text) {
        return guarded(text, tokens -> chain(text, tokens, 0, true));
    }

    /**
     * The first chain on the first line of {@code text} that starts at the beginning, after a word
     * or after a stop ("The answer is therefore 18 + 2 = 20." reads 20; the {@code 2} of {@code x^2}
     * never starts one).
     */
    static Optional<Reading> first(String text) {
        return guarded(text, tokens -> {
            boolean seen = false;
            for (int k = 0; k < tokens.size() && !tokens.get(k).is(Kind.END); k++) {
                Token token = tokens.get(k);
                boolean newline = token.is(Kind.STOP) && text.charAt(token.start()) == '\n';
                if (newline && seen) {
                    break;
                }
                seen |= !token.is(Kind.STOP);
                if (canStart(text, tokens, k)) {
                    Optional<Reading> reading = chain(text, tokens, k, false);
                    if (reading.isPresent()) {
                        return reading;
                    }
                }
            }
            return Optional.empty();
        });
    }

    /**
     * The chain that ends the last line of {@code text} holding a digit and takes in its last
     * number, started as late as possible ("so he has 12 + 5 apples." reads 17, "Then 12 + 5 = 17."
     * reads 17); empty when the last number is not the end of such a chain.
     */
    static Optional<Reading> last(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String line = lastLineWithDigit(text);
        String tail = line.length() > MAX_TEXT ? line.substring(line.length() - MAX_TEXT) : line;
        return guarded(tail, tokens -> {
            int lastNumber = -1;
            for (Token token : tokens) {
                if (token.is(Kind.NUM)) {
                    lastNumber = token.end();
                }
            }
            int covered = lastNumber;
            for (int k = tokens.size() - 1; k >= 0 && covered >= 0; k--) {
                if (tokens.get(k).start() < covered && canStart(tail, tokens, k)) {
                    Optional<Reading> reading = chain(tail, tokens, k, false).filter(r -> r.end() >= covered);
                    if (reading.isPresent()) {
                        return reading;
                    }
                }
            }
            return Optional.empty();
        });
    }

    private static String lastLineWithDigit(String text) {
        int end = text.length();
        while (end > 0) {
            int start = text.lastIndexOf('\n', end - 1) + 1;
            String line = text.substring(start, end);
            if (line.chars().anyMatch(Character::isDigit)) {
                return line;
            }
            end = start - 1;
        }
        return "";
    }

    /**
     * Whether a chain may start at token {@code k}: at the start, after a stop, or after a word and a
     * blank; with a number, a bracket, {@code \frac} or a label word, and with a minus sign only
     * after a stop or a word longer than a variable (so {@code x - 3} and {@code 2x + 3} never start one).
     */
    private static boolean canStart(String text, List<Token> tokens, int k) {
        Token token = tokens.get(k);
        Token before = k == 0 ? null : tokens.get(k - 1);
        boolean after = before == null || before.is(Kind.STOP) || (before.is(Kind.WORD) && token.spaceBefore());
        if (!after) {
            return false;
        }
        return switch (token.kind()) {
            case NUM, OPEN, FRAC, WORD, EQ -> true;
            case MINUS -> before == null || before.is(Kind.STOP) || before.end() - before.start() > 1;
            default -> false;
        };
    }

    private static Optional<Reading> guarded(String text, Function<List<Token>, Optional<Reading>> read) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            String t = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
            return read.apply(AnswerTokens.of(t, MAX_TOKENS));
        } catch (RuntimeException | StackOverflowError e) {
            return Optional.empty();
        }
    }

    private static Optional<Reading> chain(String text, List<Token> t, int from, boolean whole) {
        int i = from;
        while (t.get(i).is(Kind.EQ) || (t.get(i).is(Kind.STOP) && text.charAt(t.get(i).start()) == ':')) {
            i++;
        }
        int members = 0;
        while (true) {
            int w = words(t, i);
            if (w > i && t.get(w).is(Kind.EQ)) {
                if (w - i > MAX_LABEL_WORDS) {
                    return Optional.empty();
                }
                i = w + 1;
                continue;
            }
            List<Token> expression = new ArrayList<>();
            i = expression(text, t, i, expression);
            if (i < 0 || expression.isEmpty()) {
                return Optional.empty();
            }
            members++;
            w = words(t, i);
            if (t.get(w).is(Kind.EQ) && (w == i || unitWords(text, t, i, w))) {
                i = w + 1;
                continue;
            }
            if (!endsCleanly(text, t, i, w, whole)) {
                return Optional.empty();
            }
            return evaluate(text, expression, members > 1);
        }
    }

    /** Collects the expression tokens from {@code i} (unit words between operands left out); the index after them, or -1. */
    private static int expression(String text, List<Token> t, int from, List<Token> out) {
        int i = from;
        int depth = 0;
        while (true) {
            Token k = t.get(i);
            switch (k.kind()) {
                case NUM, PLUS, MINUS, TIMES, DIVIDE, POW, FRAC, PERCENT -> {
                    out.add(k);
                    i++;
                }
                case OPEN -> {
                    if (depth == 0 && k.spaceBefore() && !out.isEmpty() && operand(out.get(out.size() - 1))) {
                        return i; // "20 (18 + 2)": a remark after the answer, not a product
                    }
                    depth++;
                    out.add(k);
                    i++;
                }
                case CLOSE -> {
                    if (depth == 0) {
                        return i;
                    }
                    depth--;
                    out.add(k);
                    i++;
                }
                case WORD -> {
                    if (of(text, k) && !out.isEmpty() && operand(out.get(out.size() - 1)) && startsOperand(t.get(i + 1))) {
                        out.add(new Token(Kind.TIMES, k.start(), k.end(), k.spaceBefore())); // "25% of 80", "1/2 of 10"
                        i++;
                        continue;
                    }
                    int w = words(t, i);
                    Kind after = t.get(w).kind();
                    boolean operatorNext = after == Kind.PLUS || after == Kind.MINUS || after == Kind.TIMES
                            || after == Kind.DIVIDE || (after == Kind.CLOSE && depth > 0);
                    if (!out.isEmpty() && operand(out.get(out.size() - 1)) && k.spaceBefore() && operatorNext
                            && w - i <= MAX_UNIT_WORDS) {
                        i = w;
                    } else if (depth == 0 && k.spaceBefore() && out.size() > 1 && dash(out.get(out.size() - 1))) {
                        out.remove(out.size() - 1);
                        return i - 1; // "18 - no wait": a dash before prose, not a subtraction
                    } else {
                        return depth == 0 ? i : -1;
                    }
                }
                default -> {
                    return depth == 0 ? i : -1;
                }
            }
        }
    }

    private static boolean of(String text, Token word) {
        return word.end() - word.start() == 2 && text.regionMatches(true, word.start(), "of", 0, 2);
    }

    private static boolean startsOperand(Token token) {
        return token.is(Kind.NUM) || token.is(Kind.OPEN) || token.is(Kind.FRAC);
    }

    private static boolean dash(Token token) {
        return token.is(Kind.MINUS) && token.spaceBefore();
    }

    private static boolean operand(Token token) {
        return token.is(Kind.NUM) || token.is(Kind.CLOSE) || token.is(Kind.PERCENT);
    }

    private static int words(List<Token> t, int i) {
        int w = i;
        while (t.get(w).is(Kind.WORD)) {
            w++;
        }
        return w;
    }

    /** Whether the words {@code [i, w)} read as a unit before an {@code =} ("3 × 4 apples = 12"), not as prose. */
    private static boolean unitWords(String text, List<Token> t, int i, int w) {
        if (w - i > MAX_UNIT_WORDS || !t.get(i).spaceBefore()) {
            return false;
        }
        for (int k = i; k < w; k++) {
            Token word = t.get(k);
            if (CONNECTIVES.contains(text.substring(word.start(), word.end()).toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    private static boolean endsCleanly(String text, List<Token> t, int i, int w, boolean whole) {
        if (w > i && !t.get(i).spaceBefore()) {
            return false;
        }
        if (whole) {
            int k = w;
            while (t.get(k).is(Kind.STOP) && text.charAt(t.get(k).start()) != '\n') {
                k++;
            }
            return t.get(k).is(Kind.END);
        }
        if (w > i) {
            return true;
        }
        Token next = t.get(i);
        return switch (next.kind()) {
            case END, STOP, CLOSE -> true;
            case COMMA -> t.get(i + 1).is(Kind.WORD) && t.get(i + 1).spaceBefore();
            case OPEN -> next.spaceBefore();
            case MINUS -> dash(next) && t.get(i + 1).is(Kind.WORD) && t.get(i + 1).spaceBefore();
            default -> false;
        };
    }

    private static Optional<Reading> evaluate(String text, List<Token> expression, boolean chained) {
        Token last = expression.get(expression.size() - 1);
        String member = text.substring(expression.get(0).start(), last.end()).strip();
        boolean decimal = expression.stream().anyMatch(k -> k.is(Kind.NUM) && text.substring(k.start(), k.end()).contains("."));
        Optional<AnswerParser.Result> parsed = AnswerParser.parse(text, expression);
        if (parsed.isEmpty() || (parsed.get().percent() && parsed.get().operations() > 0)) {
            return Optional.empty();
        }
        boolean computed = chained || parsed.get().operations() > 0;
        return Optional.of(new Reading(parsed.get().value(), member, computed, decimal, last.end()));
    }
}
