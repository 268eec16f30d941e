package dev.reverb.environments;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits the text of an answer into the tokens a person reads arithmetic with: numbers
 * ({@code 1,234.50}, {@code .5}), operators ({@code + - * / × · ÷ \times \cdot \div}), brackets,
 * {@code \frac}, {@code =}, percent signs, words (units and prose, {@code \text{cm}} included),
 * commas and sentence stops. Currency signs, math delimiters ({@code $}, {@code \(}), spacing
 * commands, {@code \left}/{@code \right} and degree marks are skipped; anything else is
 * {@link Kind#OTHER}; {@code ^} is a power unless it marks degrees. The list always ends with one {@link Kind#END}.
 */
final class AnswerTokens {

    enum Kind { NUM, PLUS, MINUS, TIMES, DIVIDE, POW, OPEN, CLOSE, FRAC, EQ, WORD, PERCENT, COMMA, STOP, OTHER, END }

    /** One token: {@code text.substring(start, end)}, and whether blank space came before it. */
    record Token(Kind kind, int start, int end, boolean spaceBefore) {

        boolean is(Kind k) {
            return kind == k;
        }
    }

    private static final Pattern NUMBER = Pattern.compile("(?:\\d{1,3}(?:,\\d{3})+(?!\\d)|\\d+)(?:\\.\\d+)?|\\.\\d+");
    private static final Pattern COMMAND = Pattern.compile("\\\\([a-zA-Z]+|.)");
    private static final Pattern TEXT_UNIT = Pattern.compile("\\\\(?:text|textrm|textnormal|mbox|mathrm)\\s*\\{[^{}]*}");
    private static final Pattern DEGREE = Pattern.compile("\\^\\s*(?:\\{\\s*\\\\circ\\s*}|\\\\circ(?![a-zA-Z]))");
    private static final String SKIPPED = "$€£¥₹`";

    private AnswerTokens() {
    }

    /** The tokens of {@code text}, at most {@code max} of them before the closing {@link Kind#END}. */
    static List<Token> of(String text, int max) {
        List<Token> tokens = new ArrayList<>();
        int n = text.length();
        int i = 0;
        boolean space = false;
        while (i < n && tokens.size() < max) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                tokens.add(new Token(Kind.STOP, i, i + 1, space));
                i++;
                space = false;
                continue;
            }
            if (Character.isWhitespace(c) || c == '~') {
                space = true;
                i++;
                continue;
            }
            if (SKIPPED.indexOf(c) >= 0 || c == '\u00b0') {
                i++;
                continue;
            }
            int end;
            Kind kind;
            if (c == '\\') {
                Matcher unit = TEXT_UNIT.matcher(text).region(i, n);
                if (unit.lookingAt()) {
                    tokens.add(new Token(Kind.WORD, i, unit.end(), true));
                    i = unit.end();
                    space = false;
                    continue;
                }
                Matcher command = COMMAND.matcher(text).region(i, n);
                if (!command.lookingAt()) {
                    tokens.add(new Token(Kind.OTHER, i, i + 1, space));
                    i++;
                    space = false;
                    continue;
                }
                end = command.end();
                String name = command.group(1);
                switch (name) {
                    case ",", "!", ";", ":", " ", "quad", "qquad" -> {
                        space = true;
                        i = end;
                        continue;
                    }
                    case "$", "(", ")", "[", "]", "displaystyle", "circ", "degree" -> {
                        i = end;
                        continue;
                    }
                    case "left", "right" -> {
                        i = end < n && text.charAt(end) == '.' ? end + 1 : end;
                        continue;
                    }
                    case "%" -> kind = Kind.PERCENT;
                    case "times", "cdot", "ast" -> kind = Kind.TIMES;
                    case "div" -> kind = Kind.DIVIDE;
                    case "frac", "dfrac", "tfrac" -> kind = Kind.FRAC;
                    default -> kind = Kind.OTHER;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                Matcher number = NUMBER.matcher(text).region(i, n);
                if (!number.lookingAt()) {
                    tokens.add(new Token(Kind.OTHER, i, i + 1, space));
                    i++;
                    space = false;
                    continue;
                }
                kind = Kind.NUM;
                end = number.end();
            } else if (c == '^') {
                Matcher degree = DEGREE.matcher(text).region(i, n);
                if (degree.lookingAt()) {
                    i = degree.end();
                    continue;
                }
                kind = Kind.POW;
                end = i + 1;
            } else if (Character.isLetter(c)) {
                end = i + 1;
                while (end < n && (Character.isLetter(text.charAt(end)) || text.charAt(end) == '\'')) {
                    end++;
                }
                kind = Kind.WORD;
            } else {
                kind = symbol(c);
                end = i + 1;
            }
            tokens.add(new Token(kind, i, end, space));
            i = end;
            space = false;
        }
        tokens.add(new Token(Kind.END, i, i, space));
        return tokens;
    }

    private static Kind symbol(char c) {
        return switch (c) {
            case '+' -> Kind.PLUS;
            case '-', '\u2212' -> Kind.MINUS;
            case '*', '\u00d7', '\u00b7', '\u22c5', '\u2219' -> Kind.TIMES;
            case '/', '\u00f7' -> Kind.DIVIDE;
            case '(', '{' -> Kind.OPEN;
            case ')', '}' -> Kind.CLOSE;
            case '=' -> Kind.EQ;
            case '%' -> Kind.PERCENT;
            case ',' -> Kind.COMMA;
            case '.', ';', '!', '?', ':' -> Kind.STOP;
            default -> Kind.OTHER;
        };
    }
}
