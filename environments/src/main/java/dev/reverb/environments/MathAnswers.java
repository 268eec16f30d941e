package dev.reverb.environments;

import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and compares answers of MATH-style tasks (LaTeX answers such as {@code \frac{1}{2}},
 * {@code (3, \frac{\pi}{2})} or {@code 10\text{ cm}}), so GSM8K and MATH-format datasets can share
 * one checker.
 *
 * <ul>
 *   <li>{@link #boxed} gives the content of the last {@code \boxed{...}} / {@code \fbox{...}},
 *       nested braces balanced, or of the brace-less {@code \boxed 5} form;</li>
 *   <li>{@link #normalize} applies the simple LaTeX normalisation of the MATH benchmark's
 *       {@code is_equiv} (Hendrycks et al., 2021): no {@code $}, {@code \left}/{@code \right},
 *       spacing commands, spaces, degrees, percent signs or trailing {@code \text{}} units;
 *       {@code \dfrac}/{@code \tfrac} become {@code \frac}; {@code \frac12} and {@code \sqrt2}
 *       get their braces; a leading {@code x =} goes; {@code 1,200} becomes {@code 1200} and
 *       {@code 3/4} becomes {@code \frac{3}{4}}; decimals stay as written;</li>
 *   <li>{@link #equivalent} says whether two answers are the same: equal normalised text, equal
 *       exact rationals (integers, decimals, {@code a/b}, {@code \frac{a}{b}}, signed forms and mixed
 *       numbers such as {@code 1\frac{1}{2}}, compared with {@link BigInteger} arithmetic, never
 *       through {@code double}), or tuples, intervals and unions with the same brackets and
 *       pairwise equivalent elements; with {@code unordered} (a question asking for all solutions,
 *       {@link #asksForUnorderedList}) the same set of top-level elements, in any order;</li>
 *   <li>{@link #extract} reads the answer of a model output: the last box, else the answer after
 *       the last explicit answer phrase, else the last number, as {@link NumericAnswers} does; an
 *       equation or expression there is read as a person reads it, as its value
 *       ({@code \boxed{18+2=20}} and "The answer is 18 + 2 = 20." give 20, see {@link AnswerArithmetic}).</li>
 * </ul>
 * Nothing here throws: odd input gives an empty answer, an empty string or {@code false}.
 */
public final class MathAnswers {

    private static final int MAX_LENGTH = 20_000;
    private static final int MAX_DEPTH = 32;

    private static final Pattern BOX_COMMAND = Pattern.compile("\\\\(?:boxed|fbox)(?![a-zA-Z])");
    private static final Pattern LEFT_RIGHT_NULL = Pattern.compile("\\\\(?:left|right)\\s*\\.");
    private static final Pattern LEFT_RIGHT = Pattern.compile("\\\\(?:left|right|[Bb]igg?[lr]?)(?![a-zA-Z])");
    private static final Pattern SPACING = Pattern.compile("(?<!\\\\)\\\\[!,;: ]|~");
    private static final Pattern DFRAC = Pattern.compile("\\\\[dt]frac(?![a-zA-Z])");
    private static final Pattern DEGREES = Pattern.compile(
            "\\^\\s*\\{\\s*\\\\circ\\s*}|\\^\\s*\\\\circ(?![a-zA-Z])|\u00b0|\\\\degree(?![a-zA-Z])");
    private static final Pattern DEGREE_WORD = Pattern.compile("(?i)\\s*degrees?\\s*\\.?\\s*$");
    private static final Pattern TRAILING_UNIT = Pattern.compile(
            "\\\\(?:text|textrm|mbox)\\s*\\{[^{}]*}(?:\\s*\\^\\s*(?:\\{\\s*\\d\\s*}|\\d))?\\s*\\.?\\s*$");
    private static final Pattern TEXT_WRAPPER = Pattern.compile("\\\\(?:text|textrm|textbf|mbox|mathrm)\\s*\\{([^{}]*)}");
    private static final Pattern PERCENT = Pattern.compile("\\\\?%");
    private static final Pattern VARIABLE_PREFIX = Pattern.compile(
            "^\\s*(?:[a-zA-Z]|\\\\[a-zA-Z]+)(?:_\\{?[a-zA-Z0-9]+}?)?\\s*=\\s*(.*)$", Pattern.DOTALL);
    private static final Pattern SQRT = Pattern.compile("\\\\sqrt\\s*(\\\\[a-zA-Z]+|[^\\s{\\[\\\\])");
    private static final Pattern SINGLE_EXPONENT = Pattern.compile("\\^\\{(.)}");
    private static final Pattern THOUSANDS = Pattern.compile("^[-+]?\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?$");
    private static final Pattern INT_SLASH = Pattern.compile("^([-+]?)(\\d+)/(\\d+)$");

    private MathAnswers() {
    }

    /**
     * The content of the last {@code \boxed{...}} or {@code \fbox{...}} in {@code text}, braces
     * balanced (escaped braces, a backslash before the brace, do not count), or of the last {@code \boxed 5}
     * form (the token after the space, up to whitespace or {@code $}). A box nested in a box counts
     * as part of its outer box, and a box that holds only another box is unwrapped. Boxes that never
     * close or hold only blanks are skipped. Empty when there is no such box.
     */
    public static Optional<String> boxed(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        try {
            String last = null;
            Matcher command = BOX_COMMAND.matcher(text);
            int from = 0;
            while (from < text.length() && command.find(from)) {
                int i = command.end();
                while (i < text.length() && text.charAt(i) == ' ') {
                    i++;
                }
                from = command.end();
                if (i < text.length() && text.charAt(i) == '{') {
                    int close = matchingBrace(text, i);
                    if (close < 0) {
                        continue;
                    }
                    String content = text.substring(i + 1, close).strip();
                    if (!content.isEmpty()) {
                        last = content;
                    }
                    from = close + 1;
                } else if (i > command.end()) {
                    int end = i;
                    while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
                        end++;
                    }
                    if (end > i) {
                        last = text.substring(i, end);
                        from = end;
                    }
                }
            }
            if (last == null) {
                return Optional.empty();
            }
            return Optional.of(unwrapBox(last, 0));
        } catch (RuntimeException | StackOverflowError e) {
            return Optional.empty();
        }
    }

    /**
     * The MATH benchmark's simple normal form of an answer (see the class comment); an empty string
     * for {@code null}. Two answers with equal normal forms are {@link #equivalent}.
     */
    public static String normalize(String answer) {
        if (answer == null) {
            return "";
        }
        try {
            return normalize(answer, 0);
        } catch (RuntimeException | StackOverflowError e) {
            return answer.strip();
        }
    }

    /**
     * Whether two answers are the same: equal {@linkplain #normalize normal forms}, the same exact
     * rational number, or tuples, intervals or unions with the same brackets and pairwise equivalent
     * elements. False when either side is {@code null}, blank, or only garbage.
     */
    public static boolean equivalent(String a, String b) {
        if (a == null || b == null || a.length() > MAX_LENGTH || b.length() > MAX_LENGTH) {
            return false;
        }
        try {
            return MathEquivalence.equivalentNormalized(normalize(a), normalize(b), 0);
        } catch (RuntimeException | StackOverflowError e) {
            return false;
        }
    }

    /**
     * Whether {@code answer} gives the {@code reference}; when {@code unordered} (the question asks for
     * all solutions, see {@link #asksForUnorderedList}) both are read as sets of their top-level
     * comma-separated elements (an outer {@code \{...\}} allowed), so {@code 1,-2} equals
     * {@code -2, 1} and duplicates do not count, while each element keeps its own brackets and
     * order: {@code (1,2)} is still not {@code (2,1)}, and an interval is one element.
     */
    public static boolean equivalent(String reference, String answer, boolean unordered) {
        if (!unordered) {
            return equivalent(reference, answer);
        }
        if (reference == null || answer == null || reference.length() > MAX_LENGTH || answer.length() > MAX_LENGTH) {
            return false;
        }
        try {
            return MathEquivalence.sameSets(reference, answer);
        } catch (RuntimeException | StackOverflowError e) {
            return false;
        }
    }

    /**
     * Whether a question asks for an unordered list of answers: "separated by commas", "enter all
     * the solutions", "list all", "all possible values", "find all roots"..., unless it asks for
     * them in order ("in increasing order").
     */
    public static boolean asksForUnorderedList(String question) {
        if (question == null || question.length() > MAX_LENGTH) {
            return false;
        }
        return MathEquivalence.asksForUnorderedList(question);
    }

    /**
     * The normalised answer of a model output on a MATH-style task, first match wins:
     * <ol>
     *   <li>the last {@link #boxed box}: the value of an equation or expression in it
     *       ({@code \boxed{18+2=20}} gives 20, {@code \boxed{3 \times 4}} gives 12), else its normal form;</li>
     *   <li>what follows the last explicit answer phrase ("The answer is", "Final answer:",
     *       {@code ####}) on its line: the value of an equation (last {@code =} wins) or an
     *       expression, computed exactly; else a plain number (with separators, currency or unit
     *       words) in {@link NumericAnswers}' canonical form, else the first {@code $...$},
     *       {@code \(...\)} or {@code \[...\]} span (an equation in it read as its value), else
     *       the first number or equation after a word, else the text up to the end of the sentence;</li>
     *   <li>the last number in the text, or the value of the expression it ends.</li>
     * </ol>
     * Plain numbers come back canonical ({@code "1,200.00"} gives {@code "1200"}, {@code 3/4} gives
     * {@code \frac{3}{4}}); computed values as integers, decimals when the expression writes one,
     * else {@code \frac{p}{q}}; an expression without a value ({@code 5/0}) as its text;
     * everything else as {@link #normalize} writes it. Empty when nothing is found.
     */
    public static Optional<String> extract(String output) {
        if (output == null || output.isBlank()) {
            return Optional.empty();
        }
        return MathExtraction.extract(output);
    }

    // ---------------------------------------------------------------- normalisation

    static String normalize(String answer, int depth) {
        if (answer.length() > MAX_LENGTH) {
            return answer.strip();
        }
        String plain = answer.strip();
        if (plainNumber(plain)) { // the usual answer: every step below leaves it as it is
            return plain;
        }
        String s = answer.strip().replace('\u2212', '-').replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
        s = unwrapBox(s, 0);
        s = s.replace("\\$", "").replace("$", "");
        s = s.replace("\\displaystyle", "");
        s = LEFT_RIGHT_NULL.matcher(s).replaceAll("");
        s = LEFT_RIGHT.matcher(s).replaceAll("");
        s = SPACING.matcher(s).replaceAll(" ");
        s = DFRAC.matcher(s).replaceAll("\\\\frac");
        s = s.replace("{,}", ",");
        s = DEGREES.matcher(s).replaceAll("");
        s = s.strip();
        for (int i = 0; i < 4; i++) {
            Matcher unit = TRAILING_UNIT.matcher(s);
            if (unit.find() && !s.substring(0, unit.start()).isBlank()) {
                s = s.substring(0, unit.start()).strip();
            } else {
                break;
            }
        }
        Matcher degreeWord = DEGREE_WORD.matcher(s);
        if (degreeWord.find() && degreeWord.start() > 0 && !s.substring(0, degreeWord.start()).isBlank()) {
            s = s.substring(0, degreeWord.start());
        }
        s = PERCENT.matcher(s).replaceAll("");
        for (int i = 0; i < 8; i++) {
            String unwrapped = TEXT_WRAPPER.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
            if (unwrapped.equals(s)) {
                break;
            }
            s = unwrapped;
        }
        s = s.strip();
        Matcher variable = VARIABLE_PREFIX.matcher(s);
        if (variable.matches() && !variable.group(1).contains("=") && !variable.group(1).isBlank()) {
            s = variable.group(1);
        }
        s = SQRT.matcher(s).replaceAll(m -> Matcher.quoteReplacement("\\sqrt{" + m.group(1) + "}"));
        s = s.replaceAll("\\s+", "");
        s = fixFracs(s, 0);
        s = SINGLE_EXPONENT.matcher(s).replaceAll(m -> Matcher.quoteReplacement("^" + m.group(1)));
        while (s.length() > 1 && s.endsWith(".") && !s.endsWith("\\.")) {
            s = s.substring(0, s.length() - 1);
        }
        s = stripOuterBraces(s);
        if (s.startsWith(".")) {
            s = "0" + s;
        } else if (s.startsWith("-.") || s.startsWith("+.")) {
            s = s.charAt(0) + "0" + s.substring(1);
        }
        s = s.replace("{.", "{0.");
        if (s.startsWith("+") && s.length() > 1) {
            s = s.substring(1);
        }
        if (THOUSANDS.matcher(s).matches()) {
            s = s.replace(",", "");
        }
        Matcher slash = INT_SLASH.matcher(s);
        if (slash.matches()) {
            s = slash.group(1) + "\\frac{" + slash.group(2) + "}{" + slash.group(3) + "}";
        }
        return s;
    }

    /** An optional minus, digits, and optionally a point and more digits: what {@link #normalize} keeps as written. */
    static boolean plainNumber(String s) {
        int n = s.length();
        int i = n > 0 && s.charAt(0) == '-' ? 1 : 0;
        int digits = i;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == digits) {
            return false;
        }
        if (i < n && s.charAt(i) == '.') {
            int fraction = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == fraction) {
                return false;
            }
        }
        return i == n;
    }

    private static String unwrapBox(String s, int depth) {
        String t = s.strip();
        Matcher command = BOX_COMMAND.matcher(t);
        if (depth < MAX_DEPTH && command.lookingAt()) {
            int i = command.end();
            while (i < t.length() && t.charAt(i) == ' ') {
                i++;
            }
            if (i < t.length() && t.charAt(i) == '{' && matchingBrace(t, i) == t.length() - 1) {
                return unwrapBox(t.substring(i + 1, t.length() - 1), depth + 1);
            }
        }
        return t;
    }

    /** Gives {@code \frac12}, {@code \frac1{2}}, {@code \frac\pi2} their braces, also nested. */
    private static String fixFracs(String s, int depth) {
        if (depth > MAX_DEPTH || !s.contains("\\frac")) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("\\frac", i)) {
                out.append("\\frac");
                i += 5;
                for (int arg = 0; arg < 2 && i < s.length(); arg++) {
                    char c = s.charAt(i);
                    if (c == '{') {
                        int close = matchingBrace(s, i);
                        if (close < 0) {
                            out.append(s, i, s.length());
                            return out.toString();
                        }
                        out.append('{').append(fixFracs(s.substring(i + 1, close), depth + 1)).append('}');
                        i = close + 1;
                    } else if (c == '\\') {
                        int end = i + 1;
                        while (end < s.length() && Character.isLetter(s.charAt(end))) {
                            end++;
                        }
                        if (end == i + 1) {
                            break;
                        }
                        out.append('{').append(s, i, end).append('}');
                        i = end;
                    } else if (c == '}' || c == ')' || c == ']' || c == ',') {
                        break;
                    } else {
                        out.append('{').append(c).append('}');
                        i++;
                    }
                }
            } else {
                out.append(s.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    private static String stripOuterBraces(String s) {
        String t = s;
        for (int i = 0; i < MAX_DEPTH && t.length() >= 2 && t.charAt(0) == '{' && matchingBrace(t, 0) == t.length() - 1; i++) {
            t = t.substring(1, t.length() - 1);
        }
        return t;
    }

    /** The index of the brace closing the one at {@code open} (escaped braces do not count), or -1. */
    static int matchingBrace(String s, int open) {
        return closing(s, open, "{", "}");
    }

    /**
     * The index of the bracket closing the one at {@code open}, or -1: a character of {@code opens}
     * goes one level deeper, one of {@code closes} one level back, and a backslash escapes the
     * character after it.
     */
    static int closing(String s, int open, String opens, String closes) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (opens.indexOf(c) >= 0) {
                depth++;
            } else if (closes.indexOf(c) >= 0) {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
