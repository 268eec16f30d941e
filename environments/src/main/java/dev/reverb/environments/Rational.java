package dev.reverb.environments;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An exact rational number {@code num/den}, reduced, with {@code den > 0}: what answers are
 * compared and evaluated with, never a {@code double}. Arithmetic on numbers past
 * {@link #MAX_BITS} bits throws {@link ArithmeticException}, so hostile input cannot grow them
 * without bound.
 */
record Rational(BigInteger num, BigInteger den) {

    static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    private static final int MAX_DIGITS = 400;
    private static final int MAX_BITS = 4_000;
    private static final BigInteger TWO = BigInteger.valueOf(2);
    private static final BigInteger FIVE = BigInteger.valueOf(5);

    private static final Pattern DECIMAL = Pattern.compile("^([-+]?)(\\d+(?:\\.\\d*)?|\\.\\d+)$");
    private static final Pattern FRACTION = Pattern.compile(
            "^([-+]?)\\\\frac\\{([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))}\\{([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))}$");
    private static final Pattern MIXED = Pattern.compile("^([-+]?)(\\d+)\\\\frac\\{(\\d+)}\\{(\\d+)}$");
    private static final Pattern SLASH = Pattern.compile(
            "^([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))/([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))$");

    static Rational of(BigInteger num, BigInteger den) {
        if (den.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        if (num.bitLength() > MAX_BITS || den.bitLength() > MAX_BITS) {
            throw new ArithmeticException("number too large");
        }
        if (den.signum() < 0) {
            num = num.negate();
            den = den.negate();
        }
        BigInteger g = num.gcd(den);
        if (g.signum() != 0 && !g.equals(BigInteger.ONE)) {
            num = num.divide(g);
            den = den.divide(g);
        }
        return new Rational(num, den);
    }

    static Rational of(BigDecimal value) {
        if (Math.abs((long) value.scale()) > MAX_DIGITS || value.precision() > MAX_DIGITS) {
            throw new ArithmeticException("number too long");
        }
        return value.scale() <= 0
                ? of(value.toBigIntegerExact(), BigInteger.ONE)
                : of(value.unscaledValue(), BigInteger.TEN.pow(value.scale()));
    }

    /** A decimal, {@code a/b}, {@code \frac{a}{b}} or mixed number ({@code 1\frac{1}{2}}), signed; empty otherwise. */
    static Optional<Rational> parse(String s) {
        if (s.length() > MAX_DIGITS) {
            return Optional.empty();
        }
        try {
            Matcher decimal = DECIMAL.matcher(s);
            if (decimal.matches()) {
                return Optional.of(signed(decimal.group(1), of(new BigDecimal(decimal.group(2)))));
            }
            Matcher fraction = FRACTION.matcher(s);
            if (fraction.matches()) {
                return divide(decimal(fraction.group(2)), decimal(fraction.group(3))).map(r -> signed(fraction.group(1), r));
            }
            Matcher mixed = MIXED.matcher(s);
            if (mixed.matches()) {
                BigInteger whole = new BigInteger(mixed.group(2));
                BigInteger num = new BigInteger(mixed.group(3));
                BigInteger den = new BigInteger(mixed.group(4));
                if (den.signum() == 0) {
                    return Optional.empty();
                }
                return Optional.of(signed(mixed.group(1), of(whole.multiply(den).add(num), den)));
            }
            Matcher slash = SLASH.matcher(s);
            if (slash.matches()) {
                return divide(decimal(slash.group(1)), decimal(slash.group(2)));
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Rational decimal(String text) {
        String t = text.startsWith("+") ? text.substring(1) : text;
        return of(new BigDecimal(t));
    }

    private static Optional<Rational> divide(Rational a, Rational b) {
        if (b.num.signum() == 0) {
            return Optional.empty();
        }
        return Optional.of(of(a.num.multiply(b.den), a.den.multiply(b.num)));
    }

    private static Rational signed(String sign, Rational r) {
        return "-".equals(sign) ? r.negate() : r;
    }

    Rational negate() {
        return new Rational(num.negate(), den);
    }

    Rational plus(Rational o) {
        return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
    }

    Rational minus(Rational o) {
        return plus(o.negate());
    }

    Rational times(Rational o) {
        return of(num.multiply(o.num), den.multiply(o.den));
    }

    /** The quotient; throws {@link ArithmeticException} when {@code o} is zero. */
    Rational dividedBy(Rational o) {
        return of(num.multiply(o.den), den.multiply(o.num));
    }

    boolean isInteger() {
        return den.equals(BigInteger.ONE);
    }

    /** Whether the value has a finite decimal expansion (the denominator has no prime but 2 and 5). */
    boolean terminates() {
        BigInteger d = den;
        while (d.mod(TWO).signum() == 0) {
            d = d.divide(TWO);
        }
        while (d.mod(FIVE).signum() == 0) {
            d = d.divide(FIVE);
        }
        return d.equals(BigInteger.ONE);
    }

    /** The exact decimal value; only for {@link #terminates() terminating} values. */
    BigDecimal toDecimal() {
        return new BigDecimal(num).divide(new BigDecimal(den));
    }

    /** {@code 20}, {@code 1234.5} (when it terminates), else {@code -7/3}. */
    String plainText() {
        if (terminates()) {
            return NumericAnswers.canonical(toDecimal());
        }
        return num + "/" + den;
    }

    /** {@code 20}, else {@code -\frac{7}{3}}; {@code 1234.5} when {@code preferDecimal} and it terminates. */
    String latexText(boolean preferDecimal) {
        if (isInteger() || (preferDecimal && terminates())) {
            return NumericAnswers.canonical(toDecimal());
        }
        return (num.signum() < 0 ? "-" : "") + "\\frac{" + num.abs() + "}{" + den + "}";
    }
}
