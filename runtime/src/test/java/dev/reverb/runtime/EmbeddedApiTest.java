package dev.reverb.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import dev.reverb.agents.Agent;
import dev.reverb.agents.Episode;
import dev.reverb.agents.model.Phase;
import dev.reverb.agents.protocol.EpisodeBehavior;
import dev.reverb.agents.protocol.EpisodeOutcome;
import dev.reverb.agents.protocol.Protocol;
import dev.reverb.agents.protocol.ProtocolDescriptor;
import dev.reverb.agents.protocol.RoundOutcome;
import dev.reverb.environments.Environment;
import dev.reverb.environments.EnvironmentDescriptor;
import dev.reverb.environments.SettingsSpec;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import dev.reverb.runtime.run.RunFolder;
import dev.reverb.runtime.run.Runner;
import dev.reverb.runtime.scenario.Scenario;
import dev.reverb.runtime.scenario.ScenarioException;
import dev.reverb.runtime.scenario.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded API: an environment and a protocol written here, run from a scenario by type name. */
class EmbeddedApiTest {

    @TempDir
    Path tmp;

    /** Tasks that ask to repeat a word; the answer is read from "The answer is X." */
    record Echo(List<String> words) implements Environment {
        static final Pattern ANSWER = Pattern.compile("(?i)the answer is (\\w+)");

        @Override
        public String type() {
            return "echo";
        }

        @Override
        public List<Task> tasks() {
            return words.stream().map(w -> new Task("echo-" + w, "echo", "Repeat this word: " + w, w, List.of(), Map.of()))
                    .toList();
        }

        @Override
        public Optional<String> extractAnswer(String output) {
            Matcher m = ANSWER.matcher(output);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return Optional.ofNullable(last);
        }

        @Override
        public Verdict verify(Task task, String output) {
            String answer = extractAnswer(output).orElse("");
            boolean right = answer.equals(task.referenceAnswer());
            return new Verdict(right, right ? 1 : 0, answer, right ? "Correct." : "That is not the word.");
        }
    }

    /** One agent answers once. */
    record Once(String name, String agent) implements Protocol {
        @Override
        public List<String> agents() {
            return List.of(agent);
        }

        @Override
        public Behavior<?> behavior(Episode episode, ActorRef<EpisodeOutcome> replyTo) {
            return Behaviors.<Run.Answered>setup(ctx -> new Run(ctx, this, episode, replyTo));
        }

        static final class Run extends EpisodeBehavior<Run.Answered> {
            record Answered(Agent.Reply reply, Throwable error) {
            }

            Run(ActorContext<Answered> ctx, Once config, Episode episode, ActorRef<EpisodeOutcome> replyTo) {
                super(ctx, episode, config.name(), config.agents(), replyTo);
                ask(config.agent(), 0, Phase.ANSWER, Map.of(), Answered::new);
            }

            @Override
            public Receive<Answered> createReceive() {
                return newReceiveBuilder().onMessage(Answered.class, a -> {
                    if (a.error() != null) {
                        return fail(a.error());
                    }
                    String text = account(a.reply()).text();
                    var verdict = episode.environment().verify(episode.task(), text);
                    return finish(text, List.of(new RoundOutcome(0, verdict.extracted(), verdict.correct())));
                }).build();
            }
        }
    }

    static final EnvironmentDescriptor ECHO = new EnvironmentDescriptor("echo", "Repeat a word.",
            SettingsSpec.builder().texts("words", 1, "The words to repeat.").required().build(),
            settings -> new Echo(settings.texts("words")));
    static final ProtocolDescriptor ONCE = new ProtocolDescriptor("once", "One agent answers once.",
            SettingsSpec.builder().agent("agent", "Who answers.").required()
                    .integer("tries", 1, 3, 1, "Unused: shows range checks on a registered type.").build(),
            (name, settings, context) -> new Once(name, settings.text("agent")));
    static final Extensions EXTENSIONS = Extensions.NONE.withEnvironment(ECHO).withProtocol(ONCE);

    static final String SCENARIO = """
            name: embedded
            environment:
              type: echo
              words: [apple, pear, plum]
            models:
              m: {model: stand-in, simulated: {accuracy: 1.0}}
            agents:
              - {name: parrot, role: solver, model: m}
            protocols:
              - {name: echo-once, type: once, agent: parrot}
            """;

    @Test
    void should_run_a_registered_environment_and_protocol_from_a_scenario_by_type_name() throws Exception {
        Path file = Files.writeString(tmp.resolve("embedded.yaml"), SCENARIO + "run: {output: " + tmp.resolve("runs") + "}\n");
        Scenario scenario = ScenarioLoader.load(file, List.of(), EXTENSIONS);
        assertThat(scenario.environment().settings().texts("words")).containsExactly("apple", "pear", "plum");

        RunFolder folder = RunFolder.create(scenario.run().output(), scenario.name(), scenario.resolvedYaml());
        Runner.Result result = Runner.run(scenario, folder, new Runner.Options(false,
                new PrintWriter(new StringWriter()), System::getenv, EXTENSIONS));

        assertThat(result.failed()).isZero();
        assertThat(result.summary().table()).contains("echo-once").contains("1.000");
        assertThat(folder.episodeRecords()).hasSize(3);
        // The run folder's resolved scenario loads again with the same registry (what --resume does).
        assertThat(ScenarioLoader.load(folder.scenario(), List.of(), EXTENSIONS).environment().settings())
                .isEqualTo(scenario.environment().settings());
    }

    @Test
    void should_name_the_registered_types_when_a_scenario_uses_an_unknown_one() throws Exception {
        Path file = Files.writeString(tmp.resolve("typo.yaml"), SCENARIO.replace("type: once", "type: onse"));
        assertThatThrownBy(() -> ScenarioLoader.load(file, List.of(), EXTENSIONS))
                .isInstanceOf(ScenarioException.class)
                .hasMessageContaining("protocols[0].type: unknown protocol type 'onse', did you mean 'once'?")
                .hasMessageContaining("registered: once");
        Path plain = Files.writeString(tmp.resolve("embedded.yaml"), SCENARIO);
        assertThatThrownBy(() -> ScenarioLoader.load(plain, List.of())) // without the registry
                .hasMessageContaining("environment.type: unknown environment type 'echo'; built in: arithmetic, game24");
        assertThatThrownBy(() -> EXTENSIONS.withProtocol(new ProtocolDescriptor("debate", "", SettingsSpec.NONE,
                (n, s, c) -> null))).hasMessageContaining("already taken");
    }
}
