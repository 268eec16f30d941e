package dev.reverb.environments.code;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SandboxTest {

    static Sandbox sandbox;
    static final Sandbox.Limits LIMITS = Sandbox.Limits.defaults().withWallTime(Duration.ofSeconds(5));

    @BeforeAll
    static void python() {
        Assumptions.assumeTrue(Sandbox.bwrapAvailable(), "bubblewrap (with user namespaces and python3) is not available");
        sandbox = Sandbox.create();
    }

    @Test
    void should_capture_output_and_exit_status_when_a_program_runs() {
        Sandbox.Result result = sandbox.run("import sys\nprint('hi')\nprint('oops', file=sys.stderr)\nsys.exit(3)", LIMITS);

        assertThat(result.exitStatus()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("hi\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(result.timedOut()).isFalse();
        assertThat(result.succeeded()).isFalse();
    }

    @Test
    void should_allow_files_inside_its_directory_and_leave_no_folder_when_the_run_ends() throws Exception {
        long before = leftovers();
        Sandbox.Result result = sandbox.run("""
                import os
                with open('notes.txt', 'w') as f:
                    f.write('kept')
                os.mkdir('sub')
                os.rename('notes.txt', 'sub/n.txt')
                print(open('sub/n.txt').read(), os.getcwd())
                """, LIMITS);

        assertThat(result.succeeded()).as(result.stderr()).isTrue();
        assertThat(result.stdout()).isEqualTo("kept " + Bwrap.WORK + "\n");
        assertThat(leftovers()).isLessThanOrEqualTo(before);
    }

    static long leftovers() throws Exception {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("reverb-sandbox-")).count();
        }
    }

    @Test
    void should_refuse_writing_a_file_when_it_is_outside_the_sandbox_directory(@TempDir Path outside) {
        Path target = outside.resolve("escaped.txt");

        Sandbox.Result result = sandbox.run("open(" + pyString(target.toString()) + ", 'w').write('x')", LIMITS);
        Sandbox.Result system = sandbox.run("open('/usr/bin/evil', 'w').write('x')", LIMITS);

        assertThat(result.succeeded()).isFalse();
        assertThat(target).doesNotExist();
        assertThat(system.succeeded()).isFalse();
        assertThat(system.stderr()).contains("PermissionError: " + Sandbox.REFUSED + " writing to");
        assertThat(Path.of("/usr/bin/evil")).doesNotExist();
    }

    @Test
    void should_refuse_removing_or_renaming_files_when_they_are_outside_the_sandbox_directory(@TempDir Path outside)
            throws Exception {
        Path victim = Files.writeString(outside.resolve("victim.txt"), "precious");

        Sandbox.Result removed = sandbox.run("import os\nos.remove(" + pyString(victim.toString()) + ")", LIMITS);
        Sandbox.Result renamed = sandbox.run("import os\nos.rename(" + pyString(victim.toString()) + ", 'mine.txt')", LIMITS);
        Sandbox.Result tree = sandbox.run("import shutil\nshutil.rmtree(" + pyString(outside.toString()) + ")", LIMITS);

        assertThat(removed.succeeded()).isFalse();
        assertThat(renamed.succeeded()).isFalse();
        assertThat(tree.succeeded()).isFalse();
        assertThat(victim).hasContent("precious");
    }

    @Test
    void should_refuse_a_network_connection_when_code_opens_a_socket() {
        Sandbox.Result result = sandbox.run("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)", LIMITS);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.stderr()).contains("PermissionError: " + Sandbox.REFUSED + " socket.")
                .doesNotContain("Connection refused");
    }

    @Test
    void should_refuse_starting_processes_when_code_forks_or_spawns() {
        Sandbox.Result bomb = sandbox.run("import os\nwhile True: os.fork()", LIMITS);
        Sandbox.Result system = sandbox.run("import os\nos.system('echo escaped')", LIMITS);
        Sandbox.Result popen = sandbox.run("import subprocess\nsubprocess.run(['echo', 'escaped'])", LIMITS);
        Sandbox.Result spawn = sandbox.run(
                "import multiprocessing.util\nmultiprocessing.util.spawnv_passfds(b'/bin/echo', [b'echo', b'escaped'], ())", LIMITS);

        assertThat(bomb.succeeded()).isFalse();
        assertThat(bomb.timedOut()).isFalse();
        assertThat(bomb.stderr()).contains(Sandbox.REFUSED + " os.fork");
        assertThat(system.stderr()).contains(Sandbox.REFUSED + " os.system");
        assertThat(popen.stderr()).contains(Sandbox.REFUSED + " subprocess.Popen");
        assertThat(spawn.stderr()).contains(Sandbox.REFUSED + " _posixsubprocess.fork_exec");
        assertThat(system.stdout() + popen.stdout() + spawn.stdout()).doesNotContain("escaped");
    }

    @Test
    void should_kill_the_run_near_the_wall_time_when_code_loops_forever() {
        Sandbox.Result result = sandbox.run("while True:\n    pass", LIMITS.withWallTime(Duration.ofMillis(1500)));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.wallTime()).isBetween(Duration.ofMillis(1500), Duration.ofMillis(3000));
    }

    @Test
    void should_stop_the_run_when_it_exceeds_the_cpu_limit() {
        Sandbox.Result result = sandbox.run("while True:\n    pass",
                LIMITS.withCpuSeconds(1).withWallTime(Duration.ofSeconds(20)));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void should_report_a_memory_error_when_code_allocates_past_the_memory_limit() {
        Sandbox.Result result = sandbox.run("x = bytearray(2_000_000_000)", LIMITS.withMemoryBytes(256L << 20));

        assertThat(result.memoryError()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stderr()).contains("MemoryError");
    }

    @Test
    void should_kill_the_run_and_keep_only_the_limit_when_code_prints_endlessly() {
        Sandbox.Result result = sandbox.run("while True:\n    print('spam' * 100)", LIMITS.withMaxOutputBytes(10_000));

        assertThat(result.outputLimitExceeded()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stdout()).hasSize(10_000).startsWith("spamspam");
        assertThat(result.wallTime()).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void should_stop_a_write_when_a_file_grows_past_the_file_size_limit() {
        Sandbox.Result result = sandbox.run("with open('big.bin', 'wb') as f:\n    f.write(b'x' * 5_000_000)",
                LIMITS.withMaxFileBytes(1_000_000));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.stderr()).contains("File too large");
    }

    @Test
    void should_keep_runs_apart_when_many_run_at_once() {
        List<Sandbox.Result> results = IntStream.range(0, 8).parallel()
                .mapToObj(i -> sandbox.run("import os\nopen('mine', 'w').write('%d')\nprint(open('mine').read(), len(os.listdir('.')))"
                        .formatted(i), LIMITS))
                .toList();

        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).stdout()).isEqualTo(i + " 1\n");
        }
    }

    @Test
    void should_kill_the_run_when_code_floods_standard_error() {
        Sandbox.Result result = sandbox.run("import sys\nwhile True:\n    sys.stderr.write('e' * 1000)",
                LIMITS.withMaxOutputBytes(5_000));

        assertThat(result.outputLimitExceeded()).isTrue();
        assertThat(result.stderr()).hasSize(5_000);
    }

    @Test
    void should_run_with_a_minimal_environment_when_the_host_has_proxies() {
        Sandbox.Result result = sandbox.run("import os, sys\nprint(sorted(os.environ))\nprint(sys.flags.isolated)", LIMITS);

        assertThat(result.stdout()).doesNotContainIgnoringCase("proxy").contains("'PATH'").endsWith("1\n");
    }

    @Test
    void should_report_a_syntax_error_with_its_line_when_the_program_does_not_parse() {
        Sandbox.Result result = sandbox.run("x = 1\ndef f(:\n    pass", LIMITS);

        assertThat(result.exitStatus()).isEqualTo(1);
        assertThat(result.stderr()).contains("program.py", "line 2", "SyntaxError");
    }

    @Test
    void should_record_bwrap_when_created_by_default() {
        assertThat(sandbox.isolation()).isEqualTo(Sandbox.Isolation.BWRAP);
        assertThat(Sandbox.create(Sandbox.Isolation.BWRAP).isolation()).isEqualTo(Sandbox.Isolation.BWRAP);
        assertThat(Sandbox.Isolation.fromId("unsafe-local")).isEqualTo(Sandbox.Isolation.UNSAFE_LOCAL);
    }

    @Test
    void should_name_both_fixes_when_bwrap_is_unavailable() {
        assertThat(Bwrap.unavailable("bubblewrap is not installed").getMessage())
                .contains("apt-get install bubblewrap").contains("sandbox: unsafe-local");
    }

    @Test
    void should_run_unprivileged_without_host_files_when_behind_bwrap() {
        Sandbox.Result result = sandbox.run("""
                import os
                print(os.getuid(), os.getpid(), sorted(os.listdir('/')), os.uname().nodename)
                """, LIMITS);

        assertThat(result.stdout()).isEqualTo("65534 2 ['bin', 'dev', 'lib', 'lib64', 'proc', 'tmp', 'usr', 'work'] sandbox\n");
    }

    @Test
    void should_keep_the_audit_hook_and_warn_when_unsafe_local_is_chosen() {
        Sandbox unsafe = Sandbox.create(Sandbox.Isolation.UNSAFE_LOCAL);

        Sandbox.Result system = unsafe.run("import os\nos.system('echo escaped')", LIMITS);
        Sandbox.Result unhooked = unsafe.run(RedTeamAttacks.UNHOOK + "\nimport os\nos.system('echo escaped')", LIMITS);

        assertThat(unsafe.isolation()).isEqualTo(Sandbox.Isolation.UNSAFE_LOCAL);
        assertThat(system.stderr()).contains(Sandbox.REFUSED + " os.system");
        assertThat(system.stdout()).doesNotContain("escaped");
        // the in-process guard alone does not hold against hostile code: this is why bwrap is the default
        assertThat(unhooked.stdout()).contains("escaped");
    }

    @Test
    void should_kill_a_double_forked_grandchild_when_the_wall_time_ends() throws Exception {
        String token = "4242." + System.nanoTime() % 100000;
        Sandbox.Result result = sandbox.run(RedTeamAttacks.UNHOOK + """
                import os, time
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execv('/usr/bin/sleep', ['sleep', 'TOKEN'])
                    os._exit(0)
                while True:
                    pass
                """.replace("TOKEN", token), LIMITS.withWallTime(Duration.ofMillis(1500)));
        Thread.sleep(500);

        assertThat(result.timedOut()).isTrue();
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(token)))
                .isEmpty();
    }

    static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
