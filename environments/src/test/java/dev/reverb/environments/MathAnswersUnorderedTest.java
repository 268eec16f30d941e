package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MathAnswersUnorderedTest {

    @ParameterizedTest(name = "{0} ~ {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            1,-2                      | -2, 1
            1, -2, 1                  | -2,1
            "x = 1, x = -2"           | "-2, 1"
            "\\{1, -2\\}"             | "-2,1"
            "\\frac{1}{2}, 3"         | "3, 0.5"
            "(1,2),(3,4)"             | "(3, 4), (1, 2)"
            "-3, 2, \\frac{1}{4}"     | "0.25,-3,2"
            5                         | 5
            "\\sqrt{2}, -\\sqrt{2}"   | "-\\sqrt{2},\\sqrt2"
            """)
    void should_accept_any_order_and_repeats_when_the_question_asks_for_all_solutions(String reference, String answer) {
        assertThat(MathAnswers.equivalent(reference, answer, true)).isTrue();
        assertThat(MathAnswers.equivalent(answer, reference, true)).isTrue();
    }

    @ParameterizedTest(name = "{0} !~ {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "(1,2)"                   | "(2,1)"
            "[1, 2)"                  | "(1, 2]"
            "[1, 2)"                  | "[2, 1)"
            "(1,2),(3,4)"             | "(2,1),(3,4)"
            "1,-2"                    | "1"
            "1,-2"                    | "1,-2,3"
            "1,-2"                    | "1,2"
            "1,2"                     | "1,,2"
            "1,2"                     | ","
            "1,2"                     | ""
            """)
    void should_keep_tuples_and_intervals_ordered_and_elements_exact_when_comparing_as_sets(String reference, String answer) {
        assertThat(MathAnswers.equivalent(reference, answer, true)).isFalse();
        assertThat(MathAnswers.equivalent(answer, reference, true)).isFalse();
    }

    @ParameterizedTest(name = "{0} ~ {1} only unordered")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            "1,-2"                    | "-2, 1"
            "\\frac{1}{2}, 3"         | "3, 0.5"
            "(1,2),(3,4)"             | "(3,4),(1,2)"
            """)
    void should_compare_in_order_when_the_question_does_not_ask_for_all_solutions(String reference, String answer) {
        assertThat(MathAnswers.equivalent(reference, answer, false)).isFalse();
        assertThat(MathAnswers.equivalent(reference, answer, true)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Find all solutions to $x^2 + x - 2 = 0$. Enter all the solutions, separated by commas.",
        "Enter all possible values of $k,$ separated by commas.",
        "Find all the real roots of $x^3 - x = 0$.",
        "List all integers $n$ with $n^2 < 5$.",
        "What are all the values of $a$ for which the lines meet?",
        "Give the zeros of $p$ as a comma-separated list.",
        "Find all real solutions to $f(x) = 0$.",
        "Enter the ordered pairs, separated by commas."})
    void should_treat_the_answer_as_a_set_when_the_question_asks_for_all_of_them(String question) {
        assertThat(MathAnswers.asksForUnorderedList(question)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "What is the value of $x$?",
        "Find the ordered pair $(a,b)$.",
        "Enter the solutions in increasing order, separated by commas.",
        "List the roots in decreasing order.",
        "Solve for $x$. Express your answer as a common fraction.",
        "How many values of $x$ are there?",
        ""})
    void should_keep_the_answer_ordered_when_the_question_asks_for_one_value_or_an_order(String question) {
        assertThat(MathAnswers.asksForUnorderedList(question)).isFalse();
        assertThat(MathAnswers.asksForUnorderedList(null)).isFalse();
    }
}
