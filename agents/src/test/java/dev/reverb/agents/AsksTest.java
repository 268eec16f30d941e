package dev.reverb.agents;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.StatusReply;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AsksTest {

    static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** Asks for {@code n}: an even one is answered, an odd one refused with an error reply. */
    record Question(int n, ActorRef<StatusReply<Integer>> replyTo) {
    }

    /** An answer or an error, as the asking actor adapted it (on its own thread). */
    record Adapted(Integer value, Throwable error) {
    }

    static final Behavior<Question> ANSWERER = Behaviors.receiveMessage(q -> {
        q.replyTo().tell(q.n() % 2 == 0 ? StatusReply.success(q.n() * 10) : StatusReply.error("odd " + q.n()));
        return Behaviors.same();
    });

    /** Asks {@code target} {@code count} times at once and sends every adapted reply to {@code report}. */
    static Behavior<Adapted> asker(ActorRef<Question> target, int count, Duration timeout, ActorRef<Adapted> report) {
        return Behaviors.setup(ctx -> {
            for (int i = 0; i < count; i++) {
                int n = i;
                Asks.<Adapted, Question, Integer>askWithStatus(ctx, Integer.class, target, timeout, ref -> new Question(n, ref),
                        Adapted::new);
            }
            return Behaviors.receiveMessage(adapted -> {
                report.tell(adapted);
                return Behaviors.same();
            });
        });
    }

    @Test
    void should_adapt_answers_and_error_replies_without_a_thread_per_reply_when_many_asks_are_answered() {
        ActorRef<Question> answerer = KIT.spawn(ANSWERER);
        TestProbe<Adapted> report = KIT.createTestProbe();
        long threadsBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();

        KIT.spawn(asker(answerer, 400, Duration.ofSeconds(10), report.getRef()));
        List<Adapted> replies = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            replies.add(report.receiveMessage(Duration.ofSeconds(10)));
        }

        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threadsBefore;
        assertThat(started).as("threads started for 400 replies").isLessThan(20);
        assertThat(replies.stream().filter(r -> r.error() == null).map(Adapted::value))
                .hasSize(200).allSatisfy(v -> assertThat(v % 20).isZero());
        assertThat(replies.stream().filter(r -> r.error() != null).map(r -> r.error().getMessage()))
                .hasSize(200).allSatisfy(m -> assertThat(m).startsWith("odd "));
    }

    @Test
    void should_adapt_a_timeout_into_the_error_when_no_reply_comes() {
        ActorRef<Question> silent = KIT.spawn(Behaviors.ignore());
        TestProbe<Adapted> report = KIT.createTestProbe();

        KIT.spawn(asker(silent, 1, Duration.ofMillis(100), report.getRef()));

        Adapted adapted = report.receiveMessage(Duration.ofSeconds(5));
        assertThat(adapted.value()).isNull();
        assertThat(adapted.error()).isInstanceOf(TimeoutException.class);
    }
}
