package dev.reverb.environments.game24;

import java.util.Optional;

/** The four operations of the Game of 24. */
public enum Operator {
    PLUS('+'), MINUS('-'), TIMES('*'), DIVIDE('/');

    private final char symbol;

    Operator(char symbol) {
        this.symbol = symbol;
    }

    /** The ASCII symbol: {@code + - * /}. */
    public char symbol() {
        return symbol;
    }

    /** Whether {@code a op b} equals {@code b op a}. */
    public boolean commutative() {
        return this == PLUS || this == TIMES;
    }

    /** Binding strength: 2 for {@code * /}, 1 for {@code + -}. */
    int precedence() {
        return this == TIMES || this == DIVIDE ? 2 : 1;
    }

    /** {@code a op b}, or empty for a division by zero. */
    public Optional<Fraction> apply(Fraction a, Fraction b) {
        return switch (this) {
            case PLUS -> Optional.of(a.plus(b));
            case MINUS -> Optional.of(a.minus(b));
            case TIMES -> Optional.of(a.times(b));
            case DIVIDE -> b.isZero() ? Optional.empty() : Optional.of(a.dividedBy(b));
        };
    }

    /** The operator for an ASCII symbol, or empty. */
    public static Optional<Operator> of(char symbol) {
        for (Operator op : values()) {
            if (op.symbol == symbol) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.valueOf(symbol);
    }
}
