package dev.reverb.environments;

import dev.reverb.environments.AnswerTokens.Kind;
import dev.reverb.environments.AnswerTokens.Token;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates the tokens of one arithmetic expression by recursive descent over exact
 * {@link Rational}s: {@code + -} over {@code * /} over unary signs over integer powers, brackets, {@code \frac{a}{b}}
 * (and {@code \frac12}), implicit products {@code 2(3+4)} and mixed numbers {@code 1\frac{1}{2}};
 * a percent sign after a number is noted and kept as the number. A division by zero or a number
 * too large leaves the value empty (the expression is well formed but has none).
 */
final class AnswerParser {

    /**
     * A parsed expression.
     *
     * @param value      its exact value, empty when undefined
     * @param operations how many binary operations it has
     * @param percent    whether a percent sign follows one of its numbers outside a product
     *                   (where it would be a hundredth), so "50%" and "20% + 5%" keep it as written
     */
    record Result(Optional<Rational> value, int operations, boolean percent) {
    }

    private static final Rational HUNDRED = new Rational(BigInteger.valueOf(100), BigInteger.ONE);

    private AnswerParser() {
    }

    /** The expression made of all of {@code tokens}; empty when they are not one expression. */
    static Optional<Result> parse(String text, List<Token> tokens) {
        Parser parser = new Parser(text, tokens);
        try {
            Rational value = parser.expression();
            if (parser.p != tokens.size()) {
                return Optional.empty();
            }
            return Optional.of(new Result(parser.undefined ? Optional.empty() : Optional.of(value), parser.operations,
                    parser.percentCount > parser.scaledPercents));
        } catch (ParseFailure e) {
            return Optional.empty();
        }
    }

    private static final class ParseFailure extends RuntimeException {

        ParseFailure() {
            super("not an arithmetic expression", null, false, false);
        }
    }

    private static final class Parser {

        private final String text;
        private final List<Token> t;
        private int p;
        private int operations;
        private int percentCount;
        private int scaledPercents;
        private boolean factorPercent;
        private boolean undefined;
        private int depth;

        Parser(String text, List<Token> tokens) {
            this.text = text;
            this.t = tokens;
        }

        private Kind peek() {
            return p < t.size() ? t.get(p).kind() : Kind.END;
        }

        Rational expression() {
            if (++depth > 64) {
                throw new ParseFailure();
            }
            Rational v = term();
            while (peek() == Kind.PLUS || peek() == Kind.MINUS) {
                boolean plus = peek() == Kind.PLUS;
                p++;
                operations++;
                Rational r = term();
                v = apply(v, r, plus ? Op.PLUS : Op.MINUS);
            }
            depth--;
            return v;
        }

        /** A product or quotient; a percent in it is a hundredth ("25% of 80" and "10% * 200" are 20). */
        private Rational term() {
            Rational v = factor();
            boolean leftPercent = factorPercent;
            while (true) {
                if (peek() == Kind.TIMES || peek() == Kind.DIVIDE) {
                    boolean times = peek() == Kind.TIMES;
                    p++;
                    operations++;
                    Rational r = factor();
                    if (leftPercent) {
                        v = apply(v, HUNDRED, Op.DIVIDE);
                        scaledPercents++;
                        leftPercent = false;
                    }
                    if (factorPercent) {
                        r = apply(r, HUNDRED, Op.DIVIDE);
                        scaledPercents++;
                    }
                    v = apply(v, r, times ? Op.TIMES : Op.DIVIDE);
                } else if (peek() == Kind.OPEN && !t.get(p).spaceBefore()) {
                    operations++;
                    Rational r = factor();
                    v = apply(v, r, Op.TIMES);
                } else {
                    return v;
                }
            }
        }

        private Rational factor() {
            if (peek() == Kind.PLUS) {
                p++;
                return factor();
            }
            if (peek() == Kind.MINUS) {
                p++;
                Rational v = factor();
                return v.negate();
            }
            Rational v = primary();
            while (peek() == Kind.POW) {
                p++;
                operations++;
                v = power(v, exponent());
            }
            factorPercent = peek() == Kind.PERCENT;
            if (factorPercent) {
                p++;
                percentCount++;
            }
            return v;
        }

        private Rational primary() {
            Kind kind = peek();
            if (kind == Kind.NUM) {
                Rational whole = number(t.get(p++));
                if (peek() == Kind.FRAC && !t.get(p).spaceBefore() && whole.isInteger()) {
                    Rational fraction = frac();
                    return whole.plus(fraction);
                }
                return whole;
            }
            if (kind == Kind.OPEN) {
                p++;
                Rational v = expression();
                if (peek() != Kind.CLOSE) {
                    throw new ParseFailure();
                }
                p++;
                return v;
            }
            if (kind == Kind.FRAC) {
                return frac();
            }
            throw new ParseFailure();
        }

        /** The exponent after {@code ^}: a number, a bracketed expression, or either with a sign. */
        private Rational exponent() {
            if (peek() == Kind.MINUS) {
                p++;
                return exponent().negate();
            }
            if (peek() == Kind.NUM) {
                return number(t.get(p++));
            }
            if (peek() == Kind.OPEN) {
                return primary();
            }
            throw new ParseFailure();
        }

        /** {@code base^exponent} for an integer exponent of at most 64 and a result of bounded size; else undefined. */
        private Rational power(Rational base, Rational exponent) {
            if (!exponent.isInteger() || exponent.num().abs().compareTo(BigInteger.valueOf(64)) > 0
                    || (long) Math.max(base.num().bitLength(), base.den().bitLength()) * exponent.num().abs().intValue() > 4_000) {
                undefined = true;
                return Rational.ZERO;
            }
            int e = exponent.num().intValue();
            Rational result = new Rational(BigInteger.ONE, BigInteger.ONE);
            for (int k = 0; k < Math.abs(e); k++) {
                result = result.times(base);
            }
            return e >= 0 ? result : apply(new Rational(BigInteger.ONE, BigInteger.ONE), result, Op.DIVIDE);
        }

        /** {@code \frac{a}{b}}, or {@code \frac12}. */
        private Rational frac() {
            p++;
            if (peek() == Kind.NUM) {
                String digits = text.substring(t.get(p).start(), t.get(p).end());
                if (digits.length() == 2 && Character.isDigit(digits.charAt(0)) && Character.isDigit(digits.charAt(1))) {
                    p++;
                    return apply(Rational.of(BigInteger.valueOf(digits.charAt(0) - '0'), BigInteger.ONE),
                            Rational.of(BigInteger.valueOf(digits.charAt(1) - '0'), BigInteger.ONE), Op.DIVIDE);
                }
            }
            if (peek() != Kind.OPEN) {
                throw new ParseFailure();
            }
            Rational num = primary();
            if (peek() != Kind.OPEN) {
                throw new ParseFailure();
            }
            Rational den = primary();
            return apply(num, den, Op.DIVIDE);
        }

        private Rational number(Token token) {
            try {
                return Rational.of(new BigDecimal(text.substring(token.start(), token.end()).replace(",", "")));
            } catch (ArithmeticException | NumberFormatException e) {
                undefined = true;
                return Rational.ZERO;
            }
        }

        private enum Op { PLUS, MINUS, TIMES, DIVIDE }

        private Rational apply(Rational a, Rational b, Op op) {
            try {
                return switch (op) {
                    case PLUS -> a.plus(b);
                    case MINUS -> a.minus(b);
                    case TIMES -> a.times(b);
                    case DIVIDE -> a.dividedBy(b);
                };
            } catch (ArithmeticException e) {
                undefined = true;
                return Rational.ZERO;
            }
        }
    }
}
