package dev.reverb.agents.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import dev.reverb.agents.AgentSpec;
import dev.reverb.agents.Episode;
import dev.reverb.agents.PromptTemplate;
import dev.reverb.agents.Role;
import dev.reverb.agents.model.GatewaySettings;
import dev.reverb.agents.model.ModelGateway;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.model.Sampling;
import dev.reverb.agents.protocol.ProtocolTestKit.ScriptedModel;
import dev.reverb.environments.InteractiveEnvironment;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import dev.reverb.memory.Recall;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReactTest {

    static final ActorTestKit KIT = ActorTestKit.create();
    static final Task TASK = new Task("count", "counter", "Reach 3 with 'inc'.", "inc\ninc\ninc", List.of(), Map.of());

    @AfterAll
    static void shutdown() {
        KIT.shutdownTestKit();
    }

    /** A counter from 0: "inc" adds one, "dec" takes one, anything else is invalid; done at 3; 4 actions at most. */
    static final InteractiveEnvironment COUNTER = new InteractiveEnvironment() {
        @Override
        public Session session(Task task) {
            return new Session() {
                int value;
                int used;

                @Override
                public String observation() {
                    return "The counter shows 0.";
                }

                @Override
                public Outcome step(String action) {
                    used++;
                    boolean valid = action.equals("inc") || action.equals("dec");
                    value += action.equals("inc") ? 1 : action.equals("dec") ? -1 : 0;
                    return new Outcome(valid ? "The counter shows " + value + "." : "Unknown action.", valid, value == 3,
                            used >= 4);
                }
            };
        }

        @Override
        public String type() {
            return "counter";
        }

        @Override
        public List<Task> tasks() {
            return List.of(TASK);
        }

        @Override
        public Optional<String> extractAnswer(String output) {
            return Optional.of(output.strip());
        }

        @Override
        public Verdict verify(Task task, String output) {
            long net = output.lines().filter(l -> l.equals("inc")).count() - output.lines().filter(l -> l.equals("dec")).count();
            return new Verdict(net == 3, net == 3 ? 1 : 0, output.strip(), "The counter ended at " + net + ".");
        }
    };

    static Episode episode(ScriptedModel model) {
        ActorRef<ModelGateway.Command> gateway = KIT.spawn(ModelGateway.create(model,
                new GatewaySettings(4, 100, Duration.ofSeconds(5), 0, Duration.ofMillis(10)), ProtocolTestKit.TRACE::add));
        Map<String, Episode.Binding> bindings = new HashMap<>();
        for (var e : Map.of("actor", Role.SOLVER, "reflector", Role.REFLECTOR).entrySet()) {
            bindings.put(e.getKey(), ProtocolTestKit.binding(KIT, new AgentSpec(e.getKey(), e.getValue(), "scripted",
                    PromptTemplate.defaultFor(e.getValue()), Sampling.DEFAULT), gateway));
        }
        return new Episode("ep-" + System.nanoTime(), TASK, COUNTER, 1, bindings, Recall.EMPTY, ProtocolTestKit.TRACE::add,
                Duration.ofSeconds(5));
    }

    @Test
    void should_act_until_done_then_reflect_after_a_failed_attempt_and_succeed_in_the_next() {
        // First attempt: dec, then inc (reaches only 2 in its 4 actions); after a reflection: inc only.
        ScriptedModel model = new ScriptedModel(r -> {
            String prompt = r.messages().get(r.messages().size() - 1).content();
            if (r.context().phase() == Phase.REFLECT) {
                return "Decrementing first wasted the budget; only increment.";
            }
            boolean reflected = prompt.contains("only increment");
            return "Thought: count up.\nAction: " + (!reflected && r.context().round() == 0 ? "dec" : "inc");
        });
        EpisodeResult r = ProtocolTestKit.run(KIT, new React("react", "actor", "reflector", 3, 10), episode(model));

        assertThat(r.rounds()).extracting(RoundOutcome::correct).containsExactly(false, true);
        assertThat(r.output()).isEqualTo("inc\ninc\ninc");
        assertThat(model.prompts("reflector")).singleElement().asString()
                .contains("Action: dec\nObservation: The counter shows -1.").contains("The counter ended at 2.");
        List<String> actor = model.prompts("actor");
        assertThat(actor.get(1)).contains("Observation: The counter shows 0.\nAction: dec\nObservation: The counter shows -1.");
        assertThat(actor.get(3)).doesNotContain("only increment");
        assertThat(actor.get(4)).contains("only increment").endsWith("Write only step 1: one line. When it gives the final "
                + "answer, end it with \"The answer is X.\""); // a fresh attempt that sees the reflection
        assertThat(actor).hasSize(4 + 3);
    }

    @Test
    void should_read_the_last_action_line_or_else_the_last_line() {
        assertThat(React.action("Thought: hmm\nAction: open box\nAction: take key from box")).isEqualTo("take key from box");
        assertThat(React.action("I will look around.\nlook")).isEqualTo("look");
        assertThat(React.action("Step 3: go to kitchen")).isEqualTo("go to kitchen");
        assertThatThrownBy(() -> new React("r", "a", null, 2, 5)).hasMessageContaining("needs a reflector");
    }

    @Test
    void should_fail_the_episode_with_the_reason_when_the_environment_cannot_open_a_session() {
        InteractiveEnvironment broken = new InteractiveEnvironment() {
            @Override
            public Session session(Task task) {
                throw new IllegalStateException("world file is corrupt");
            }

            @Override
            public String type() {
                return "broken";
            }

            @Override
            public List<Task> tasks() {
                return List.of(TASK);
            }

            @Override
            public Optional<String> extractAnswer(String output) {
                return Optional.empty();
            }

            @Override
            public Verdict verify(Task task, String output) {
                return new Verdict(false, 0, "", "no");
            }
        };
        Episode ok = episode(new ScriptedModel(r -> "Action: inc"));
        Episode episode = new Episode(ok.id(), TASK, broken, 1, ok.agents(), Recall.EMPTY, ProtocolTestKit.TRACE::add,
                Duration.ofSeconds(5));
        akka.actor.testkit.typed.javadsl.TestProbe<EpisodeOutcome> probe = KIT.createTestProbe();
        KIT.spawn(new React("react", "actor", null, 1, 5).behavior(episode, probe.getRef()));
        EpisodeOutcome outcome = probe.receiveMessage(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOfSatisfying(EpisodeOutcome.Failed.class,
                f -> assertThat(f.reason()).contains("world file is corrupt"));
    }
}
