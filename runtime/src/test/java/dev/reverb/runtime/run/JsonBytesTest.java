package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonBytesTest {

    /** The bytes the recorder wrote before it wrote bytes itself: Jackson's string, encoded by String.getBytes(UTF_8). */
    private static String jackson(Object value) throws Exception {
        return TraceLinesTest.latin1(Json.MAPPER.writeValueAsString(value));
    }

    private static String string(String text) {
        return TraceLinesTest.written(new JsonBytes(1).string(text));
    }

    @Test
    void should_write_strings_as_jackson_does_when_they_hold_escapes_non_ascii_and_surrogates() throws Exception {
        List<String> texts = List.of("", "plain ascii", "\"", "\\", "\"\\\"", "/", "\u0000", "\u001f", "\u007f", "\u0080",
                "é", "ÿ", "\u0100", "\u07ff", "\u0800", "漢字", "\u2028\u2029", "\uFEFF", "\uFFFF", "\uD83D\uDE00",
                "a\uD83D\uDE00b\uD83D\uDE00", "\uD800\uDC00", "\uDBFF\uDFFF", "\uD83D", "\uDE00", "x\uD83D", "\uDE00x",
                "\uDE00\uD83D", "\uD83D\uD83D\uDE00", "\uD83D\uDE00\uDE00", "tab\tcr\rnl\nbs\bff\f",
                "x".repeat(100_000), "é".repeat(50_000), "\n".repeat(10_000), "\uD83D\uDE00".repeat(10_000),
                "x" + "\uD83D\uDE00".repeat(5_000), "x".repeat(2_047) + "\uD83D\uDE00", "x".repeat(2_047) + "\uD83D",
                "x".repeat(2_047) + "\uD83Dx", "x".repeat(4_095) + "\uD83D\uDE00\n");
        for (String text : texts) {
            assertThat(string(text)).as("%s", text.length() > 40 ? text.substring(0, 40) : text)
                    .isEqualTo(jackson(text));
        }
        assertThat(string(null)).isEqualTo(jackson(null));
    }

    @Test
    void should_write_any_string_as_jackson_does_when_its_chars_are_random() throws Exception {
        Random random = new Random(12);
        char[] special = {'"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', '\u00ff', '\u0100', '\u07ff',
                '\u0800', '\u2028', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFF'};
        JsonBytes reused = new JsonBytes(1); // one buffer for every string, as the recorder keeps one
        StringBuilder expected = new StringBuilder();
        for (int n = 0; n < 20_000; n++) {
            char[] chars = new char[random.nextInt(n % 100 == 0 ? 3_000 : 40)];
            int kind = random.nextInt(4); // ASCII only, mostly ASCII, any char, mostly special
            for (int i = 0; i < chars.length; i++) {
                chars[i] = switch (kind) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> random.nextInt(10) == 0 ? (char) random.nextInt(0x10000) : (char) (0x20 + random.nextInt(0x60));
                    case 2 -> (char) random.nextInt(0x10000);
                    default -> random.nextBoolean() ? special[random.nextInt(special.length)] : (char) random.nextInt(0x10000);
                };
            }
            String text = new String(chars);
            assertThat(string(text)).as("chars %s", text.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(jackson(text));
            reused.string(text).raw(',');
            expected.append(jackson(text)).append(',');
        }
        assertThat(TraceLinesTest.written(reused)).isEqualTo(expected.toString());
    }

    @Test
    void should_write_numbers_as_jackson_does_when_they_are_at_the_limits() throws Exception {
        for (long value : new long[] {0, 1, -1, 9, 10, 99, 100, 12345, -987654321, Integer.MAX_VALUE, Integer.MIN_VALUE,
                999_999_999_999_999_999L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
            assertThat(TraceLinesTest.written(new JsonBytes(1).number(value))).isEqualTo(jackson(value));
        }
    }
}
