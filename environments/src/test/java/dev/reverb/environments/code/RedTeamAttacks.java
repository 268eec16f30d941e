package dev.reverb.environments.code;

import dev.reverb.environments.code.RedTeamTest.Attack;
import dev.reverb.environments.code.RedTeamTest.Kind;
import dev.reverb.environments.code.RedTeamTest.Mode;
import java.util.ArrayList;
import java.util.List;

/**
 * The hostile programs of {@link RedTeamTest}. Placeholders: {OUT} a host folder outside the sandbox
 * (world-writable), {VICTIM} a file in it, {SECRET} a secret file, {PORT} a loopback listener,
 * {VPID} a victim process (its environment holds the secret), {JVM} the test JVM's pid, {ROOT} the
 * project folder, {TOKEN} a number to find a stray process by, {UNHOOK} code that switches the
 * in-process audit hook off (found through {@code gc}, its body replaced by a no-op).
 */
final class RedTeamAttacks {

    private RedTeamAttacks() {
    }

    /** Gives the audit hook a no-op body and puts fork_exec back; prints whether it found the hook. */
    static final String UNHOOK = """
            import gc, dis, sys
            def _unhook():
                found = 0
                for f in gc.get_objects():
                    if type(f).__name__ == 'function' and f.__name__ == 'hook' and f.__closure__:
                        c = f.__code__
                        consts = c.co_consts if None in c.co_consts else c.co_consts + (None,)
                        body = bytes([dis.opmap['RESUME'], 0, dis.opmap['LOAD_CONST'], consts.index(None),
                                      dis.opmap['RETURN_VALUE'], 0])
                        f.__code__ = c.replace(co_code=body, co_consts=consts, co_exceptiontable=b'', co_linetable=b'')
                        found += 1
                return found
            print('unhooked', _unhook(), file=sys.stderr)
            """;

