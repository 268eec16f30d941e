package dev.reverb.environments.code;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reverb.environments.Task;
import dev.reverb.environments.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The two-process grading against the real HumanEval file (skips when the data is absent). */
@Timeout(600)
class HumanEvalGradingTest {

    static CodeEnvironment env;

    @BeforeAll
    static void data() {
        Path file = CodeEnvironmentTest.humanEval();
        Assumptions.assumeTrue(Files.exists(file), "HumanEval not present at " + file);
        Assumptions.assumeTrue(Sandbox.bwrapAvailable(), "bubblewrap (with user namespaces and python3) is not available");
        env = CodeEnvironment.humanEval(file, null, null, Sandbox.create(), CodeEnvironment.DEFAULT_LIMITS);
    }

    @Test
    void should_pass_every_canonical_solution_when_grading_in_two_sandboxes() throws Exception {
        Map<String, String> failures = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = env.tasks().stream().map(task -> pool.submit(() -> {
                Verdict verdict = env.verify(task, "```python\n" + task.referenceAnswer() + "```");
                if (!verdict.correct()) {
                    failures.put(task.id(), verdict.feedback());
                }
            })).<Future<?>>map(f -> f).toList();
            for (Future<?> future : all) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("HumanEval canonical solutions: %d/%d passed in %.1f s%n",
                env.tasks().size() - failures.size(), env.tasks().size(), seconds);

        assertThat(env.tasks()).hasSize(164);
        assertThat(failures).isEmpty();
    }

    @Test
    void should_fail_wrong_and_faked_solutions_when_grading_real_tasks() {
        Task first = env.tasks().get(0); // has_close_elements -> bool
        Task poly = env.tasks().stream().filter(t -> t.id().equals("HumanEval/32")).findFirst().orElseThrow();

        List<String> wrong = List.of(
                "```python\n    return True\n```",
                "```python\nclass T:\n    def __eq__(self, o): return True\n    def __bool__(self): return True\n"
                        + "def has_close_elements(numbers, threshold):\n    return T()\n```",
                "```python\nimport sys\nsys.settrace(lambda *a: None)\ndef has_close_elements(numbers, threshold):\n"
                        + "    import builtins; builtins.abs = lambda x: 0\n    return False\n```",
                "```python\ndef has_close_elements(numbers, threshold):\n    print('All tests passed.')\n"
                        + "    raise SystemExit(0)\n```");
        for (String answer : wrong) {
            Verdict verdict = env.verify(first, answer);
            assertThat(verdict.correct()).as(answer + " -> " + verdict.feedback()).isFalse();
        }
        Verdict fakedPoly = env.verify(poly, "```python\ndef poly(xs, x):\n    return 0\n"
                + "def find_zero(xs):\n    return 12345.0\n```");
        assertThat(fakedPoly.correct()).as(fakedPoly.feedback()).isFalse();
    }
}
