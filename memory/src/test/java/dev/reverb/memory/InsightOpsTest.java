package dev.reverb.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.memory.InsightOps.Op;
import dev.reverb.memory.InsightOps.Verb;
import org.junit.jupiter.api.Test;

class InsightOpsTest {

    @Test
    void should_read_every_operation_when_the_model_writes_them_in_expels_format() {
        InsightOps.Parsed parsed = InsightOps.parse("""
                Comparing the successful and failed trials, I suggest:
                ADD: Check that every quantity in the question is used.
                EDIT 2: Convert minutes to hours before multiplying by an hourly rate.
                - UPVOTE 1
                2. **DOWNVOTE 3**
                REMOVE 4: it is too specific
                AGREE 5: still holds
                ADD 6: Re-read the question before answering.
                """);
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.ops()).containsExactly(
                new Op(Verb.ADD, 0, "Check that every quantity in the question is used.", 2),
                new Op(Verb.EDIT, 2, "Convert minutes to hours before multiplying by an hourly rate.", 3),
                new Op(Verb.UPVOTE, 1, "", 4),
                new Op(Verb.DOWNVOTE, 3, "", 5),
                new Op(Verb.REMOVE, 4, "", 6),
                new Op(Verb.UPVOTE, 5, "", 7),
                new Op(Verb.ADD, 0, "Re-read the question before answering.", 8));
    }

    @Test
    void should_report_and_skip_malformed_operations_and_ignore_prose() {
        InsightOps.Parsed parsed = InsightOps.parse("""
                Add a sentence here is prose and is ignored.
                ADD:
                EDIT two: words for a number
                UPVOTE
                DOWNVOTE 0
                REMOVE 3 because it is wrong
                ADDITIONALLY, nothing else.
                UPVOTE 2
                """);
        assertThat(parsed.ops()).containsExactly(new Op(Verb.UPVOTE, 2, "", 8));
        assertThat(parsed.problems()).hasSize(5);
        assertThat(parsed.problems().get(0)).startsWith("line 2: ADD needs a text");
        assertThat(parsed.problems().get(1)).startsWith("line 3: expected EDIT n: text");
        assertThat(parsed.problems().get(2)).startsWith("line 4: UPVOTE needs the number of an insight");
        assertThat(parsed.problems().get(3)).startsWith("line 5: DOWNVOTE needs the number");
        assertThat(parsed.problems().get(4)).startsWith("line 6: expected REMOVE n");
    }

    @Test
    void should_return_nothing_when_the_output_is_empty_or_missing() {
        assertThat(InsightOps.parse(null).ops()).isEmpty();
        assertThat(InsightOps.parse("").problems()).isEmpty();
    }
}
