package dev.reverb.environments.code;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.reverb.environments.DatasetReport;
import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CodeEnvironmentTest {

    static final HumanEval.Problem ADD = new HumanEval.Problem("Toy/0",
            "def add(a: int, b: int) -> int:\n    \"\"\" Add two numbers.\n    >>> add(2, 3)\n    5\n    \"\"\"\n",
            "add", "    return a + b\n",
            "\n\ndef check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n", 1);
    static final Sandbox.Limits LIMITS = CodeEnvironment.DEFAULT_LIMITS.withWallTime(Duration.ofSeconds(2));

    static Sandbox sandbox;
    static CodeEnvironment toy;

    @BeforeAll
    static void python() {
        Assumptions.assumeTrue(Sandbox.bwrapAvailable(), "bubblewrap (with user namespaces and python3) is not available");
        sandbox = Sandbox.create();
        toy = CodeEnvironment.of(List.of(ADD), DatasetReport.clean("toy", 1), sandbox, LIMITS);
    }

    static Path humanEval() {
        return Path.of(System.getProperty("reverb.shared", "../../shared")).resolve("data/humaneval/HumanEval.jsonl.gz");
    }

    static Task task() {
        return toy.tasks().get(0);
    }

    @Test
    void should_pass_the_canonical_solutions_when_verifying_the_first_humaneval_tasks() {
        Path file = humanEval();
        Assumptions.assumeTrue(Files.exists(file), "HumanEval not present at " + file);

        CodeEnvironment env = CodeEnvironment.humanEval(file.getParent(), null, 10, sandbox, CodeEnvironment.DEFAULT_LIMITS);

        assertThat(env.type()).isEqualTo("humaneval");
        assertThat(env.tasks()).hasSize(10);
        assertThat(env.report().loaded()).isEqualTo(164);
        assertThat(env.report().issues()).isEmpty();
        for (Task task : env.tasks()) {
            String answer = "Here is my solution:\n```python\n" + task.referenceAnswer() + "```\nDone.";
            Verdict verdict = env.verify(task, answer);
            assertThat(verdict.correct()).as(task.id() + ": " + verdict.feedback()).isTrue();
            assertThat(verdict.reward()).isEqualTo(1.0);
            assertThat(verdict.feedback()).isEqualTo("All tests passed.");
        }
    }

    @Test
    void should_fail_with_the_assertion_in_the_feedback_when_a_humaneval_body_is_wrong() {
        Path file = humanEval();
        Assumptions.assumeTrue(Files.exists(file), "HumanEval not present at " + file);
        CodeEnvironment env = CodeEnvironment.humanEval(file, null, 1, sandbox, CodeEnvironment.DEFAULT_LIMITS);
        Task task = env.tasks().get(0);

        Verdict wrong = env.verify(task, "```python\n    return False\n```");
        Verdict empty = env.verify(task, "```python\n    pass\n```");

        assertThat(wrong.correct()).isFalse();
        assertThat(wrong.reward()).isZero();
        assertThat(wrong.extracted()).startsWith(env.problem(task).prompt()).endsWith("    return False\n");
        assertThat(wrong.feedback()).isEqualTo("Failed: assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True");
        assertThat(empty.correct()).isFalse();
        assertThat(empty.feedback()).startsWith("Failed: assert candidate(");
    }

    @Test
    void should_show_the_prompt_and_ask_for_a_python_block_when_building_a_task() {
        Path file = humanEval();
        Assumptions.assumeTrue(Files.exists(file), "HumanEval not present at " + file);

        Task task = CodeEnvironment.humanEval(file, null, 1, sandbox, LIMITS).tasks().get(0);

        assertThat(task.id()).isEqualTo("HumanEval/0");
        assertThat(task.environment()).isEqualTo("humaneval");
        assertThat(task.question()).startsWith(HumanEval.INSTRUCTION).contains("```python\nfrom typing import List")
                .contains("def has_close_elements(numbers: List[float], threshold: float) -> bool:").endsWith("```");
        assertThat(task.metadata()).containsEntry("entry_point", "has_close_elements").containsEntry("line", "1");
    }

    @Test
    void should_take_the_last_python_block_when_the_output_has_several_blocks() {
        String output = "First try:\n```python\nx = 1\n```\nshell:\n```bash\nls\n```\nFinal:\n```python\nx = 2\n```\n";

        assertThat(toy.extractAnswer(output)).contains("x = 2\n");
        assertThat(toy.extractAnswer("```\ny = 3\n```")).contains("y = 3\n");
        assertThat(toy.extractAnswer("def f():\n    return 1")).contains("def f():\n    return 1\n");
        assertThat(toy.extractAnswer("```python\ndef f():\n    return 4")).contains("def f():\n    return 4\n");
        assertThat(toy.extractAnswer("  \n")).isEmpty();
        assertThat(toy.extractAnswer("```python\n```")).isEmpty();
    }

    @Test
    void should_accept_a_full_function_a_body_or_an_unindented_body_when_verifying() {
        assertThat(toy.verify(task(), "```python\ndef add(a, b):\n    return b + a\n```").correct()).isTrue();
        assertThat(toy.verify(task(), "```python\n    return a + b\n```").correct()).isTrue();
        assertThat(toy.verify(task(), "```python\nreturn a + b\n```").correct()).isTrue();
        assertThat(toy.verify(task(), "```python\nimport math\n\ndef add(a, b):\n    return math.fsum([a, b])\n```")
                .correct()).isTrue();
    }

    @Test
    void should_give_concise_feedback_when_the_code_crashes_loops_or_exits_early() {
        Verdict none = toy.verify(task(), "   ");
        Verdict crash = toy.verify(task(), "```python\ndef add(a, b):\n    return a + c\n```");
        Verdict syntax = toy.verify(task(), "```python\ndef add(a, b)\n    return a + b\n```");
        Verdict loop = toy.verify(task(), "```python\ndef add(a, b):\n    while True:\n        pass\n```");
        Verdict memory = toy.verify(task(), "```python\ndef add(a, b):\n    return len(bytearray(10**11))\n```");
        Verdict exit = toy.verify(task(), "```python\nimport sys\ndef add(a, b):\n    sys.exit(0)\n```");

        assertThat(none.feedback()).startsWith("No code found");
        assertThat(crash.feedback()).isEqualTo("NameError: name 'c' is not defined (at line 2 in add: return a + c)");
        assertThat(syntax.feedback()).startsWith("SyntaxError: expected ':' (at line 1: def add(a, b))");
        assertThat(loop.feedback()).isEqualTo("Timed out after 2s (an infinite loop, or too slow).");
        assertThat(memory.feedback()).isEqualTo("Exceeded the memory limit (1024 MB).");
        assertThat(exit.correct()).isFalse();
        assertThat(exit.feedback()).contains("exited before the tests finished");
        for (Verdict v : List.of(none, crash, syntax, loop, memory, exit)) {
            assertThat(v.correct()).isFalse();
            assertThat(v.feedback().length()).isLessThanOrEqualTo(CodeEnvironment.MAX_FEEDBACK);
        }
    }

    @Test
    void should_report_each_internal_test_when_running_agent_written_tests() {
        String program = "def add(a, b):\n    if a > 100:\n        while True:\n            pass\n    return a - b if a < 0 else a + b\n";
        Sandbox.Limits fast = LIMITS.withWallTime(Duration.ofMillis(800));
        CodeEnvironment env = CodeEnvironment.of(List.of(ADD), DatasetReport.clean("toy", 1), sandbox, fast);

        CodeEnvironment.TestReport report = env.runTests(program, List.of(
                "assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(101, 1) == 102",
                "assert add(2, 2) == 4", "assert undefined(1) == 1"));

        assertThat(report.passed()).extracting(CodeEnvironment.TestOutcome::test)
                .containsExactly("assert add(1, 2) == 3", "assert add(2, 2) == 4");
        assertThat(report.failed()).extracting(CodeEnvironment.TestOutcome::message)
                .containsExactly("output: -2", "TimeoutError: timed out after 0.8s", "NameError: name 'undefined' is not defined");
        assertThat(report.allPassed()).isFalse();
        assertThat(report.feedback()).contains("Tests passed:\nassert add(1, 2) == 3\nassert add(2, 2) == 4")
                .contains("Tests failed:\nassert add(-1, 1) == 0 # output: -2");
    }

    @Test
    void should_fail_every_internal_test_with_the_error_when_the_program_does_not_load() {
        CodeEnvironment.TestReport report = toy.runTests("def add(a, b)\n    return a + b\n",
                List.of("assert add(1, 2) == 3", "assert add(0, 0) == 0"));

        assertThat(report.passed()).isEmpty();
        assertThat(report.failed()).hasSize(2).allSatisfy(o -> assertThat(o.message()).startsWith("SyntaxError"));
    }

    @Test
    void should_match_the_codex_estimator_when_computing_pass_at_k() {
        // n, c, k, expected = 1 - C(n-c, k) / C(n, k)
        assertThat(CodeEnvironment.passAtK(1, 1, 1)).isEqualTo(1.0);
        assertThat(CodeEnvironment.passAtK(1, 0, 1)).isEqualTo(0.0);
        assertThat(CodeEnvironment.passAtK(10, 3, 1)).isCloseTo(0.3, within(1e-12));
        assertThat(CodeEnvironment.passAtK(10, 3, 2)).isCloseTo(1 - 21.0 / 45, within(1e-12));
        assertThat(CodeEnvironment.passAtK(5, 2, 3)).isCloseTo(0.9, within(1e-12));
        assertThat(CodeEnvironment.passAtK(10, 8, 3)).isEqualTo(1.0);
        assertThat(CodeEnvironment.passAtK(200, 13, 10)).isCloseTo(0.4975511147306061, within(1e-12));
        assertThat(CodeEnvironment.passAtK(200, 0, 100)).isEqualTo(0.0);
        assertThatThrownBy(() -> CodeEnvironment.passAtK(5, 6, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CodeEnvironment.passAtK(5, 1, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void should_refuse_a_task_when_it_is_not_from_this_environment() {
        Task other = new Task("Other/1", "humaneval", "q", "", List.of(), null);
        assertThatThrownBy(() -> toy.verify(other, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Other/1");
    }

    @Test
    void should_warn_only_when_code_runs_without_kernel_isolation() {
        assertThat(toy.warnings()).isEmpty();
        CodeEnvironment unsafe = CodeEnvironment.of(List.of(ADD), DatasetReport.clean("toy", 1),
                Sandbox.create(Sandbox.Isolation.UNSAFE_LOCAL), LIMITS);
        assertThat(unsafe.warnings()).singleElement().asString().contains("unsafe-local").contains("kernel isolation");
    }
}
