package dev.reverb.environments.code;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Grading the candidate cannot reach: the candidate's program and the tests run in two sandboxed
 * interpreters, and the JVM relays calls between them as lines of plain data (see {@link Harness}).
 * The test side runs trusted code only (the task's prompt, which defines helpers such as
 * HumanEval/32's {@code poly}, and its {@code check}), with the entry point bound to a proxy; the
 * verdict is the test side's: its {@code DONE} line and exit status 0. Nothing the candidate prints,
 * patches, reads or exits with reaches that interpreter: its return values arrive as JSON and are
 * rebuilt from plain types there, so an {@code __eq__} that is always true, patched builtins,
 * {@code sys.settrace}, printed markers and an early {@code exit(0)} have no effect.
 *
 * <p>Residual risks, as designed: the candidate sees each call's arguments and may answer from a
 * table (as under any test-based grading); arguments and results are copies, so a test that checks
 * an argument mutated in place cannot see the change, and only plain data crosses (None, bool, int,
 * float, str, bytes, complex, list, tuple, dict, set, frozenset; a callable argument, a generator or
 * an object result fails the test; all 164 HumanEval canonical solutions pass); the test side
 * trusts the dataset's test code (it too runs sandboxed). For agent-written tests, only the
 * program's top-level functions are reachable (not its constants or classes, nor a function named
 * like a builtin), and a program that disables its per-call alarm fails the remaining tests by
 * timeout. The kernel boundary shares the host kernel (no seccomp filter: a kernel exploit is out of
 * scope), limits memory per interpreter with RLIMIT_AS rather than a cgroup, and a CPU-heavy
 * candidate still competes with the host for CPU until its limits stop it.
 */
final class Grader {

    /** The verdict of a check and its feedback. */
    record Outcome(boolean passed, String feedback) {
    }

    static final String EXITED = "The program exited before the tests finished; do not call exit() or quit().";
    private static final Pattern RESULT = Pattern.compile("^R (\\d+) (pass|fail) (.*)$");

    private Grader() {
    }

    /** Runs {@code check(entry)} of a problem against a program. */
    static Outcome check(Sandbox sandbox, HumanEval.Problem problem, String program, Sandbox.Limits limits) {
        Execution candidate = sandbox.start("candidate", List.of(), program, limits);
        Execution tests = sandbox.start("tests", List.of(problem.entryPoint()),
                problem.prompt() + "\n\n" + problem.test() + "\n", limits);
        String ready = candidate.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            tests.kill();
            tests.finish();
            return new Outcome(false, loadFailure(candidate.finish(), limits));
        }
        tests.writeLine("[]");
        boolean[] flags = new boolean[2]; // done, candidate failed
        relay(candidate, tests, line -> {
            if (line.equals("DONE")) {
                flags[0] = true;
            } else if (line.equals("CANDIDATE_FAILED")) {
                flags[1] = true;
            }
        });
        Sandbox.Result test = tests.finish();
        candidate.kill();
        Sandbox.Result run = candidate.finish();
        if (flags[0] && test.succeeded()) {
            return new Outcome(true, "All tests passed.");
        }
        if (flags[1] || run.timedOut()) {
            return new Outcome(false, run.exitStatus() == 0 && !run.timedOut() ? EXITED
                    : CodeEnvironment.describeFailure(run, limits));
        }
        return new Outcome(false, CodeEnvironment.describeFailure(test, limits));
    }

    /** Runs agent-written tests against a program; each test has the wall time of {@code limits}. */
    static CodeEnvironment.TestReport runTests(Sandbox sandbox, String program, List<String> cases,
                                               Sandbox.Limits limits, String testsJson) {
        Sandbox.Limits all = limits.times(cases.size() + 1);
        Execution candidate = sandbox.start("candidate", List.of(), program, all);
        Execution tests = sandbox.start("tests", List.of("-", Double.toString(limits.wallTime().toMillis() / 1000.0)),
                "", all);
        String ready = candidate.readLine();
        Map<Integer, CodeEnvironment.TestOutcome> outcomes = new LinkedHashMap<>();
        String whyMissing;
        if (ready == null || !ready.startsWith("READY ")) {
            tests.kill();
            tests.finish();
            whyMissing = loadFailure(candidate.finish(), all);
        } else {
            tests.writeLine(ready.substring("READY ".length()));
            tests.writeLine(testsJson);
            relay(candidate, tests, line -> {
                Matcher m = RESULT.matcher(line);
                if (m.matches()) {
                    int index = Integer.parseInt(m.group(1));
                    if (index >= 0 && index < cases.size()) {
                        outcomes.put(index, new CodeEnvironment.TestOutcome(cases.get(index), m.group(2).equals("pass"),
                                CodeEnvironment.abbreviate(CodeEnvironment.parseJsonString(m.group(3)))));
                    }
                }
            });
            Sandbox.Result test = tests.finish();
            candidate.kill();
            Sandbox.Result run = candidate.finish();
            whyMissing = run.timedOut() || test.timedOut() ? CodeEnvironment.describeFailure(run.timedOut() ? run : test, all)
                    : CodeEnvironment.describeFailure(test, all);
        }
        List<CodeEnvironment.TestOutcome> ordered = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            ordered.add(outcomes.getOrDefault(i, new CodeEnvironment.TestOutcome(cases.get(i), false, whyMissing)));
        }
        return new CodeEnvironment.TestReport(ordered);
    }

    /** Passes the test side's calls to the candidate and its answers back, until the test side ends. */
    private static void relay(Execution candidate, Execution tests, Consumer<String> onLine) {
        String line;
        while ((line = tests.readLine()) != null) {
            if (line.startsWith("C ")) {
                String reply = candidate.writeLine(line.substring(2)) ? candidate.readLine() : null;
                if (!tests.writeLine(reply == null ? "" : reply)) {
                    break;
                }
            } else {
                onLine.accept(line);
            }
        }
    }

    private static String loadFailure(Sandbox.Result run, Sandbox.Limits limits) {
        return run.exitStatus() == 0 && !run.timedOut() ? EXITED : CodeEnvironment.describeFailure(run, limits);
    }
}
