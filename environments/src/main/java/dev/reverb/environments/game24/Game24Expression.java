package dev.reverb.environments.game24;

import dev.reverb.environments.game24.Tokens.Kind;
import dev.reverb.environments.game24.Tokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed Game of 24 expression: numbers, the binary operators {@code + - * /} and parentheses,
 * with the usual precedence ({@code * /} before {@code + -}, left to right).
 *
 * <p>A unary minus or plus is <em>not</em> allowed: the game combines the four numbers with binary
 * operations only, and a sign in front of a number would be a fifth operation. Decimal numbers are
 * read (so that feedback can say "uses 2.5, which is not one of the numbers") but never match an
 * integer puzzle number. Evaluation is exact ({@link Fraction}); a division by zero makes the value
 * empty instead of throwing.
 *
 * @param text    the expression with ASCII operators and single spaces: {@code (11 + 1) * (1 + 1)}
 * @param numbers the numbers in the order they are written
 * @param value   the exact value, or empty when the expression divides by zero
 */
public record Game24Expression(String text, List<Fraction> numbers, Optional<Fraction> value) {

    public Game24Expression {
        numbers = List.copyOf(numbers);
    }

    /**
     * Parses an expression written with ASCII or unicode operators ({@code × ÷ −}, {@code x} between
     * numbers) or LaTeX ({@code \times}, {@code \frac{8}{3}}).
     *
     * @throws IllegalArgumentException with a message fit for the model when the text is not an expression
     */
    public static Game24Expression parse(String text) {
        String normalized = Tokens.normalize(text == null ? "" : text).strip();
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        List<Token> tokens = Tokens.tokenize(normalized);
        Parser parser = new Parser(tokens);
        Optional<Fraction> value = parser.expression();
        if (parser.at < tokens.size()) {
            Token t = tokens.get(parser.at);
            throw new IllegalArgumentException(t.is(Kind.CLOSE)
                    ? "a ')' has no matching '('"
                    : "expected an operator before '" + t.text() + "'");
        }
        return new Game24Expression(Tokens.render(tokens), parser.numbers, value);
    }

    /** Whether the value is exactly 24. */
    public boolean isTwentyFour() {
        return value.filter(Fraction.TWENTY_FOUR::equals).isPresent();
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Recursive descent over {@code expr := term (('+'|'-') term)*}, {@code term := factor (('*'|'/')
     * factor)*}, {@code factor := NUMBER | '(' expr ')'}; values are empty after a division by zero.
     */
    private static final class Parser {
        private final List<Token> tokens;
        private final List<Fraction> numbers = new ArrayList<>();
        private int at;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Optional<Fraction> expression() {
            Optional<Fraction> value = term();
            while (peekOperator(Operator.PLUS) || peekOperator(Operator.MINUS)) {
                Operator op = tokens.get(at++).operator();
                value = combine(value, op, term());
            }
            return value;
        }

        private Optional<Fraction> term() {
            Optional<Fraction> value = factor();
            while (peekOperator(Operator.TIMES) || peekOperator(Operator.DIVIDE)) {
                Operator op = tokens.get(at++).operator();
                value = combine(value, op, factor());
            }
            return value;
        }

        private Optional<Fraction> factor() {
            if (at >= tokens.size()) {
                throw new IllegalArgumentException(tokens.isEmpty() ? "the expression is empty"
                        : "the expression ends after '" + tokens.get(at - 1).text() + "'; a number is missing");
            }
            Token t = tokens.get(at++);
            switch (t.kind()) {
                case NUMBER -> {
                    numbers.add(t.value());
                    return Optional.of(t.value());
                }
                case OPEN -> {
                    Optional<Fraction> inner = expression();
                    if (at >= tokens.size() || !tokens.get(at).is(Kind.CLOSE)) {
                        throw new IllegalArgumentException(at >= tokens.size()
                                ? "a '(' is never closed"
                                : "expected ')' or an operator before '" + tokens.get(at).text() + "'");
                    }
                    at++;
                    return inner;
                }
                case OPERATOR -> throw new IllegalArgumentException(
                        t.isOperator(Operator.MINUS) || t.isOperator(Operator.PLUS)
                                ? "a sign in front of a number ('" + t.text() + "' with nothing before it) is not"
                                        + " allowed; every operator must stand between two numbers"
                                : "'" + t.text() + "' has no number before it");
                default -> throw new IllegalArgumentException("')' where a number was expected");
            }
        }

        private boolean peekOperator(Operator op) {
            return at < tokens.size() && tokens.get(at).isOperator(op);
        }

        private static Optional<Fraction> combine(Optional<Fraction> a, Operator op, Optional<Fraction> b) {
            return a.isPresent() && b.isPresent() ? op.apply(a.get(), b.get()) : Optional.empty();
        }
    }
}
