package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Endings of model outputs for GSM8K, MATH and the arithmetic generator, graded through the real
 * environments: an equation or expression after an answer phrase (or in a box) is read as a
 * person reads it, its last {@code =} winning and an expression computed exactly; the rows
 * marked {@code false} are tempting misreadings that must stay wrong.
 */
class AnswersAsReadTest {

    private static Map<String, MathEnvironment> environments;

    @BeforeAll
    static void environments() throws Exception {
        environments = Map.of(
                "gsm8k", MathEnvironment.gsm8k(Gsm8kTest.fixture(), null, null, null),
                "math", MathEnvironment.math(MathDatasetTest.sample(), null, null),
                "arithmetic", MathEnvironment.arithmetic(1, 1, 1, 1));
    }

    @ParameterizedTest(name = "{0}: {1} reads {2}, against {3} {4}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            gsm8k      | The answer is 18 + 2 = 20.                                   | 20          | 20           | true
            gsm8k      | The answer is 18 + 2 = 20.                                   | 20          | 18           | false
            gsm8k      | The answer is 18 + 2 = $20                                   | 20          | 20           | true
            gsm8k      | The answer is 3 × 4 = 12 apples.                             | 12          | 12           | true
            gsm8k      | The answer is $1,234.50.                                     | 1234.5      | 1234.5       | true
            gsm8k      | The answer is 5 + 3                                          | 8           | 8            | true
            gsm8k      | The answer is 5 + 3                                          | 8           | 5            | false
            gsm8k      | Final answer: x = 5                                          | 5           | 5            | true
            gsm8k      | #### 18 + 2 = 20                                             | 20          | 20           | true
            gsm8k      | #### 1,000 + 200 = 1,200                                     | 1200        | 1200         | true
            gsm8k      | The answer is 2 * (3 + 4) = 14.                              | 14          | 14           | true
            gsm8k      | The answer is 2(3 + 4).                                      | 14          | 14           | true
            gsm8k      | The answer is -5 + 2 = -3.                                   | -3          | -3           | true
            gsm8k      | The answer is 7 − 10                                         | -3          | -3           | true
            gsm8k      | The answer is 48 / 2 = 24 clips.                             | 24          | 24           | true
            gsm8k      | The answer is 100 ÷ 4 = 25.                                  | 25          | 25           | true
            gsm8k      | The answer is 6 · 7                                          | 42          | 42           | true
            gsm8k      | The answer is 10 / 4                                         | 2.5         | 2.5          | true
            gsm8k      | The answer is 10 / 3 hours                                   | 10/3        | 3            | false
            gsm8k      | The answer is 3 apples × 4 = 12 apples.                      | 12          | 12           | true
            gsm8k      | The answer is $5.50 + $4.50 = $10.00.                        | 10          | 10           | true
            gsm8k      | The answer is 0.5 * 8 = 4 hours.                             | 4           | 4            | true
            gsm8k      | The answer is 25% + 25% = 50%.                               | 50          | 50           | true
            gsm8k      | The answer is 50%.                                           | 50          | 50           | true
            gsm8k      | The answer is 25% of 80 = 20.                                | 20          | 20           | true
            gsm8k      | The answer is 25% of 80.                                     | 20          | 25           | false
            gsm8k      | The answer is 10% * 200.                                     | 20          | 20           | true
            gsm8k      | The answer is 1/2 of 10.                                     | 5           | 5            | true
            gsm8k      | The answer is 7, not 8 + 1 = 9.                              | 7           | 7            | true
            gsm8k      | The answer is 12 + 5 = 17 dollars, since he earned 5 more.   | 17          | 17           | true
            gsm8k      | The answer is 20 (18 + 2).                                   | 20          | 20           | true
            gsm8k      | The answer is therefore 18 + 2 = 20.                         | 20          | 20           | true
            gsm8k      | The answer is 12. No wait, the answer is 15 - 1 = 14.        | 14          | 12           | false
            gsm8k      | The answer is 12. No wait, the answer is 15 - 1 = 14.        | 14          | 14           | true
            gsm8k      | The answer is 2x + 3 = 11, so x = 4.                         | 4           | 4            | true
            gsm8k      | 3 + 4 = 7\\nThe answer is 8.                                 | 8           | 7            | false
            gsm8k      | The answer is 18 + 2 = 20. Check: 20 - 2 = 18.               | 20          | 18           | false
            gsm8k      | The answer is 5 / 0.                                         | 5/0         | 5            | false
            gsm8k      | The answer is 5 / 0.                                         | 5/0         | 0            | false
            gsm8k      | "\\boxed{18+2=20}"                                           | 20          | 20           | true
            gsm8k      | "\\boxed{5 + 3}"                                             | 8           | 8            | true
            gsm8k      | "So \\boxed{1,200} dollars"                                  | 1200        | 1200         | true
            gsm8k      | The answer is 20 - 2 = 18 - no wait, that is it.             | 18          | 18           | true
            gsm8k      | The answer is 12 - that's my final answer.                   | 12          | 12           | true
            gsm8k      | The answer is 5 - 3 = 2 (five minus three).                  | 2           | 2            | true
            gsm8k      | The answer is 2^3 = 8.                                       | 8           | 8            | true
            gsm8k      | The answer is:\\n\\n18 + 2 = 20                             | 20          | 20           | true
            gsm8k      | The answer is 7 because x = 9.                               | 7           | 9            | false
            gsm8k      | So he has 12 + 5 apples.                                     | 17          | 17           | true
            gsm8k      | So he has 12 + 5 apples.                                     | 17          | 5            | false
            gsm8k      | I used 2 + 2 = 4 earlier; the total is 9.                    | 9           | 4            | false
            math       | "So the total is $\\frac{1}{2} + \\frac{1}{4}$."             | \\frac{3}{4} | 0.75        | true
            math       | "The answer is \\boxed{18+2=20}."                            | 20          | 20           | true
            math       | "$\\boxed{3 \\times 4 = 12}$"                                | 12          | 12           | true
            math       | "\\boxed{\\frac{1}{2} + \\frac{1}{4}}"                       | \\frac{3}{4} | 0.75        | true
            math       | "The answer is $\\frac{6}{4}$."                              | \\frac{6}{4} | \\frac{3}{2} | true
            math       | "Final answer: $12 \\div 4 = 3$"                             | 3           | 3            | true
            math       | "The answer is $2 \\cdot 3 = 6$."                            | 6           | 6            | true
            math       | "The answer is $2 \\cdot 3 = 6$."                            | 6           | 2            | false
            math       | "\\boxed{x = 5}"                                             | 5           | 5            | true
            math       | "The answer is $\\frac{3}{4} \\times 8 = 6$."                | 6           | 6            | true
            math       | "\\boxed{1\\frac{1}{2} + \\frac{1}{2}}"                      | 2           | 2            | true
            math       | "\\boxed{-\\frac{1}{2} \\cdot 4}"                            | -2          | -2           | true
            math       | "\\boxed{0.25 + 0.5}"                                        | 0.75        | \\frac{3}{4} | true
            math       | "\\boxed{10 \\text{ cm} + 5 \\text{ cm}}"                    | 15          | 15           | true
            math       | "The answer is $\\dfrac{7}{2} - \\dfrac{1}{2}$."             | 3           | 3            | true
            math       | "\\boxed{6 \\div 4}"                                         | \\frac{3}{2} | 1.5         | true
            math       | "The answer is 5 + 3"                                        | 8           | 8            | true
            math       | "\\boxed{18 + 2 = 20}"                                       | 20          | 18           | false
            math       | "\\boxed{\\frac{1}{0}}"                                      | \\frac{1}{0} | 1           | false
            math       | "\\boxed{2^{10}}"                                             | 1024        | 1024         | true
            math       | "\\boxed{2^{10}}"                                             | 1024        | 2^{10}       | true
            math       | "\\boxed{2^{-2}}"                                             | \\frac{1}{4} | 0.25        | true
            math       | "\\boxed{2^{100000}}"                                         | 2^{100000}  | 0            | false
            math       | "\\boxed{2\\sqrt{3}}"                                        | 2\\sqrt{3}  | 2\\sqrt{3}   | true
            math       | "\\boxed{1 + \\sqrt{2}}"                                     | 1+\\sqrt{2} | 3            | false
            math       | "\\boxed{2x+3}"                                              | 2x+3        | 5            | false
            math       | "\\boxed{(1, 2)}"                                            | (1,2)       | (2,1)        | false
            math       | "The answer is 1, -2."                                       | 1,-2        | 1,-2         | true
            math       | "The answer is $x^2 + 1$."                                   | x^2+1       | 3            | false
            arithmetic | Mia buys 3 packs of 4: 3 * 4 = 12, so 20 + 12 = 32.\\nThe answer is 32. | 32 | 32     | true
            arithmetic | The answer is 40 - 10 = 30.                                  | 30          | 30           | true
            arithmetic | She now has 40 - 10 stickers.                                | 30          | 30           | true
            arithmetic | The answer is 40 - 10 = 30.                                  | 30          | 40           | false
            arithmetic | Liam keeps one of 4 equal piles: 48 / 4 = 12.                | 12          | 12           | true
            arithmetic | The answer is 48 / 4 = 12 stamps.                            | 12          | 12           | true
            arithmetic | The collection becomes 3 times as large: 12 * 3 = 36.        | 36          | 36           | true
            arithmetic | The answer is 12 * 3.                                        | 36          | 36           | true
            arithmetic | Final answer: 36 − 6 = 30                                    | 30          | 30           | true
            arithmetic | The answer is 30 marbles, because 40 - 10 = 30.              | 30          | 30           | true
            arithmetic | The answer is 31, because 40 - 10 = 30.                      | 31          | 30           | false
            arithmetic | **The answer is:** 40 * 25 / 100 = **10**                    | 10          | 10           | true
            """)
    void should_grade_the_answer_a_person_reads_when_an_ending_holds_an_equation_or_expression(
            String kind, String output, String reads, String reference, boolean right) {
        MathEnvironment environment = environments.get(kind);
        String text = output.replace("\\n", "\n");
        Task task = new Task("t", kind, "How many?", kind.equals("math") ? MathAnswers.normalize(reference) : reference,
                List.of(), Map.of());

        assertThat(environment.extractAnswer(text)).contains(reads);
        Verdict verdict = environment.verify(task, text);
        assertThat(verdict.correct()).isEqualTo(right);
        assertThat(verdict.feedback()).isNotBlank().doesNotContain(right ? "incorrect" : "Correct");
    }
}
