package dev.reverb.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatsTest {

    @Test
    void should_give_the_known_exact_p_when_discordant_pairs_are_1_and_9() {
        // 2 * (C(10,0) + C(10,1)) / 2^10 = 22 / 1024
        assertThat(Stats.mcnemarExact(1, 9)).isCloseTo(0.0215, within(5e-5));
        assertThat(Stats.mcnemarExact(1, 9)).isCloseTo(22.0 / 1024, within(1e-12));
        assertThat(Stats.mcnemarExact(9, 1)).isEqualTo(Stats.mcnemarExact(1, 9));
    }

    @ParameterizedTest
    @CsvSource({"0,0,1.0", "3,3,1.0", "0,5,0.0625", "0,6,0.03125", "2,8,0.109375"})
    void should_match_the_two_sided_binomial_test_when_counts_are_small(int b, int c, double p) {
        assertThat(Stats.mcnemarExact(b, c)).isCloseTo(p, within(1e-12));
    }

    @Test
    void should_stay_a_probability_when_there_are_thousands_of_discordant_pairs() {
        double p = Stats.mcnemarExact(1000, 1100); // 2^-2100 underflows a double: the sum runs in logs
        assertThat(p).isBetween(0.01, 0.05);
        assertThat(Stats.mcnemarExact(2000, 2000)).isEqualTo(1.0);
    }

    @ParameterizedTest(name = "{0}/{1}")
    // Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no continuity correction)
    @CsvSource({"81,263,0.2553,0.3662", "15,148,0.0624,0.1605", "0,20,0.0000,0.1611", "1,29,0.0061,0.1718"})
    void should_match_newcombes_table_when_computing_wilson_intervals(int k, int n, double lo, double hi) {
        double[] ci = Stats.wilson(k, n);
        assertThat(ci[0]).isCloseTo(lo, within(1e-4));
        assertThat(ci[1]).isCloseTo(hi, within(1e-4));
    }

    @Test
    void should_agree_with_the_run_summary_when_computing_wilson() {
        for (int n = 0; n < 40; n += 7) {
            for (int k = 0; k <= n; k++) {
                assertThat(Stats.wilson(k, n)).containsExactly(dev.reverb.runtime.run.Summary.wilson(k, n));
            }
        }
        assertThatThrownBy(() -> Stats.wilson(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_give_a_point_interval_when_every_pair_differs_the_same_way() {
        boolean[] a = {true, true, true, true};
        boolean[] b = {false, false, false, false};
        assertThat(Stats.bootstrapDifference(a, b, 1000, 1)).containsExactly(1.0, 1.0);
        assertThat(Stats.bootstrapDifference(a, a, 1000, 1)).containsExactly(0.0, 0.0);
    }

    @Test
    void should_cover_the_observed_difference_and_repeat_with_the_seed_when_bootstrapping() {
        boolean[] a = new boolean[100];
        boolean[] b = new boolean[100];
        for (int i = 0; i < 100; i++) {
            a[i] = i % 10 < 7;  // 70%
            b[i] = i % 10 < 5;  // 50%, and A is right wherever B is
        }
        double[] ci = Stats.bootstrapDifference(a, b, 10_000, 42);
        assertThat(ci[0]).isLessThan(0.2).isGreaterThan(0.1);   // 20 discordant pairs in 100: sd about 0.04
        assertThat(ci[1]).isGreaterThan(0.2).isLessThan(0.3);
        assertThat(Stats.bootstrapDifference(a, b, 10_000, 42)).containsExactly(ci);
        assertThat(Stats.bootstrapDifference(a, b, 10_000, 43)).isNotEqualTo(ci);
    }

    @Test
    void should_refuse_unpaired_outcomes_when_bootstrapping() {
        assertThatThrownBy(() -> Stats.bootstrapDifference(new boolean[2], new boolean[3], 10, 1))
                .hasMessageContaining("2 vs 3");
        assertThat(Stats.bootstrapDifference(new boolean[0], new boolean[0], 10, 1)[0]).isNaN();
    }
}
