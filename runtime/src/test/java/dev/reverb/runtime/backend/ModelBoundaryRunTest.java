package dev.reverb.runtime.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.reverb.runtime.cli.ReverbCli;
import dev.reverb.runtime.run.Json;
import dev.reverb.runtime.testing.FakeOpenAiServer;
import dev.reverb.runtime.testing.FakeOpenAiServer.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs ({@code reverb run}, in process) against a real OpenAI-compatible server on loopback:
 * what reaches the server is what a real model would see, never a task's reference answer or
 * reference steps; and a context-length error fails its episode at once with the numbers.
 */
class ModelBoundaryRunTest {

    /** A reference answer and reference steps no prompt template or model reply would contain by chance. */
    static final String ANSWER = "987654";
    static final String STEP = "The zorblax count is 987650 plus 4 quuxle";

    @TempDir
    Path tmp;

    @Test
    void should_never_send_the_reference_answer_or_steps_when_agents_answer_critique_reflect_and_revise()
            throws IOException {
        // always wrong, so every protocol goes on to feedback, critiques, reflections and revisions
        try (FakeOpenAiServer server = FakeOpenAiServer.answering(
                "Step 1: I add the numbers.\nThe answer is 12.\nVERDICT: incorrect")) {
            Path scenario = scenario(server, """
                    protocols:
                      - {name: reflexion, type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
                      - {name: critique-revise, type: critique-revise, proposer: solver, critics: [critic], max-rounds: 3}
                    """);

            Cli run = reverb("run", scenario.toString(), "--no-progress");

            assertThat(run.code()).as(run.err()).isZero();
            List<String> bodies = server.requests().stream().map(JsonNode::toString).toList();
            // two tasks, two protocols, several turns each: the boundary was really crossed many times
            assertThat(bodies).hasSizeGreaterThanOrEqualTo(2 * (3 + 2) + 2 * (3 + 2));
            assertThat(bodies).anyMatch(b -> b.contains("How many zorblaxes"));
            assertThat(bodies).noneMatch(b -> b.contains(ANSWER)).noneMatch(b -> b.contains("zorblax count"))
                    .noneMatch(b -> b.contains("quuxle"));
        }
    }

    @Test
    void should_fail_each_episode_after_one_request_naming_the_numbers_when_the_server_says_the_context_is_exceeded()
            throws IOException {
        try (FakeOpenAiServer server = FakeOpenAiServer.replying(Reply.rawError(400, OpenAiContextLengthTest.VLLM))) {
            Path scenario = scenario(server, """
                    protocol: {type: reflexion, solver: solver, reflector: reflector, max-trials: 3}
                    """);

            Cli run = reverb("run", scenario.toString(), "--no-progress");

            assertThat(run.code()).as("some episodes failed").isNotZero();
            assertThat(server.calls()).as("one request per episode: no retries").isEqualTo(2);
            List<String> errors = new ArrayList<>();
            for (String line : Files.readAllLines(onlyRun().resolve("trace.jsonl"))) {
                JsonNode event = Json.MAPPER.readTree(line);
                if (event.path("type").asText().equals("episode_failed")) {
                    errors.add(event.path("error").asText());
                }
            }
            assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).contains("failed after 1 try: prompt of 4500"
                    + " tokens + max-tokens 1000 exceeds the context of 4096 tokens of model 'policy-model'"));
        }
    }

    private Path scenario(FakeOpenAiServer server, String protocols) throws IOException {
        Path data = tmp.resolve("tasks.jsonl");
        Files.writeString(data, """
                {"question": "How many zorblaxes are there in the first box?", "answer": "%s.\\n#### %s"}
                {"question": "How many zorblaxes are there in the second box?", "answer": "%s.\\n#### %s"}
                """.formatted(STEP, ANSWER, STEP, ANSWER));
        Path scenario = tmp.resolve("boundary.yaml");
        Files.writeString(scenario, """
                name: boundary
                environment: {type: gsm8k, dataset: "%s"}
                models:
                  policy: {model: policy-model, base-url: "%s", max-tokens: 1000, concurrency: 2, timeout: 10s, retries: 3}
                agents:
                  - {name: solver, role: solver, model: policy}
                  - {name: reflector, role: reflector, model: policy}
                  - {name: critic, role: critic, model: policy}
                %s
                run: {concurrency: 2, seed: 1, output: "%s"}
                """.formatted(data, server.baseUrl(), protocols, tmp.resolve("runs")));
        return scenario;
    }

    private Path onlyRun() throws IOException {
        try (Stream<Path> runs = Files.list(tmp.resolve("runs/boundary"))) {
            List<Path> all = runs.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    record Cli(int code, String out, String err) {
    }

    static Cli reverb(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ReverbCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
