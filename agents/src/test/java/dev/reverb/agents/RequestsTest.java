package dev.reverb.agents;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RequestsTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    record Question(long id, int n, ActorRef<Answer> replyTo) {
    }

    record Answer(long id, int value) implements Requests.Tagged {
    }

    /** What the asking actor made of a reply or a timeout, on its own thread. */
    record Adapted(int n, Integer value, Throwable error, int waiting) {
    }

    /** Answers every question with ten times its number, the last first (out of order), after {@code batch} arrived. */
    static Behavior<Question> answerer(int batch) {
        List<Question> held = new ArrayList<>();
        return Behaviors.receiveMessage(q -> {
            held.add(q);
            if (held.size() == batch) {
                for (int i = held.size() - 1; i >= 0; i--) {
                    held.get(i).replyTo().tell(new Answer(held.get(i).id(), held.get(i).n() * 10));
                }
                held.clear();
            }
            return Behaviors.same();
        });
    }

    /** Sends {@code count} questions at once and reports each adapted answer. */
    static Behavior<Adapted> asker(ActorRef<Question> target, int count, Duration timeout, ActorRef<Adapted> report) {
        return Behaviors.setup(ctx -> {
            Requests<Answer, Adapted> requests = new Requests<>(ctx, Answer.class, timeout);
            for (int i = 0; i < count; i++) {
                int n = i;
                requests.send(target, "the answerer", (id, ref) -> new Question(id, n, ref),
                        (answer, error) -> new Adapted(n, answer == null ? null : answer.value(), error,
                                requests.waiting()));
            }
            return Behaviors.receive(Adapted.class).onMessage(Adapted.class, adapted -> {
                report.tell(adapted);
                return Behaviors.same();
            }).build(); // by class, as actors built with a receive builder do: what no case handles is dropped
        });
    }

    @Test
    void should_match_each_reply_to_its_request_when_replies_come_out_of_order() {
        TestProbe<Adapted> report = KIT.createTestProbe();

        KIT.spawn(asker(KIT.spawn(answerer(50)), 50, Duration.ofSeconds(10), report.getRef()));

        List<Adapted> adapted = report.receiveSeveralMessages(50, Duration.ofSeconds(10));
        assertThat(adapted).allSatisfy(a -> {
            assertThat(a.error()).isNull();
            assertThat(a.value()).isEqualTo(a.n() * 10);
        });
        assertThat(adapted.get(0).n()).isEqualTo(49);
        assertThat(adapted.get(49).waiting()).isZero();
    }

    @Test
    void should_fail_every_request_with_a_timeout_naming_the_target_when_no_reply_comes() {
        TestProbe<Adapted> report = KIT.createTestProbe();

        KIT.spawn(asker(KIT.spawn(Behaviors.<Question>ignore()), 3, Duration.ofMillis(200), report.getRef()));

        List<Adapted> adapted = report.receiveSeveralMessages(3, Duration.ofSeconds(5));
        assertThat(adapted).extracting(Adapted::n).containsExactly(0, 1, 2);
        assertThat(adapted).allSatisfy(a -> {
            assertThat(a.value()).isNull();
            assertThat(a.error()).isInstanceOf(TimeoutException.class)
                    .hasMessage("no reply from the answerer within 200 ms");
        });
        report.expectNoMessage(Duration.ofMillis(300));
    }

    @Test
    void should_drop_a_reply_that_comes_after_its_timeout() {
        TestProbe<Adapted> report = KIT.createTestProbe();
        ActorRef<Question> late = KIT.spawn(Behaviors.<Question>receive((ctx, q) -> {
            ctx.scheduleOnce(Duration.ofMillis(400), q.replyTo(), new Answer(q.id(), 1));
            return Behaviors.same();
        }));

        ActorRef<Adapted> asker = KIT.spawn(asker(late, 1, Duration.ofMillis(100), report.getRef()));

        assertThat(report.receiveMessage(Duration.ofSeconds(5)).error()).isInstanceOf(TimeoutException.class);
        report.expectNoMessage(Duration.ofMillis(600));
        asker.tell(new Adapted(7, 7, null, 0)); // still alive after the late reply
        assertThat(report.receiveMessage(Duration.ofSeconds(5)).n()).isEqualTo(7);
    }
}
