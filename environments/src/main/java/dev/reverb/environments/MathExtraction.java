package dev.reverb.environments;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the answer of a model output on a MATH-style task (see {@link MathAnswers#extract}): the
 * last box, else what follows the last answer phrase, else the last number, an equation or
 * expression in any of them read as its value through {@link AnswerArithmetic}.
 */
final class MathExtraction {

    private static final Pattern PHRASE = Pattern.compile(
            "(?i)(?:the\\s+)?(?:final\\s+)?answer\\s*(?:is|:|=)|####");
    private static final String NUMBER =
            "[-+]?(?:\\\\?\\$\\s?)?[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:\\s?/\\s?\\d+(?:\\.\\d+)?)?|[-+]?\\.\\d+";
    private static final Pattern NUMBER_IN_TEXT = Pattern.compile("(?<![\\w.])(" + NUMBER + ")");
    private static final Pattern LEADING_NUMBER = Pattern.compile(
            "^(" + NUMBER + ")\\s*(?:\\\\?%)?(?=\\s*$|\\s*[.;!?](?:\\s|$)|\\s*,\\s+[A-Za-z]|\\s+[A-Za-z])");
    private static final Pattern MATH_SPAN = Pattern.compile(
            "\\$\\$(.+?)\\$\\$|\\$(.+?)\\$|\\\\\\((.+?)\\\\\\)|\\\\\\[(.+?)\\\\]");

    private MathExtraction() {
    }

    static Optional<String> extract(String output) {
        try {
            String text = output.replace('\u2212', '-').replace("**", "");
            Optional<String> box = MathAnswers.boxed(text).map(MathExtraction::readBox).filter(s -> !s.isEmpty());
            if (box.isPresent()) {
                return box;
            }
            Optional<String> afterPhrase = afterPhrase(text);
            if (afterPhrase.isPresent()) {
                return afterPhrase;
            }
            return AnswerArithmetic.last(text)
                    .filter(r -> r.computed() && r.value().isPresent()).map(MathExtraction::latex)
                    .or(() -> lastNumber(text));
        } catch (RuntimeException | StackOverflowError e) {
            return Optional.empty();
        }
    }

    private static Optional<String> afterPhrase(String text) {
        Matcher phrase = PHRASE.matcher(text);
        int after = -1;
        while (phrase.find()) {
            after = phrase.end();
        }
        if (after < 0) {
            return Optional.empty();
        }
        String rest = text.substring(after);
        String segment = "";
        for (String line : rest.split("\n", -1)) {
            if (!line.isBlank()) {
                segment = line;
                break;
            }
        }
        segment = segment.strip();
        while (!segment.isEmpty() && (segment.charAt(0) == ':' || segment.charAt(0) == '=')) {
            segment = segment.substring(1).strip();
        }
        if (segment.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> computed = AnswerArithmetic.first(segment).filter(AnswerArithmetic.Reading::computed)
                .map(MathExtraction::latex);
        if (computed.isPresent()) {
            return computed;
        }
        Matcher number = LEADING_NUMBER.matcher(segment);
        if (number.find()) {
            Optional<String> plain = plainNumber(number.group(1));
            if (plain.isPresent()) {
                return plain;
            }
        }
        Matcher span = MATH_SPAN.matcher(segment);
        if (span.find()) {
            for (int g = 1; g <= 4; g++) {
                if (span.group(g) != null) {
                    String inSpan = readBox(span.group(g));
                    if (!inSpan.isEmpty()) {
                        return Optional.of(inSpan);
                    }
                }
            }
        }
        Optional<String> worded = AnswerArithmetic.first(segment).map(MathExtraction::latex);
        if (worded.isPresent()) {
            return worded;
        }
        int sentenceEnd = sentenceEnd(segment);
        String answer = MathAnswers.normalize(segment.substring(0, sentenceEnd));
        return answer.isEmpty() ? Optional.empty() : Optional.of(answer);
    }

    /** A box's (or math span's) answer: the value of an equation or expression in it, else its normal form. */
    private static String readBox(String content) {
        return AnswerArithmetic.whole(content).filter(AnswerArithmetic.Reading::computed)
                .map(MathExtraction::latex).orElseGet(() -> MathAnswers.normalize(content));
    }

    /**
     * A reading in the MATH normal form: an integer, a decimal when the last member writes one,
     * else {@code \frac{p}{q}}; without a value (a division by zero) the member's own text.
     */
    private static String latex(AnswerArithmetic.Reading reading) {
        return reading.value().map(v -> v.latexText(reading.decimal())).orElseGet(() -> MathAnswers.normalize(reading.member()));
    }

    /** The end of the first sentence: a period followed by a blank, outside braces and brackets. */
    private static int sentenceEnd(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth = Math.max(0, depth - 1);
            } else if (depth == 0 && c == '.' && (i + 1 == s.length() || Character.isWhitespace(s.charAt(i + 1)))) {
                return i;
            }
        }
        return s.length();
    }

    private static Optional<String> lastNumber(String text) {
        return NumericAnswers.lastParsed(NUMBER_IN_TEXT, text, MathExtraction::plainNumber);
    }

    /** A number token as canonical text: decimals as NumericAnswers writes them, a/b as \frac{a}{b}. */
    private static Optional<String> plainNumber(String token) {
        String t = token.replace("\\$", "").replace("$", "").replace(",", "").replaceAll("\\s+", "");
        String sign = "";
        while (!t.isEmpty() && (t.charAt(0) == '-' || t.charAt(0) == '+')) {
            if (t.charAt(0) == '-') {
                sign = sign.isEmpty() ? "-" : "";
            }
            t = t.substring(1);
        }
        try {
            int slash = t.indexOf('/');
            if (slash > 0) {
                BigDecimal num = new BigDecimal(t.substring(0, slash));
                BigDecimal den = new BigDecimal(t.substring(slash + 1));
                if (den.signum() == 0) {
                    return Optional.empty();
                }
                boolean zero = num.signum() == 0;
                return Optional.of((zero ? "" : sign) + "\\frac{" + NumericAnswers.canonical(num) + "}{"
                        + NumericAnswers.canonical(den) + "}");
            }
            BigDecimal value = new BigDecimal(t);
            return Optional.of(NumericAnswers.canonical(sign.isEmpty() ? value : value.negate()));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
