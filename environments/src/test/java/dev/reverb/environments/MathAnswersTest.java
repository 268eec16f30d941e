package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MathAnswersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            \\boxed{5}                                                         | 5
            Thus the answer is $\\boxed{\\frac{1}{2}}$.                        | \\frac{1}{2}
            $\\boxed{\\left(3, \\frac{\\pi}{2}\\right)}$                       | \\left(3, \\frac{\\pi}{2}\\right)
            First \\boxed{10}, then on reflection \\boxed{12}.                 | 12
            \\fbox{7}                                                          | 7
            So $x = \\boxed 5$.                                                | 5
            \\boxed{\\sqrt{\\frac{a^{2}}{b}}} is it                            | \\sqrt{\\frac{a^{2}}{b}}
            \\boxed{\\{1, 2\\}}                                                | \\{1, 2\\}
            \\boxed{\\boxed{8}}                                                | 8
            \\boxed{ 3 }                                                       | 3
            \\boxed {\\text{(C)}}                                              | \\text{(C)}
            \\boxed{4} and an unclosed \\boxed{5                               | 4
            \\boxed{9} then \\boxed{}                                          | 9
            \\boxed{\\dfrac{-3}{4}}                                            | \\dfrac{-3}{4}
            """)
    void should_read_the_last_box_with_balanced_braces_when_boxes_are_nested(String text, String expected) {
        assertThat(MathAnswers.boxed(text)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no box here", "\\boxed{", "\\boxed{}", "\\boxed{\\boxed{", "\\boxedx{5}", "\\boxed", "\\boxed{  }"})
    void should_find_no_box_when_none_is_complete(String text) {
        assertThat(MathAnswers.boxed(text)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            $\\frac{1}{2}$                             | \\frac{1}{2}
            \\dfrac{1}{2}                              | \\frac{1}{2}
            \\tfrac{1}{2}                              | \\frac{1}{2}
            \\frac12                                   | \\frac{1}{2}
            \\frac1{2}                                 | \\frac{1}{2}
            \\frac{1}2                                 | \\frac{1}{2}
            \\frac\\pi2                                | \\frac{\\pi}{2}
            \\frac{\\frac12}{3}                        | \\frac{\\frac{1}{2}}{3}
            \\sqrt2                                    | \\sqrt{2}
            3\\sqrt 2                                  | 3\\sqrt{2}
            \\frac{\\sqrt3}{2}                         | \\frac{\\sqrt{3}}{2}
            \\left( 3, \\frac{\\pi}{2} \\right)        | (3,\\frac{\\pi}{2})
            \\left[ 1, 2 \\right)                      | [1,2)
            \\!\\!1\\,000                              | 1000
            1\\;2\\:3\\ 4                              | 1234
            30^\\circ                                  | 30
            30^{\\circ}                                | 30
            30°                                        | 30
            30 degrees                                 | 30
            50\\%                                      | 50
            50%                                        | 50
            10 \\text{ cm}                             | 10
            10\\mbox{ inches}                          | 10
            12 \\text{ cm}^2                           | 12
            \\text{Evelyn}                             | Evelyn
            \\textbf{(B)}                              | (B)
            0.5                                        | 0.5
            .5                                         | 0.5
            -.25                                       | -0.25
            x = 3                                      | 3
            k=-\\frac{1}{4}                            | -\\frac{1}{4}
            y = 2x + 3                                 | 2x+3
            x + y = 3                                  | x+y=3
            5.                                         | 5
            1,200                                      | 1200
            1{,}000{,}000                              | 1000000
            1,234.5                                    | 1234.5
            (1,2)                                      | (1,2)
            '1, 2, 3'                                  | 1,2,3
            3/4                                        | \\frac{3}{4}
            -3/4                                       | -\\frac{3}{4}
            x^{2}+1                                    | x^2+1
            \\$18                                      | 18
            +7                                         | 7
            \\boxed{42}                                | 42
            {7}                                        | 7
            \\displaystyle\\frac{1}{2}                 | \\frac{1}{2}
            (-\\infty, 0) \\cup (0, \\infty)           | (-\\infty,0)\\cup(0,\\infty)
            """)
    void should_write_the_math_benchmark_normal_form_when_normalizing(String answer, String expected) {
        assertThat(MathAnswers.normalize(answer)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} == {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0.5                                   | \\frac{1}{2}
            0.5                                   | 1/2
            \\frac{1}{2}                          | \\dfrac12
            .5                                    | 1/2
            2/4                                   | \\frac{1}{2}
            0.75                                  | \\frac{3}{4}
            -0.75                                 | -\\frac{3}{4}
            -\\frac{3}{4}                         | \\frac{-3}{4}
            \\frac{3}{-4}                         | -3/4
            -\\frac{-3}{4}                        | 3/4
            1\\frac{1}{2}                         | \\frac{3}{2}
            -1\\frac{1}{2}                        | -1.5
            18                                    | 18.00
            1,200                                 | 1200
            1{,}200                               | 1200.0
            7                                     | \\frac{14}{2}
            10                                    | 10 \\text{ cm}
            30^\\circ                             | 30
            50\\%                                 | 50
            x = 5                                 | 5
            $\\frac{\\sqrt{3}}{2}$                | \\frac{\\sqrt3}{2}
            \\left( 3, \\frac{\\pi}{2} \\right)   | (3,\\frac{\\pi}{2})
            (0.5, 2)                              | (\\frac{1}{2}, 2.0)
            [1/2, 3)                              | [0.5, 3)
            (-\\infty, 0.5]                       | (-\\infty, \\frac12]
            (1, 2) \\cup (3, 4)                   | (1.0,2)\\cup(3,4)
            '1, 2'                                | '1.0, 2'
            \\text{Evelyn}                        | Evelyn
            \\textbf{(C)}                         | (C)
            0                                     | -0
            0.0                                   | 0
            \\frac{0.5}{2}                        | 1/4
            +3                                    | 3
            \\boxed{2\\sqrt{5}}                   | 2\\sqrt5
            123456789012345678901234567890        | 123456789012345678901234567890.000
            """)
    void should_be_equivalent_when_answers_are_the_same_value(String a, String b) {
        assertThat(MathAnswers.equivalent(a, b)).isTrue();
        assertThat(MathAnswers.equivalent(b, a)).isTrue();
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0.333                                 | \\frac{1}{3}
            0.3333333333333333                    | 1/3
            0.5                                   | \\frac{1}{3}
            \\frac{1}{2}                          | \\frac{2}{1}
            -\\frac{3}{4}                         | \\frac{3}{4}
            12                                    | 13
            1,200                                 | 1,2
            (1,2)                                 | [1,2]
            (1,2)                                 | (1,2,3)
            (1,2)                                 | (2,1)
            [0, 1)                                | [0, 1]
            (1,2)                                 | '1,2'
            \\sqrt{2}                             | 2
            \\sqrt{2}                             | \\sqrt{3}
            \\pi                                  | 3.14159
            x                                     | y
            2x                                    | x2
            \\frac{1}{0}                          | \\frac{2}{0}
            1/0                                   | 2/0
            (1, 2) \\cup (3, 4)                   | (1, 2)
            (1, 2) \\cup (3, 4)                   | (1,2)\\cup(3,5)
            5                                     | five
            10                                    | 100
            0.1                                   | 0.01
            """)
    void should_not_be_equivalent_when_answers_differ(String a, String b) {
        assertThat(MathAnswers.equivalent(a, b)).isFalse();
        assertThat(MathAnswers.equivalent(b, a)).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            So the area is $\\boxed{\\frac{25}{2}}$.                              | \\frac{25}{2}
            We get $\\boxed{\\left(3, \\frac{\\pi}{2}\\right)}$.                  | (3,\\frac{\\pi}{2})
            Try \\boxed{1}. Wait, that is wrong: \\boxed{\\dfrac{3}{4}}           | \\frac{3}{4}
            The perimeter is \\boxed{10 \\text{ cm}}.                             | 10
            The answer is $\\frac{1}{2}$.                                         | \\frac{1}{2}
            The answer is \\(\\sqrt{2}\\).                                        | \\sqrt{2}
            Final answer: (1, 2)                                                  | (1,2)
            Final answer: x = -\\frac{1}{4}                                       | -\\frac{1}{4}
            The answer is 1,200.                                                  | 1200
            The answer is $18.                                                    | 18
            The answer is 18.00 dollars.                                          | 18
            The answer is 3/4.                                                    | \\frac{3}{4}
            The answer is 50%.                                                    | 50
            The answer is: 5 apples                                               | 5
            The answer is −7.                                                     | -7
            **Final answer:** **42**                                              | 42
            She has 5 + 3 = 8 apples.\\n#### 8                                   | 8
            '#### 72'                                                             | 72
            Final answer:\\n$\\frac{\\pi}{4}$                                     | \\frac{\\pi}{4}
            The answer is \\frac{\\sqrt{3}}{2}. I checked it twice.               | \\frac{\\sqrt{3}}{2}
            The answer is 7, although in step 2 I used 9.                         | 7
            After 3 days and 2 hours, she has 36 left.                            | 36
            We compute 1/3 of 12, which is 4                                      | 4
            The ratio is 2/3                                                      | \\frac{2}{3}
            The answer is Monday.                                                 | Monday
            """)
    void should_read_the_normalized_answer_when_given_realistic_model_output(String output, String expected) {
        assertThat(MathAnswers.extract(output.replace("\\n", "\n"))).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "I don't know.", "\\boxed{}", "\\boxed{\\boxed{", "1/0", "Final answer:"})
    void should_find_nothing_when_the_output_has_no_answer(String output) {
        assertThat(MathAnswers.extract(output)).isEmpty();
    }

    @Test
    void should_grade_an_extracted_answer_against_a_math_reference_when_both_are_read_the_same_way() {
        String output = "Multiplying out, we find the value is $\\boxed{\\dfrac{3}{4}}$.";
        assertThat(MathAnswers.extract(output)).hasValueSatisfying(
                answer -> assertThat(MathAnswers.equivalent(answer, "0.75")).isTrue());
        String gsm = "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether.\n#### 72";
        assertThat(MathAnswers.extract(gsm)).hasValueSatisfying(
                answer -> assertThat(MathAnswers.equivalent(answer, "72")).isTrue());
    }

    @Test
    void should_keep_matrix_rows_apart_when_normalizing_a_pmatrix() {
        assertThat(MathAnswers.normalize("\\begin{pmatrix} 1 \\\\ 23 \\end{pmatrix}"))
                .isEqualTo("\\begin{pmatrix}1\\\\23\\end{pmatrix}");
        assertThat(MathAnswers.equivalent("\\begin{pmatrix} 1 \\\\ 23 \\end{pmatrix}",
                "\\begin{pmatrix}1\\\\23\\end{pmatrix}")).isTrue();
        assertThat(MathAnswers.equivalent("\\begin{pmatrix} 1 \\\\ 23 \\end{pmatrix}",
                "\\begin{pmatrix} 12 \\\\ 3 \\end{pmatrix}")).isFalse();
    }

    @Test
    void should_never_throw_when_given_garbage() {
        List<String> garbage = Arrays.asList(null, "", " ", "}{", "\\", "\\\\", "\\frac", "\\frac{", "\\frac{1}{",
                "\\sqrt", "$$", "$", "(", ")", "(,)", "[,", ",,,", "=", "x=", "1/0", "\\frac{1}{0}", "0/0",
                "\\left(", "\\right", "\\text{", "{{{{{", "}}}}}", "(((((((((1)))))))))", "\\boxed{\\boxed{",
                "\u0000\u0001", "9".repeat(5000), "(".repeat(5000) + ")".repeat(5000), "{".repeat(5000),
                "\\frac".repeat(2000), "\\boxed{".repeat(3000) + "}".repeat(3000), "1,".repeat(5000),
                "\\cup".repeat(100), "1.2.3", "--5", "- 5", "\\frac{--1}{2}", "1e999999999");
        for (String a : garbage) {
            assertThatCode(() -> {
                MathAnswers.boxed(a);
                MathAnswers.normalize(a);
                MathAnswers.extract(a);
                for (String b : garbage) {
                    MathAnswers.equivalent(a, b);
                }
            }).as("input %s", a == null ? "null" : a.substring(0, Math.min(40, a.length()))).doesNotThrowAnyException();
        }
        assertThat(MathAnswers.equivalent(null, null)).isFalse();
        assertThat(MathAnswers.equivalent("", "")).isFalse();
        assertThat(MathAnswers.equivalent("1/0", "1/0")).isTrue();
        assertThat(MathAnswers.equivalent("\\frac{1}{0}", "1")).isFalse();
        assertThat(MathAnswers.normalize(null)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0", "42", "-7", "-12.50", "007", "3.14159", "123456789012345678901234567890", " 18 "})
    void should_normalize_a_plain_number_as_the_full_pass_does_when_it_takes_the_short_cut(String number) {
        assertThat(MathAnswers.plainNumber(number.strip())).isTrue();
        assertThat(MathAnswers.normalize(number)).isEqualTo(MathAnswers.normalize("$" + number + "$"))
                .isEqualTo(number.strip());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            +5      | 5
            42.     | 42
            1,200   | 1200
            .5      | 0.5
            -.5     | -0.5
            3/4     | \\frac{3}{4}
            5%      | 5
            """)
    void should_take_the_full_pass_when_a_number_is_not_plain(String answer, String normal) {
        assertThat(MathAnswers.plainNumber(answer)).isFalse();
        assertThat(MathAnswers.normalize(answer)).isEqualTo(normal);
    }
}
