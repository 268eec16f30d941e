package dev.reverb.runtime.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.agents.trace.TraceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceQueueTest {

    private static TraceEvent event(int round) {
        return new TraceEvent.ProtocolEvent(Instant.EPOCH, "e", "p", round, "x", null);
    }

    private static List<Integer> rounds(TraceQueue queue) {
        List<Integer> rounds = new ArrayList<>();
        for (TraceQueue.Waiting w = queue.takeAll(); w != null; w = w.next()) {
            rounds.add(((TraceEvent.ProtocolEvent) w.event).round());
        }
        return rounds;
    }

    @Test
    void should_give_events_oldest_first_and_wake_the_recorder_once_until_it_idles_when_events_keep_coming() {
        List<TraceQueue> woken = new ArrayList<>();
        TraceQueue queue = new TraceQueue(woken::add);
        assertThat(queue.takeAll()).isNull();

        for (int i = 0; i < 5; i++) {
            queue.emit(event(i));
        }
        assertThat(woken).hasSize(1);
        assertThat(queue.isEmpty()).isFalse();
        assertThat(rounds(queue)).containsExactly(0, 1, 2, 3, 4);
        assertThat(queue.isEmpty()).isTrue();

        queue.emit(event(5)); // the recorder still takes events: no new wake
        assertThat(woken).hasSize(1);
        queue.idle();
        queue.emit(event(6));
        assertThat(woken).hasSize(2).allMatch(q -> q == queue);
        assertThat(rounds(queue)).containsExactly(5, 6);
    }
}
