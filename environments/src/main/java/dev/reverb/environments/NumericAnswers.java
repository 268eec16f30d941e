package dev.reverb.environments;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a final numeric answer out of free model output and compares answers numerically.
 *
 * <p>The order, first match wins:
 * <ol>
 *   <li>the last {@code \boxed{...}} that holds a number, or an equation or expression with a
 *       value ({@code \boxed{18+2=20}} gives 20);</li>
 *   <li>after the last explicit answer phrase ("the answer is", "answer:", "final answer", or
 *       GSM8K's {@code ####}), the answer as a person reads it: the first equation or expression
 *       on the line, its last {@code =} winning and an expression computed exactly
 *       ("The answer is 18 + 2 = 20." gives 20, "The answer is 5 + 3" gives 8; see
 *       {@link AnswerArithmetic}), else the first number after the phrase;</li>
 *   <li>the last number anywhere in the text, or the value of the equation or expression it ends
 *       ("so he has 12 + 5 apples." gives 17).</li>
 * </ol>
 * A number may carry a sign, thousands separators, a currency sign, a percent sign or a unit
 * word after it, and may be a simple fraction ({@code 3/4}). The result is canonical: no
 * separators, no trailing zeros ({@code "1,200.00"} gives {@code "1200"}); a value without a
 * finite decimal form is written {@code p/q} ({@code 10/3}), and an expression without a value
 * ({@code 5/0}) as its own text, which never grades right. Nothing here throws.
 */
public final class NumericAnswers {

    private static final String NUMBER = "-?(?:\\$\\s?)?-?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:\\s?/\\s?\\d+(?:\\.\\d+)?)?|-?\\.\\d+";
    private static final Pattern NUMBER_PATTERN = Pattern.compile("(?<![\\w.])(" + NUMBER + ")");
    private static final Pattern BOXED = Pattern.compile("\\\\boxed\\s*\\{([^{}]*(?:\\{[^{}]*}[^{}]*)*)}");
    /** An answer phrase; {@link #afterLastPhrase} finds where its last match ends without it. */
    static final Pattern PHRASE = Pattern.compile(
            "(?i)(?:the\\s+)?(?:final\\s+)?answer\\s*(?:is|:|=)|####");
    private static final Pattern FRAC = Pattern.compile("\\\\[dt]?frac\\s*\\{([^{}]+)}\\s*\\{([^{}]+)}");

    private NumericAnswers() {
    }

    /** The final answer in {@code output}, canonical, or empty when the text holds no number. */
    public static Optional<String> extract(String output) {
        if (output == null || output.isBlank()) {
            return Optional.empty();
        }
        String text = output.replace('\u2212', '-').replace("**", "");
        String lastBoxed = null;
        if (text.contains("\\boxed")) { // the pattern's only literal: without it there is no box to scan for
            Matcher boxed = BOXED.matcher(text);
            while (boxed.find()) {
                lastBoxed = boxed.group(1);
            }
        }
        if (lastBoxed != null) {
            Optional<String> read = AnswerArithmetic.whole(lastBoxed).flatMap(NumericAnswers::number);
            if (read.isPresent()) {
                return read;
            }
            Optional<String> inBox = firstNumber(FRAC.matcher(lastBoxed).replaceAll("$1/$2"));
            if (inBox.isPresent()) {
                return inBox;
            }
        }
        int after = afterLastPhrase(text);
        if (after >= 0) {
            String plain = plainInteger(text, after);
            if (plain != null) {
                return Optional.of(plain);
            }
            Optional<String> read = AnswerArithmetic.first(text.substring(after)).flatMap(NumericAnswers::number);
            if (read.isPresent()) {
                return read;
            }
            Optional<String> afterPhrase = firstNumber(text.substring(after));
            if (afterPhrase.isPresent()) {
                return afterPhrase;
            }
        }
        return AnswerArithmetic.last(text).filter(r -> r.value().isPresent()).flatMap(NumericAnswers::number).or(() -> lastNumber(text));
    }

    /**
     * Where the last match of {@link #PHRASE} ends, as {@code Matcher.find} would find them from the
     * left, or -1: scanned by hand (this runs for every answer read). The optional "the" and "final"
     * before "answer" only move where a match starts, never where it ends; {@code (?i)} without
     * {@code UNICODE_CASE} folds ASCII letters only; {@code \s} is {@code [ \t\n\x0B\f\r]}.
     */
    static int afterLastPhrase(String text) {
        int after = -1;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int end = -1;
            if (c == '#') {
                end = text.startsWith("####", i) ? i + 4 : -1;
            } else if ((c | 0x20) == 'a' && asciiIgnoringCase(text, i, "answer")) {
                int j = i + 6;
                while (j < n && space(text.charAt(j))) {
                    j++;
                }
                if (j < n && (text.charAt(j) == ':' || text.charAt(j) == '=')) {
                    end = j + 1;
                } else if (j + 1 < n && (text.charAt(j) | 0x20) == 'i' && (text.charAt(j + 1) | 0x20) == 's') {
                    end = j + 2;
                }
            }
            if (end >= 0) {
                after = end;
                i = end;
            } else {
                i++;
            }
        }
        return after;
    }

    /**
     * The canonical integer when all that follows {@code from} is one blank at most, an integer of up
     * to 18 digits (a minus sign allowed) and a full stop at most ("The answer is 42."), else null: what
     * {@link AnswerArithmetic#first} reads there, without tokens or exact rationals.
     */
    static String plainInteger(String text, int from) {
        int i = from < text.length() && text.charAt(from) == ' ' ? from + 1 : from;
        int end = text.endsWith(".") ? text.length() - 1 : text.length();
        int digits = i < end && text.charAt(i) == '-' ? i + 1 : i;
        if (end - digits < 1 || end - digits > 18) {
            return null;
        }
        for (int k = digits; k < end; k++) {
            if (text.charAt(k) < '0' || text.charAt(k) > '9') {
                return null;
            }
        }
        return Long.toString(Long.parseLong(text.substring(i, end)));
    }

    /** Whether the lower-case ASCII {@code word} is at {@code at}, ASCII letters in either case. */
    static boolean asciiIgnoringCase(String text, int at, String word) {
        if (at + word.length() > text.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if ((text.charAt(at + k) | 0x20) != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** A regex {@code \s} character. */
    private static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    /** Whether two answers are the same number; non-numbers are compared as trimmed text. */
    public static boolean equal(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        Optional<BigDecimal> x = parse(a);
        Optional<BigDecimal> y = parse(b);
        if (x.isPresent() && y.isPresent()) {
            return x.get().compareTo(y.get()) == 0;
        }
        return a.strip().equals(b.strip());
    }

    /** Parses one number token as {@link #extract} understands it. */
    public static Optional<BigDecimal> parse(String token) {
        String t = token.replace("$", "").replace(",", "").replace(" ", "").replace("%", "").strip();
        try {
            int slash = t.indexOf('/');
            if (slash > 0) {
                BigDecimal num = new BigDecimal(t.substring(0, slash));
                BigDecimal den = new BigDecimal(t.substring(slash + 1));
                if (den.signum() == 0) {
                    return Optional.empty();
                }
                return Optional.of(num.divide(den, MathContext.DECIMAL64));
            }
            return Optional.of(new BigDecimal(t));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** The canonical text of a number: no separators, no trailing zeros, no exponent. */
    public static String canonical(BigDecimal value) {
        BigDecimal v = value.stripTrailingZeros();
        return v.signum() == 0 ? "0" : v.toPlainString();
    }

    /**
     * The canonical number of a reading; for an expression that has no value (a division by zero)
     * its own text, which no number equals; empty for a plain number too long to read.
     */
    private static Optional<String> number(AnswerArithmetic.Reading reading) {
        if (reading.value().isPresent()) {
            return Optional.of(reading.value().get().plainText());
        }
        return reading.computed() ? Optional.of(reading.member().replaceAll("\\s+", "")) : Optional.empty();
    }

    private static Optional<String> firstNumber(String text) {
        Matcher m = NUMBER_PATTERN.matcher(text);
        while (m.find()) {
            Optional<BigDecimal> value = parse(m.group(1));
            if (value.isPresent()) {
                return value.map(NumericAnswers::canonical);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> lastNumber(String text) {
        return lastParsed(NUMBER_PATTERN, text, token -> parse(token).map(NumericAnswers::canonical));
    }

    /** The last match of {@code pattern}'s group 1 in {@code text} that {@code parse} accepts. */
    static Optional<String> lastParsed(Pattern pattern, String text, java.util.function.Function<String, Optional<String>> parse) {
        Matcher m = pattern.matcher(text);
        Optional<String> last = Optional.empty();
        while (m.find()) {
            Optional<String> value = parse.apply(m.group(1));
            if (value.isPresent()) {
                last = value;
            }
        }
        return last;
    }
}
