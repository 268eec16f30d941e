package dev.reverb.environments.game24;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FractionTest {

    @Test
    void should_normalise_sign_and_common_factors_when_constructed() {
        assertThat(Fraction.of(4, -6)).isEqualTo(Fraction.of(-2, 3));
        assertThat(Fraction.of(-4, -6)).isEqualTo(Fraction.of(2, 3));
        assertThat(Fraction.of(0, -5)).isEqualTo(Fraction.ZERO);
        assertThat(Fraction.of(4, -6).denominator()).isEqualTo(BigInteger.valueOf(3));
        assertThat(Fraction.of(new BigDecimal("2.50"))).isEqualTo(Fraction.of(5, 2));
        assertThat(Fraction.of(8, 3)).hasToString("8/3");
        assertThat(Fraction.of(-24, 1)).hasToString("-24");
    }

    @Test
    void should_compute_exactly_when_doing_arithmetic() {
        Fraction eightThirds = Fraction.of(8).dividedBy(Fraction.of(3));
        assertThat(Fraction.of(8).dividedBy(Fraction.of(3).minus(eightThirds))).isEqualTo(Fraction.TWENTY_FOUR);
        assertThat(Fraction.of(1, 3).plus(Fraction.of(1, 6))).isEqualTo(Fraction.of(1, 2));
        assertThat(Fraction.of(2, 3).times(Fraction.of(3, 2))).isEqualTo(Fraction.of(1));
        assertThat(Fraction.of(1, 3).compareTo(Fraction.of(1, 2))).isNegative();
        assertThat(Fraction.of(1, 3).distanceTo(Fraction.of(1, 2))).isEqualTo(Fraction.of(1, 6));
    }

    @Test
    void should_refuse_a_zero_denominator_when_dividing_or_constructing() {
        assertThatThrownBy(() -> Fraction.of(1).dividedBy(Fraction.ZERO)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Fraction.of(1, 0)).isInstanceOf(ArithmeticException.class);
        assertThat(Operator.DIVIDE.apply(Fraction.of(1), Fraction.ZERO)).isEmpty();
    }
}
