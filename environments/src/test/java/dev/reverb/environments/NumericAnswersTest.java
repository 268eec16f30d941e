package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NumericAnswersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            The answer is 1,200.                                             | 1200
            The answer is 42                                                 | 42
            So the final answer is $18.                                      | 18
            Answer: $18                                                      | 18
            answer: 18.0                                                     | 18
            Final answer: 0.50                                               | 0.5
            #### 72                                                          | 72
            She has 5 + 3 = 8 apples.\\n#### 8                                | 8
            Therefore, \\boxed{42}.                                          | 42
            First I thought \\boxed{10}, but rechecking gives \\boxed{12}.   | 12
            The total is \\boxed{1,200} dollars                              | 1200
            \\boxed{\\frac{3}{4}}                                            | 0.75
            The answer is 3/4.                                               | 0.75
            The answer is -3.                                                | -3
            The temperature dropped to −7 degrees, so the answer is −7.     | -7
            **Answer:** **42**                                               | 42
            The answer is **15** dollars.                                    | 15
            He pays 3 * 4 = 12 dollars. Then 12 + 5 = 17. So he pays 17 dollars in total. | 17
            Step 1: 48/2 = 24\\nStep 2: 48 + 24 = 72                        | 72
            50% of the class, that is 50%                                    | 50
            The answer is 50%.                                               | 50
            I think the answer is 7, although in step 2 I used 9.            | 7
            The final answer is 1,234,567.                                   | 1234567
            The answer is: 5 apples                                          | 5
            The answer is 0.                                                 | 0
            = 18 dollars                                                     | 18
            Total cost: $1,050.00                                            | 1050
            The answer is .5                                                 | 0.5
            The answer = 64                                                  | 64
            After 3 days and 2 hours, she has 36 left.                       | 36
            The answer is $ 25.                                              | 25
            The answer is 2.50 dollars per apple.                            | 2.5
            """)
    void should_read_the_final_number_when_given_realistic_model_output(String output, String expected) {
        assertThat(NumericAnswers.extract(output.replace("\\n", "\n"))).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "I don't know.", "The answer is unclear.", "\\boxed{}"})
    void should_find_nothing_when_the_text_has_no_number(String output) {
        assertThat(NumericAnswers.extract(output)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void should_never_throw_when_given_odd_input() {
        assertThat(NumericAnswers.extract(null)).isEmpty();
        assertThat(NumericAnswers.extract("1/0")).isEmpty();
        assertThat(NumericAnswers.extract("\\boxed{\\boxed{")).isEmpty();
        assertThat(NumericAnswers.extract("9".repeat(5000))).isPresent();
    }

    @org.junit.jupiter.api.Test
    void should_compare_numerically_when_checking_equality() {
        assertThat(NumericAnswers.equal("18", "18.00")).isTrue();
        assertThat(NumericAnswers.equal("1,200", "1200")).isTrue();
        assertThat(NumericAnswers.equal("0.75", "3/4")).isTrue();
        assertThat(NumericAnswers.equal("18", "19")).isFalse();
        assertThat(NumericAnswers.equal("abc", "abc")).isTrue();
        assertThat(NumericAnswers.equal(null, "1")).isFalse();
    }

    @org.junit.jupiter.api.Test
    void should_end_where_the_phrase_pattern_ends_when_scanning_by_hand() {
        String[] parts = {"the", "The", " ", "\n", "\t", "final", "FINAL", "answer", "Answer", "ANSWER", "answe", "is",
                "IS", "iS", ":", "=", "#", "##", "####", "x", "7", "\u212A", "\u0131s", ".", "\u000B", "a"};
        java.util.Random random = new java.util.Random(12);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(12); k >= 0; k--) {
                text.append(parts[random.nextInt(parts.length)]);
            }
            java.util.regex.Matcher m = NumericAnswers.PHRASE.matcher(text);
            int expected = -1;
            while (m.find()) {
                expected = m.end();
            }
            assertThat(NumericAnswers.afterLastPhrase(text.toString())).as("%s", text).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Enter all the solutions, separated by commas.", "Find ALL roots of x^2=1.",
            "List all values in increasing order.", "Alice has 3 apples and gets 4 more.", "A ball costs $3.", "x"})
    void should_see_a_list_question_as_the_patterns_do_when_the_words_are_checked_first(String question) {
        boolean byPatterns = java.util.regex.Pattern.compile("(?i)separated\\s+by\\s+(?:a\\s+)?commas?"
                + "|comma[-\\s]separated|(?:enter|list|find|give)\\s+all\\b|all\\s+(?:of\\s+)?(?:the\\s+)?(?:possible\\s+)?"
                + "(?:real\\s+|integer\\s+|complex\\s+|positive\\s+|negative\\s+|distinct\\s+)?(?:solutions|values|roots|zeros|zeroes)\\b")
                .matcher(question).find() && !java.util.regex.Pattern.compile(
                "(?i)in\\s+(?:increasing|decreasing|ascending|descending|numerical|the\\s+same|that)?\\s*order")
                .matcher(question).find();
        assertThat(MathAnswers.asksForUnorderedList(question)).isEqualTo(byPatterns);
    }

    @ParameterizedTest
    @ValueSource(strings = {" 42.", "42", " -3.", " 0.", " -0.", " 007.", " 123456789012345678.", " 5", "-12", " 1."})
    void should_read_a_plain_integer_as_the_arithmetic_reader_does_when_nothing_else_follows(String after) {
        String read = AnswerArithmetic.first(after).flatMap(r -> r.value().map(Rational::plainText)).orElseThrow();
        assertThat(NumericAnswers.plainInteger("The answer is" + after, "The answer is".length())).isEqualTo(read);
    }

    @ParameterizedTest
    @ValueSource(strings = {" 42 apples.", " 4.5.", " 1,200.", " 3/4.", "  42.", " 42..", " - 3.", " 1234567890123456789.",
            " .", " -.", " x.", ""})
    void should_leave_the_reading_to_the_arithmetic_reader_when_more_than_a_plain_integer_follows(String after) {
        assertThat(NumericAnswers.plainInteger("The answer is" + after, "The answer is".length())).isNull();
    }
}
