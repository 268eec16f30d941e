package dev.reverb.environments;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The comparison behind {@link MathAnswers#equivalent}: normalised answers are the same when
 * their text is equal, when they are the same exact {@link Rational} (an arithmetic expression
 * such as {@code 2^{10}} counts as its value), or when they are tuples,
 * intervals or unions with the same brackets and pairwise equivalent elements; and, for questions
 * that ask for all solutions, when they hold the same set of elements.
 */
final class MathEquivalence {

    private static final int MAX_LENGTH = 20_000;
    private static final int MAX_DEPTH = 32;

    private static final Pattern UNORDERED_WORDING = Pattern.compile("(?i)separated\\s+by\\s+(?:a\\s+)?commas?"
            + "|comma[-\\s]separated|(?:enter|list|find|give)\\s+all\\b|all\\s+(?:of\\s+)?(?:the\\s+)?(?:possible\\s+)?"
            + "(?:real\\s+|integer\\s+|complex\\s+|positive\\s+|negative\\s+|distinct\\s+)?(?:solutions|values|roots|zeros|zeroes)\\b");
    private static final Pattern ORDERED_WORDING = Pattern.compile(
            "(?i)in\\s+(?:increasing|decreasing|ascending|descending|numerical|the\\s+same|that)?\\s*order");

    private MathEquivalence() {
    }

    /** Whether a question asks for an unordered list (see {@link MathAnswers#asksForUnorderedList}). */
    static boolean asksForUnorderedList(String question) {
        // every match of UNORDERED_WORDING holds "comma" or "all": without either, no regex runs (graded per answer)
        if (!containsIgnoringCase(question, "comma") && !containsIgnoringCase(question, "all")) {
            return false;
        }
        return UNORDERED_WORDING.matcher(question).find() && !ORDERED_WORDING.matcher(question).find();
    }

    /** Whether {@code text} holds the lower-case {@code word}, ASCII letters in either case (as {@code (?i)} matches). */
    private static boolean containsIgnoringCase(String text, String word) {
        for (int i = 0, last = text.length() - word.length(); i <= last; i++) {
            if (NumericAnswers.asciiIgnoringCase(text, i, word)) {
                return true;
            }
        }
        return false;
    }

    /** Whether both answers hold the same non-empty set of equivalent top-level elements. */
    static boolean sameSets(String reference, String answer) {
        List<String> expected = elements(reference);
        List<String> given = elements(answer);
        return !expected.isEmpty() && !given.isEmpty() && covers(expected, given) && covers(given, expected);
    }

    private static List<String> elements(String answer) {
        String s = MathAnswers.normalize(answer);
        if (s.startsWith("\\{") && s.endsWith("\\}") && s.length() > 4) {
            s = s.substring(2, s.length() - 2);
        }
        List<String> parts = splitTopLevel(s, ",");
        if (parts.size() > MAX_LENGTH / 10 || parts.stream().anyMatch(String::isBlank)) {
            return List.of();
        }
        return parts;
    }

    /** Whether every element of {@code a} is equivalent to some element of {@code b}. */
    private static boolean covers(List<String> a, List<String> b) {
        for (String x : a) {
            String nx = MathAnswers.normalize(x, 1);
            if (b.stream().noneMatch(y -> equivalentNormalized(nx, MathAnswers.normalize(y, 1), 1))) {
                return false;
            }
        }
        return true;
    }

    /** The value of an arithmetic expression such as {@code 2^{10}} or {@code \frac{1}{2}\cdot3}; empty for anything else. */
    private static Optional<Rational> evaluated(String s) {
        return AnswerArithmetic.whole(s).filter(AnswerArithmetic.Reading::computed).flatMap(AnswerArithmetic.Reading::value);
    }

    static boolean equivalentNormalized(String a, String b, int depth) {
        if (a.isEmpty() || b.isEmpty() || depth > MAX_DEPTH) {
            return false;
        }
        if (a.equals(b)) {
            return true;
        }
        Optional<Rational> x = Rational.parse(a).or(() -> evaluated(a));
        Optional<Rational> y = Rational.parse(b).or(() -> evaluated(b));
        if (x.isPresent() || y.isPresent()) {
            return x.isPresent() && y.isPresent() && x.get().equals(y.get());
        }
        List<String> unionA = splitTopLevel(a, "\\cup");
        List<String> unionB = splitTopLevel(b, "\\cup");
        if (unionA.size() > 1 || unionB.size() > 1) {
            return unionA.size() == unionB.size() && pairwise(unionA, unionB, depth);
        }
        Optional<Group> ga = Group.of(a);
        Optional<Group> gb = Group.of(b);
        if (ga.isPresent() && gb.isPresent()) {
            Group p = ga.get();
            Group q = gb.get();
            return p.open() == q.open() && p.close() == q.close()
                    && p.elements().size() == q.elements().size() && pairwise(p.elements(), q.elements(), depth);
        }
        return false;
    }

    private static boolean pairwise(List<String> a, List<String> b, int depth) {
        for (int i = 0; i < a.size(); i++) {
            if (!equivalentNormalized(MathAnswers.normalize(a.get(i), depth + 1), MathAnswers.normalize(b.get(i), depth + 1), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    /** Splits at {@code separator} outside any brackets; a bare separator at either end gives an empty part. */
    private static List<String> splitTopLevel(String s, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (depth == 0 && s.startsWith(separator, i)) {
                parts.add(s.substring(start, i));
                i += separator.length() - 1;
                start = i + 1;
                continue;
            }
            if (c == '\\') {
                i++;
            } else if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth--;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /**
     * A tuple, interval or bare list: {@code open} and {@code close} are the brackets ({@code ' '}
     * for a bare list of two or more elements), {@code elements} the comma-separated parts.
     */
    private record Group(char open, char close, List<String> elements) {

        static Optional<Group> of(String s) {
            char first = s.charAt(0);
            char last = s.charAt(s.length() - 1);
            if ((first == '(' || first == '[') && (last == ')' || last == ']') && closesAtEnd(s)) {
                List<String> parts = splitTopLevel(s.substring(1, s.length() - 1), ",");
                return Optional.of(new Group(first, last, parts));
            }
            List<String> parts = splitTopLevel(s, ",");
            if (parts.size() > 1) {
                return Optional.of(new Group(' ', ' ', parts));
            }
            return Optional.empty();
        }

        /** Whether the bracket opened by the first character closes at the last one and not before. */
        private static boolean closesAtEnd(String s) {
            return MathAnswers.closing(s, 0, "{([", "})]") == s.length() - 1;
        }
    }
}