    static List<Attack> all() {
        List<Attack> a = new ArrayList<>();
        // --- writes outside the work folder, by every route
        run(a, "write-open", "open('{OUT}/escaped.txt', 'w').write('x')");
        run(a, "write-unhooked-open", "{UNHOOK}\nopen('{OUT}/escaped.txt', 'w').write('x')\nopen('{VICTIM}', 'a').write('x')");
        run(a, "write-dir-fd", "{UNHOOK}\nimport os\nfd = os.open('{OUT}', os.O_RDONLY)\n"
                + "os.close(os.open('escaped.txt', os.O_CREAT | os.O_WRONLY, dir_fd=fd))");
        run(a, "write-hard-link", "{UNHOOK}\nimport os\nos.link('{VICTIM}', 'mine')\nopen('mine', 'w').write('pwned')");
        run(a, "write-fchmod", "{UNHOOK}\nimport os\nfd = os.open('{VICTIM}', os.O_RDONLY)\nos.fchmod(fd, 0o777)");
        run(a, "write-mknod", "{UNHOOK}\nimport os, stat\nos.mknod('{OUT}/node', stat.S_IFREG | 0o644)");
        run(a, "write-mkfifo", "{UNHOOK}\nimport os\nos.mkfifo('{OUT}/fifo')");
        run(a, "write-sqlite", "import sqlite3\nsqlite3.connect('{OUT}/db.sqlite').execute('create table t(x)')");
        run(a, "write-setxattr", "{UNHOOK}\nimport os\nos.setxattr('{VICTIM}', 'user.pwned', b'1')");
        run(a, "write-rename", "{UNHOOK}\nimport os\nos.rename('{VICTIM}', '{OUT}/renamed.txt')");
        run(a, "write-unlink", "{UNHOOK}\nimport os\nos.unlink('{VICTIM}')");
        run(a, "write-symlink", "{UNHOOK}\nimport os\nos.symlink('{OUT}', 'link')\nopen('link/escaped.txt', 'w').write('x')");
        run(a, "write-rmtree", "{UNHOOK}\nimport shutil\nshutil.rmtree('{OUT}')");
        run(a, "write-truncate-utime", "{UNHOOK}\nimport os\nos.utime('{VICTIM}', (0, 0))\nos.truncate('{VICTIM}', 0)");
        run(a, "write-project", "{UNHOOK}\nopen('{ROOT}/pom.xml', 'a').write('<!-- pwned -->')\n"
                + "open('{ROOT}/escaped.txt', 'w').write('x')");
        run(a, "write-root-home", "{UNHOOK}\nopen('/root/reverb-escaped', 'w').write('x')");
        run(a, "write-proc-root", "{UNHOOK}\nimport os\nfor p in os.listdir('/proc'):\n    try:\n"
                + "        open(f'/proc/{p}/root{OUT}/escaped.txt', 'w').write('x')\n    except OSError:\n        pass");
        run(a, "write-ro-system", "{UNHOOK}\nimport os\nopen('/usr/lib/python3.11/os.py', 'a').write('# pwned')\n"
                + "os.chmod('/usr/bin/python3.11', 0o777)");
        run(a, "write-ro-system-link", "{UNHOOK}\nimport os\nos.link('/usr/bin/python3.11', 'py')\n"
                + "os.chmod('py', 0o777)\nopen('py', 'ab').write(b'x')");
        // --- the in-process guard switched off, then processes, shells and sockets
        run(a, "unhook-system", "{UNHOOK}\nimport os\nos.system('echo x > {OUT}/escaped.txt; touch /root/reverb-escaped')");
        run(a, "unhook-closure-cleared", """
                import gc, os
                for f in gc.get_objects():
                    if type(f).__name__ == 'function' and f.__name__ == 'hook' and f.__closure__:
                        for cell in f.__closure__:
                            v = cell.cell_contents
                            if type(v) in (set, dict):
                                cell.cell_contents = type(v)()
                            elif getattr(v, '__name__', '') == 'inside':
                                cell.cell_contents = lambda p: True
                os.system('touch {OUT}/escaped.txt')
                open('{OUT}/escaped2.txt', 'w').write('x')
                """);
        run(a, "unhook-builtins-swap", "import builtins\nbuiltins.isinstance = lambda *a: True\n"
                + "open('{OUT}/escaped.txt', 'w').write('x')");
        run(a, "unhook-subinterpreter", "import _xxsubinterpreters as s\ni = s.create()\n"
                + "s.run_string(i, \"import os; os.system('touch {OUT}/escaped.txt')\")");
        run(a, "unhook-posix-spawn", "{UNHOOK}\nimport os\n"
                + "os.waitpid(os.posix_spawn('/bin/sh', ['sh', '-c', 'touch {OUT}/escaped.txt'], {}), 0)");
        run(a, "unhook-ctypes-system", "{UNHOOK}\nimport ctypes\nctypes.CDLL(None).system(b'touch {OUT}/escaped.txt')");
        run(a, "unhook-fork-exec", "{UNHOOK}\nimport os\npid = os.fork()\nif pid == 0:\n"
                + "    os.execv('/usr/bin/touch', ['touch', '{OUT}/escaped.txt'])\nos.waitpid(pid, 0)");
        // --- network
        run(a, "net-socket", "import socket\nsocket.create_connection(('127.0.0.1', {PORT}), timeout=1)");
        run(a, "net-unhooked-socket", "{UNHOOK}\nimport socket\nsocket.create_connection(('127.0.0.1', {PORT}), timeout=1)");
        run(a, "net-unhooked-urllib", "{UNHOOK}\nimport urllib.request\nurllib.request.urlopen('http://127.0.0.1:{PORT}/', timeout=1)");
        run(a, "net-unhooked-shell", "{UNHOOK}\nimport os\nos.system('exec 3<>/dev/tcp/127.0.0.1/{PORT}')");
        // --- killing other processes
        run(a, "kill-victim", "{UNHOOK}\nimport os\nos.kill({VPID}, 9)");
        run(a, "kill-pidfd-victim", "{UNHOOK}\nimport os, signal\nsignal.pidfd_send_signal(os.pidfd_open({VPID}), 9)");
        run(a, "kill-pidfd-jvm", "{UNHOOK}\nimport os, signal\nsignal.pidfd_send_signal(os.pidfd_open({JVM}), 9)");
        run(a, "kill-jvm", "{UNHOOK}\nimport os\nos.kill({JVM}, 9)");
        run(a, "kill-all", "{UNHOOK}\nimport os\nos.system('kill -9 -1')\nos.kill(-1, 9)");
        run(a, "kill-parent", "{UNHOOK}\nimport os\nos.kill(os.getppid(), 9)");
        // --- processes outliving the limit
        run(a, "outlive-double-fork", "{UNHOOK}\nimport os, time\nif os.fork() == 0:\n    os.setsid()\n"
                + "    if os.fork() == 0:\n        os.execv('/usr/bin/sleep', ['sleep', '{TOKEN}'])\n    os._exit(0)\n"
                + "time.sleep(0.5)");
        run(a, "outlive-grandchild-writes", "{UNHOOK}\nimport os, time\nif os.fork() == 0:\n    os.setsid()\n"
                + "    if os.fork() == 0:\n        time.sleep(4)\n        open('{OUT}/late.txt', 'w').write('x')\n"
                + "        os.execv('/usr/bin/sleep', ['sleep', '{TOKEN}'])\n    os._exit(0)\nwhile True:\n    pass");
        // --- reading outside files and the parent's environment
        run(a, "read-secret", "print(open('{SECRET}').read())");
        run(a, "read-victim-environ", "print(open('/proc/{VPID}/environ').read())");
        run(a, "read-all-environ", "import os\nfor p in os.listdir('/proc'):\n    try:\n"
                + "        print(open(f'/proc/{p}/environ').read())\n    except OSError:\n        pass");
        run(a, "read-project-and-root", "import os\nprint(open('{ROOT}/pom.xml').read())\nprint(os.listdir('/root'))");
        verify(a, "read-secret-into-feedback", "def add(a, b):\n    raise ValueError(open('{SECRET}').read())");
        // --- exhaustion: disk, files, memory, CPU, processes, threads, output, signals
        exhaust(a, "exhaust-disk", "for i in range(24):\n    open(f'big{i}', 'wb').write(b'x' * (16 << 20))");
        exhaust(a, "exhaust-fds", "fs = [open('/dev/null') for i in range(15000)]");
        exhaust(a, "exhaust-memory", "x = bytearray(10 ** 10)");
        exhaust(a, "exhaust-cpu", "while True:\n    pass");
        exhaust(a, "exhaust-fork-bomb", "{UNHOOK}\nimport os\nwhile True:\n    os.fork()");
        exhaust(a, "exhaust-threads", "import threading, time\nwhile True:\n"
                + "    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()");
        exhaust(a, "exhaust-output", "while True:\n    print('spam' * 1000)");
        exhaust(a, "exhaust-dev-shm", "{UNHOOK}\nopen('/dev/shm/x', 'wb').write(b'x' * (1 << 20))");
        exhaust(a, "exhaust-root-fs", "{UNHOOK}\nopen('/big', 'wb').write(b'x' * (1 << 20))");
        exhaust(a, "exhaust-segfault", "{UNHOOK}\nimport ctypes\nctypes.string_at(0)");
        exhaust(a, "exhaust-own-signal", "{UNHOOK}\nimport os\nos.kill(os.getpid(), 11)");
        // --- faked passes: verify
        fake(a, "fake-print-pass-and-exit", "print('All tests passed.')\nimport sys\nsys.exit(0)");
        fake(a, "fake-exit-in-call", "def add(a, b):\n    raise SystemExit(0)");
        fake(a, "fake-os-exit", "import os\ndef add(a, b):\n    os._exit(0)");
        fake(a, "fake-eq-always-true", "class T:\n    def __eq__(self, o):\n        return True\n"
                + "def add(a, b):\n    return T()");
        fake(a, "fake-int-subclass", "class I(int):\n    def __eq__(self, o):\n        return True\n"
                + "def add(a, b):\n    return I(0)");
        fake(a, "fake-settrace", "import sys\nsys.settrace(lambda *a: None)\ndef add(a, b):\n    return 0");
        fake(a, "fake-builtins", "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n"
                + "builtins.abs = lambda x: 0\ndef add(a, b):\n    return 0");
        fake(a, "fake-marker-from-files", "import os, sys\nfor fd in range(0, 20):\n    try:\n"
                + "        os.write(fd, b'DONE\\nR 0 pass \"\"\\n{\"v\": 5}\\n')\n    except OSError:\n        pass\n"
                + "def add(a, b):\n    return 0");
        fake(a, "fake-read-test-source", "import os\nsrc = ''\nfor p in os.listdir('/proc'):\n    try:\n"
                + "        src += open(f'/proc/{p}/cmdline').read()\n    except OSError:\n        pass\n"
                + "def add(a, b):\n    print(src)\n    return 0");
        fake(a, "fake-generator", "def add(a, b):\n    yield a + b");
        // --- faked passes: agent-written tests
        tests(a, "fake-tests-print-lines", "import sys\nfor i in range(3):\n    print(f'R {i} pass \"\"')\n"
                + "    print(f'reverb-test-x {i} pass \"\"')\ndef add(a, b):\n    return 0");
        tests(a, "fake-tests-exit", "import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b");
        tests(a, "fake-tests-eq", "class T:\n    def __eq__(self, o):\n        return True\ndef add(a, b):\n    return T()");
        tests(a, "fake-tests-settrace", "import sys\nsys.settrace(lambda *a: None)\ndef add(a, b):\n    return 0");
        return a;
    }

    private static void run(List<Attack> a, String name, String code) {
        a.add(new Attack(name, Mode.RUN, Kind.ESCAPE, code));
    }

    private static void exhaust(List<Attack> a, String name, String code) {
        a.add(new Attack(name, Mode.RUN, Kind.ESCAPE, code));
    }

    private static void verify(List<Attack> a, String name, String code) {
        a.add(new Attack(name, Mode.VERIFY, Kind.ESCAPE, code));
    }

    private static void fake(List<Attack> a, String name, String code) {
        a.add(new Attack(name, Mode.VERIFY, Kind.FAKE, code));
    }

    private static void tests(List<Attack> a, String name, String code) {
        a.add(new Attack(name, Mode.TESTS, Kind.FAKE, code,
                List.of("assert add(1, 2) == 3", "assert add(2, 2) == 4", "assert add(0, 5) == 5")));
    }
}
