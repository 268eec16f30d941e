package dev.reverb.environments.game24;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns arithmetic as models write it into tokens: LaTeX ({@code \times}, {@code \frac{a}{b}}),
 * Markdown emphasis, unicode operators ({@code × ÷ −}) and an {@code x} between two numbers are
 * rewritten to ASCII first.
 */
final class Tokens {

    enum Kind { NUMBER, OPERATOR, OPEN, CLOSE }

    /**
     * One token.
     *
     * @param decimals for a number: how many digits it has after a decimal point (0 for an integer)
     * @param position the index of the token in the normalised text
     */
    record Token(Kind kind, String text, Fraction value, Operator operator, int decimals, int position) {
        boolean is(Kind k) {
            return kind == k;
        }

        boolean isOperator(Operator op) {
            return kind == Kind.OPERATOR && operator == op;
        }
    }

    private static final Pattern FRAC = Pattern.compile("\\\\[dt]?frac\\s*\\{([^{}]*)}\\s*\\{([^{}]*)}");
    private static final Pattern TIMES_X = Pattern.compile("(?<=[0-9)])\\s*[xX]\\s*(?=[0-9(])");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?|\\.\\d+");

    private Tokens() {
    }

    /** Rewrites LaTeX, Markdown and unicode arithmetic to plain ASCII {@code + - * / ( )}. */
    static String normalize(String text) {
        String s = text;
        String before;
        do {
            before = s;
            s = FRAC.matcher(s).replaceAll("($1)/($2)");
        } while (!s.equals(before));
        s = s.replaceAll("\\\\(?:times|cdot|ast)(?![a-zA-Z])", "*")
                .replaceAll("\\\\div(?![a-zA-Z])", "/")
                .replaceAll("\\\\text\\s*\\{[^{}]*}", " ")
                .replaceAll("\\\\(?:left|right)(?![a-zA-Z])", "")
                .replaceAll("\\\\[()\\[\\]]", " ")
                .replaceAll("\\\\[a-zA-Z]+", "")
                .replace("$", " ")
                .replace("**", "")
                .replace("__", "")
                .replace("`", "");
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(switch (c) {
                case '×', '✕', '✖', '⋅', '·', '∗' -> '*';
                case '÷', '∕', '⁄' -> '/';
                case '−', '–', '—', '‒', '﹣', '－' -> '-';
                case '＋' -> '+';
                case '[', '{' -> '(';
                case ']', '}' -> ')';
                case '\u00a0', '\u2009', '\u202f' -> ' ';
                default -> c;
            });
        }
        return TIMES_X.matcher(out).replaceAll(" * ");
    }

    /**
     * Tokenises already normalised text.
     *
     * @throws IllegalArgumentException naming the first character that is not arithmetic
     */
    static List<Token> tokenize(String normalized) {
        List<Token> tokens = new ArrayList<>();
        Matcher number = NUMBER.matcher(normalized);
        int i = 0;
        while (i < normalized.length()) {
            char c = normalized.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (number.region(i, normalized.length()).lookingAt()) {
                String text = number.group();
                int dot = text.indexOf('.');
                int decimals = dot < 0 ? 0 : text.length() - dot - 1;
                tokens.add(new Token(Kind.NUMBER, text, Fraction.of(new BigDecimal(text)), null, decimals, i));
                i = number.end();
            } else if (c == '(' || c == ')') {
                tokens.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, String.valueOf(c), null, null, 0, i));
                i++;
            } else if (Operator.of(c).isPresent()) {
                tokens.add(new Token(Kind.OPERATOR, String.valueOf(c), null, Operator.of(c).get(), 0, i));
                i++;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "'");
            }
        }
        return tokens;
    }

    /** The tokens written back with single spaces around operators: {@code (11 + 1) * (1 + 1)}. */
    static String render(List<Token> tokens) {
        StringBuilder out = new StringBuilder();
        for (Token t : tokens) {
            switch (t.kind()) {
                case OPERATOR -> out.append(' ').append(t.text()).append(' ');
                default -> out.append(t.text());
            }
        }
        return out.toString().strip();
    }
}
