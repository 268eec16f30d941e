package dev.reverb.environments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reverb.environments.code.HumanEval;
import dev.reverb.environments.game24.Game24Puzzles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged dataset files of each kind: every one is a counted bad line or one clear error naming the file. */
class DatasetLinesTest {

    static final String Q1 = "{\"question\": \"What is 2 + 2?\", \"answer\": \"2 + 2 = 4\\n#### 4\"}";
    static final String Q2 = "{\"question\": \"What is 3 + 3?\", \"answer\": \"3 + 3 = 6\\n#### 6\"}";
    static final String HUMANEVAL = "{\"task_id\": \"Toy/0\", \"prompt\": \"def f(x):\\n\", \"entry_point\": \"f\", "
            + "\"canonical_solution\": \"    return x\\n\", \"test\": \"def check(candidate):\\n    assert candidate(1) == 1\\n\"}";

    @TempDir
    Path dir;

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(utf8(text));
        }
        return bytes.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void should_count_a_bad_line_when_text_follows_the_json_object() throws IOException {
        Path file = file("test.jsonl", utf8(Q1 + "\n" + Q2 + "xyz\n" + Q2 + " {\"more\": 1}\n" + Q2 + "  \n"));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);

        assertThat(loaded.items()).extracting(t -> t.metadata().get("line")).containsExactly("1", "4");
        assertThat(loaded.report().issues()).extracting(DatasetReport.Issue::line).containsExactly(2, 3);
        assertThat(loaded.report().issues().get(0).message()).contains("text after the JSON object").contains("xyz");
        assertThat(loaded.report().issues().get(1).message()).contains("text after the JSON object");
    }

    @Test
    void should_count_a_bad_line_when_a_key_is_given_twice() throws IOException {
        Path file = file("test.jsonl", utf8(Q1 + "\n" + Q2.replace("{", "{\"question\": \"x\", ") + "\n"));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);

        assertThat(loaded.items()).hasSize(1);
        assertThat(loaded.report().issues()).singleElement().satisfies(issue -> {
            assertThat(issue.line()).isEqualTo(2);
            assertThat(issue.message()).contains("not valid JSON").contains("question");
        });
    }

    @Test
    void should_keep_line_one_when_the_file_starts_with_a_byte_order_mark() throws IOException {
        Path jsonl = file("test.jsonl", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(Q1 + "\r\n" + Q2 + "\r\n")));
        Path csv = file("24.csv", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                utf8("Rank,Puzzles\n1,1 1 4 6\n")));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(jsonl);

        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.items().get(0).id()).isEqualTo("test-00001");
        assertThat(loaded.report().issues()).isEmpty();
        assertThat(Game24Puzzles.load(csv).tasks()).hasSize(1);
    }

    @Test
    void should_count_a_line_with_a_byte_that_is_not_utf8_and_keep_the_rest() throws IOException {
        byte[] bad = concat(utf8("{\"question\": \"caf"), new byte[] {(byte) 0xE9}, utf8("?\", \"answer\": \"#### 1\"}"));
        Path jsonl = file("test.jsonl", concat(utf8(Q1 + "\n"), bad, utf8("\n" + Q2 + "\n")));
        Path csv = file("24.csv", concat(utf8("Rank,Puzzles,Solved rate\n1,1 1 4 6,99%\n2,1 1 "), new byte[] {(byte) 0xFF},
                utf8(" 11,98%\n3,1 1 3 8,97%\n")));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(jsonl);
        Game24Puzzles.Loaded puzzles = Game24Puzzles.load(csv);

        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.report().issues()).singleElement().hasToString("line 2: not valid UTF-8: byte 0xE9 at column 18");
        assertThat(puzzles.tasks()).extracting(Task::id).containsExactly("game24-0001", "game24-0003");
        assertThat(puzzles.report().issues()).singleElement()
                .satisfies(issue -> assertThat(issue.toString()).startsWith("line 3: not valid UTF-8: byte 0xFF"));
    }

    @Test
    void should_read_every_member_of_a_concatenated_gzip_file() throws IOException {
        Path file = file("test.jsonl.gz", concat(gzip(Q1 + "\n"), gzip(Q2 + "\n")));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);

        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.report().issues()).isEmpty();
    }

    @Test
    void should_report_bytes_after_the_gzip_data() throws IOException {
        Path file = file("test.jsonl.gz", concat(gzip(Q1 + "\n" + Q2 + "\n"), utf8("garbage")));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);

        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.report().issues()).singleElement().satisfies(issue -> {
            assertThat(issue.line()).isEqualTo(3);
            assertThat(issue.message()).contains("after the end of its gzip data").contains("7 byte(s)")
                    .contains("not gzip data");
        });
    }

    @Test
    void should_locate_the_damage_when_gzip_data_is_cut_or_corrupt() throws IOException {
        byte[] whole = gzip(Q1 + "\n" + Q2 + "\n" + Q1.replace("2 + 2", "1 + 3") + "\n");
        Path cut = file("cut.jsonl.gz", Arrays.copyOf(whole, whole.length - 20));
        byte[] flipped = whole.clone();
        flipped[whole.length - 8] ^= 1; // the stored CRC-32
        Path corrupt = file("corrupt.jsonl.gz", flipped);
        Path header = file("header.jsonl.gz", Arrays.copyOf(whole, 5));

        JsonLines.Loaded<Task> fromCut = Gsm8k.load(cut);
        JsonLines.Loaded<Task> fromCorrupt = Gsm8k.load(corrupt);

        assertThat(fromCut.report().issues()).last().satisfies(issue -> assertThat(issue.message())
                .contains("damaged or truncated").containsPattern("ends inside the compressed data at byte \\d+"));
        assertThat(fromCorrupt.items()).hasSize(3);
        assertThat(fromCorrupt.report().issues()).singleElement().satisfies(issue -> {
            assertThat(issue.line()).isEqualTo(4);
            assertThat(issue.message()).contains("CRC-32");
        });
        assertThatThrownBy(() -> Gsm8k.load(header)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("no tasks in " + header.toAbsolutePath())
                .hasMessageContaining("first: line 1: the compressed file is damaged or truncated")
                .hasMessageContaining("(truncated)");
    }

    @Test
    void should_refuse_a_text_file_given_as_humaneval_with_one_message_naming_it() throws IOException {
        Path file = file("HumanEval.jsonl", utf8("This is not a dataset.\nNor is this line.\n\nOr this.\n"));

        assertThatThrownBy(() -> HumanEval.load(file)).isInstanceOf(DatasetException.class)
                .hasMessage("no tasks in " + file.toAbsolutePath() + ": 3 lines, all bad; first: line 1: not valid JSON"
                        + " at column 1: Unrecognized token 'This': was expecting (JSON String, Number, Array, Object or"
                        + " token 'null', 'true' or 'false')");
    }

    @Test
    void should_refuse_an_empty_or_blank_or_header_only_file() throws IOException {
        Path empty = file("empty.jsonl", new byte[0]);
        Path blank = file("blank.jsonl", utf8("\n  \n\r\n"));
        Path headerOnly = file("24.csv", utf8("Rank,Puzzles,Solved rate\n"));
        Path noHeader = file("other.csv", utf8("1,1 1 4 6\n"));
        Path emptyGzip = file("empty.jsonl.gz", gzip(""));

        assertThatThrownBy(() -> Gsm8k.load(empty)).isInstanceOf(DatasetException.class)
                .hasMessage("no tasks in " + empty.toAbsolutePath() + ": the file is empty");
        assertThatThrownBy(() -> MathDataset.load(blank)).hasMessageEndingWith(": only blank lines");
        assertThatThrownBy(() -> Game24Puzzles.load(headerOnly)).hasMessageEndingWith(": nothing after the header");
        assertThatThrownBy(() -> Game24Puzzles.load(noHeader)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("not a Game of 24 CSV: line 1 of " + noHeader.toAbsolutePath());
        assertThatThrownBy(() -> HumanEval.load(emptyGzip)).hasMessageEndingWith(": the file is empty");
    }

    @Test
    void should_refuse_random_bytes_with_a_located_message_and_no_other_exception() throws IOException {
        byte[] noise = new byte[200_000];
        new Random(7).nextBytes(noise);
        Path plain = file("noise.jsonl", noise);
        noise[0] = 0x1f;
        noise[1] = (byte) 0x8b;
        noise[2] = 8;
        noise[3] = 0;
        Path gz = file("noise.jsonl.gz", noise);
        Path utf16 = file("utf16.jsonl", concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, Q1.getBytes(StandardCharsets.UTF_16LE)));

        assertThatThrownBy(() -> HumanEval.load(plain)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("all bad; first: line 1: ");
        assertThatThrownBy(() -> Game24Puzzles.load(plain)).isInstanceOf(DatasetException.class);
        assertThatThrownBy(() -> Gsm8k.load(gz)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("first: line 1: the compressed file is damaged or truncated");
        assertThatThrownBy(() -> Gsm8k.load(utf16)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("UTF-16 byte-order mark: save it as UTF-8");
        Path zip = file("data.jsonl", concat(new byte[] {'P', 'K', 3, 4, 20, 0, 8, 0, (byte) 0x80}, noise));
        assertThatThrownBy(() -> Gsm8k.load(zip)).hasMessageContaining("(the file is a zip archive, not text: unpack it first)");
    }

    @Test
    void should_say_why_a_file_cannot_be_read() {
        assertThatThrownBy(() -> Gsm8k.load(dir.resolve("missing.jsonl"))).isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot read dataset " + dir.resolve("missing.jsonl").toAbsolutePath() + ": no such file or folder");
        assertThatThrownBy(() -> Game24Puzzles.load(dir)).isInstanceOf(UncheckedIOException.class)
                .hasMessageEndingWith(": it is a folder, not a file");
    }

    @Test
    void should_count_a_line_nested_too_deep_for_the_json_parser_as_bad() throws IOException {
        Path file = file("test.jsonl", utf8(Q1 + "\n" + "[".repeat(5000) + "\n" + Q2 + "\n"));

        JsonLines.Loaded<Task> loaded = Gsm8k.load(file);

        assertThat(loaded.items()).hasSize(2);
        assertThat(loaded.report().issues()).singleElement().satisfies(issue -> {
            assertThat(issue.line()).isEqualTo(2);
            assertThat(issue.message()).startsWith("not valid JSON").containsIgnoringCase("depth");
        });
    }
}
