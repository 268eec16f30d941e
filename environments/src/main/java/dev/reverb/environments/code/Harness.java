package dev.reverb.environments.code;

/**
 * The Python code that runs inside every sandboxed interpreter, before (and around) the code it is
 * given. Passed with {@code -c}, so no host file is involved; the code to run arrives on standard
 * input as a length-prefixed block ({@code "<bytes>\n"} then the UTF-8 source).
 *
 * <p>Arguments: the mode, then the limits (address space, CPU seconds, processes, file size, open
 * files; 0 = not limited). Every mode first sets the rlimits (soft = hard, so they cannot be raised
 * again), reads the source, and installs the audit hook (a second layer behind the kernel boundary).
 *
 * <ul>
 *   <li>{@code run}: executes the source as {@code __main__}; its output is the result.</li>
 *   <li>{@code candidate}: executes the source (model-written), says {@code READY [names]} on a
 *       private copy of standard output (the program's own prints go to standard error), then
 *       answers one call per line: {@code {"f": name, "a": args, "k": kwargs, "t": seconds}} in, a
 *       value {@code {"v": ...}} or an error {@code {"e": "Type: message"}} out. Values travel as
 *       plain data only (see {@code _enc}).</li>
 *   <li>{@code tests}: executes trusted code (a task's prompt and tests, or nothing), reads the
 *       candidate's function names, binds proxies that forward calls through the JVM, and runs
 *       either {@code check(<entry>)} ({@code argv: entry}) or a JSON list of agent-written tests
 *       read from the protocol ({@code argv: "-"}). Writes {@code C <call>} lines to ask for calls,
 *       {@code R <index> pass|fail <json message>} per agent test, and {@code DONE} at the end; a
 *       failure of the candidate during {@code check} ends with {@code CANDIDATE_FAILED}.</li>
 * </ul>
 */
final class Harness {

    private Harness() {
    }

    static final String PYTHON = """
            import os, sys, resource

            def _reverb_setup():
                mode = sys.argv[1]
                memory, cpu, nproc, fsize, nofile = (int(a) for a in sys.argv[2:7])
                extra = sys.argv[7:]

                def limit(kind, soft, hard):
                    if soft <= 0:
                        return
                    _, old_hard = resource.getrlimit(kind)
                    if old_hard != resource.RLIM_INFINITY:
                        soft, hard = min(soft, old_hard), min(hard, old_hard)
                    resource.setrlimit(kind, (soft, hard))

                limit(resource.RLIMIT_AS, memory, memory)
                limit(resource.RLIMIT_CPU, cpu, cpu + 1)
                limit(resource.RLIMIT_NPROC, nproc, nproc)
                limit(resource.RLIMIT_FSIZE, fsize, fsize)
                limit(resource.RLIMIT_NOFILE, nofile, nofile)
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

                channel_in = sys.stdin.buffer
                size = int(channel_in.readline())
                source = channel_in.read(size).decode("utf-8")
                channel_out = None
                if mode != "run":
                    channel_out = os.fdopen(os.dup(1), "wb", buffering=0)
                    os.dup2(2, 1)
                    sys.stdin = open(os.devnull, encoding="utf-8")
                filename = "test.py" if mode == "tests" else "program.py"

                def print_error(kind=None, value=None, tb=None):
                    # the source is no file: tracebacks read it from linecache (imported late: it costs ~10 ms)
                    import linecache, traceback
                    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
                    if kind is None:
                        traceback.print_exc()
                    else:
                        traceback.print_exception(kind, value, tb)

                sys.excepthook = print_error
                code = compile(source, filename, "exec")
                sys.argv = [filename]

                home = os.path.realpath(os.getcwd())
                refused = {"os.fork", "os.forkpty", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
                           "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill",
                           "ctypes.dlopen", "ctypes.dlsym", "os.chroot", "sys.remote_exec"}
                paths = {"os.remove": (0,), "os.rename": (0, 1), "os.rmdir": (0,), "os.mkdir": (0,),
                         "os.chmod": (0,), "os.chown": (0,), "os.link": (1,), "os.symlink": (1,),
                         "os.truncate": (0,), "os.utime": (0,), "os.chflags": (0,), "os.lchflags": (0,),
                         "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.copymode": (1,),
                         "shutil.copystat": (1,), "shutil.copytree": (1,), "shutil.move": (0, 1),
                         "shutil.chown": (0,), "shutil.make_archive": (0,), "shutil.unpack_archive": (1,)}
                writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
                realpath, fsdecode, sep = os.path.realpath, os.fsdecode, os.sep

                def inside(path):
                    if path is None or isinstance(path, int):
                        return True
                    try:
                        resolved = realpath(fsdecode(path))
                    except Exception:
                        return False
                    return resolved == home or resolved.startswith(home + sep)

                def hook(event, args):
                    if event in refused or event.startswith("socket."):
                        raise PermissionError(f"sandbox refused {event}")
                    if event == "import" and args[0] == "_posixsubprocess":
                        raise PermissionError("sandbox refused importing _posixsubprocess again")
                    if event == "open":
                        path, mode, flags = args
                        if isinstance(flags, int) and flags & writing and not inside(path):
                            raise PermissionError(f"sandbox refused writing to {path!r} outside the sandbox directory")
                    elif event in paths:
                        for i in paths[event]:
                            if i < len(args) and not inside(args[i]):
                                raise PermissionError(f"sandbox refused {event} on {args[i]!r} outside the sandbox directory")

                import _posixsubprocess, builtins
                def refused_fork_exec(*args, **kwargs):
                    raise PermissionError("sandbox refused _posixsubprocess.fork_exec")
                _posixsubprocess.fork_exec = refused_fork_exec
                sys.addaudithook(hook)

                def send(text):
                    data = (text + "\\n").encode("utf-8")
                    while data:
                        data = data[os.write(channel_out.fileno(), data):]

                def receive():
                    line = channel_in.readline()
                    return line.decode("utf-8") if line else None

                plain = (type(None), bool, int, float, str)

                def enc(v, depth=0):
                    t = type(v)
                    if depth > 100:
                        raise ValueError("nested too deeply")
                    if t in plain:
                        return v
                    if t is list:
                        return [enc(x, depth + 1) for x in v]
                    if t is tuple:
                        return {"T": [enc(x, depth + 1) for x in v]}
                    if t is dict:
                        return {"D": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
                    if t is set or t is frozenset:
                        return {"S" if t is set else "Z": [enc(x, depth + 1) for x in v]}
                    if t is bytes:
                        return {"B": v.hex()}
                    if t is complex:
                        return {"C": [v.real, v.imag]}
                    raise TypeError(f"a value of type {t.__name__} is not plain data")

                def dec(v):
                    t = type(v)
                    if t in plain:
                        return v
                    if t is list:
                        return [dec(x) for x in v]
                    if t is dict and len(v) == 1:
                        (tag, x), = v.items()
                        if tag == "T":
                            return tuple(dec(y) for y in x)
                        if tag == "D":
                            return {dec(k): dec(y) for k, y in x}
                        if tag == "S":
                            return {dec(y) for y in x}
                        if tag == "Z":
                            return frozenset(dec(y) for y in x)
                        if tag == "B":
                            return bytes.fromhex(x)
                        if tag == "C":
                            return complex(float(x[0]), float(x[1]))
                    raise TypeError("not plain data")

                if mode == "run":
                    return code, {"__name__": "__main__", "__builtins__": builtins}, None
                import json, signal, types, keyword

                if mode == "candidate":
                    def serve(scope):
                        names = [k for k, v in scope.items() if isinstance(v, types.FunctionType) and not k.startswith("__")]
                        send("READY " + json.dumps(names))

                        def on_alarm(signum, frame):
                            raise TimeoutError(f"timed out after {seconds:g}s")

                        signal.signal(signal.SIGALRM, on_alarm)
                        while True:
                            line = receive()
                            if line is None:
                                return
                            seconds = 0
                            try:
                                request = json.loads(line)
                                seconds = float(request.get("t") or 0)
                                if request["f"] not in scope:
                                    raise NameError(f"name {request['f']!r} is not defined")
                                function = scope[request["f"]]
                                args, kwargs = dec(request["a"]), dec(request["k"])
                                if seconds > 0:
                                    signal.setitimer(signal.ITIMER_REAL, seconds)
                                try:
                                    value = function(*args, **kwargs)
                                finally:
                                    signal.setitimer(signal.ITIMER_REAL, 0)
                                reply = json.dumps({"v": enc(value)})
                            except Exception as e:
                                print_error()
                                sys.stderr.flush()
                                reply = json.dumps({"e": f"{type(e).__name__}: {e}"[:300]})
                            send(reply)
                    return code, {"__name__": "__main__", "__builtins__": builtins}, serve

                class CandidateError(BaseException):
                    pass

                state = {"dead": None, "calling": False}

                def proxy(name):
                    def call(*args, **kwargs):
                        if state["dead"]:
                            raise CandidateError(state["dead"])
                        send("C " + json.dumps({"f": name, "a": enc(list(args)), "k": enc(kwargs),
                                                "t": state.get("seconds", 0)}))
                        state["calling"] = True
                        try:
                            line = receive()
                        finally:
                            state["calling"] = False
                        if line is None or not line.strip():
                            state["dead"] = "the program exited before the tests finished"
                            raise CandidateError(state["dead"])
                        try:
                            reply = json.loads(line)
                            if "e" in reply:
                                raise CandidateError(str(reply["e"]))
                            return dec(reply["v"])
                        except CandidateError:
                            raise
                        except Exception:
                            state["dead"] = "the program returned a value that is not plain data"
                            raise CandidateError(state["dead"])
                    call.__name__ = name
                    return call

                def run_tests(scope):
                    line = receive()
                    names = json.loads(line) if line else []
                    for name in names if extra[0] == "-" else []:
                        if (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
                                and not hasattr(builtins, name) and not name.startswith("__")):
                            scope[name] = proxy(name)
                    if extra[0] != "-":
                        entry = extra[0]
                        scope[entry] = proxy(entry)
                        try:
                            scope["check"](scope[entry])
                        except CandidateError:
                            send("CANDIDATE_FAILED")
                            raise SystemExit(2)
                        send("DONE")
                        return
                    seconds = float(extra[1])
                    state["seconds"] = seconds
                    tests = json.loads(receive() or "[]")

                    def on_alarm(signum, frame):
                        message = f"TimeoutError: timed out after {seconds:g}s"
                        if state["calling"]:
                            state["dead"] = message + " and stopped answering"
                            raise CandidateError(message)
                        raise TimeoutError(f"timed out after {seconds:g}s")

                    def output_of(source, scope):
                        try:
                            import ast
                            node = ast.parse(source).body[0]
                            if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
                                value = eval(compile(ast.Expression(node.test.left), "<test>", "eval"), scope)
                                return "output: " + repr(value)[:200]
                        except BaseException:
                            pass
                        return None

                    signal.signal(signal.SIGALRM, on_alarm)
                    for index, source in enumerate(tests):
                        local = dict(scope)
                        passed, message = True, ""
                        signal.setitimer(signal.ITIMER_REAL, seconds + 1.0)
                        try:
                            exec(compile(source, f"<test {index}>", "exec"), local)
                        except AssertionError as e:
                            passed = False
                            message = output_of(source, local) or ("AssertionError: " + str(e) if str(e) else "AssertionError")
                        except CandidateError as e:
                            passed, message = False, str(e)
                        except BaseException as e:
                            passed, message = False, f"{type(e).__name__}: {e}"
                        finally:
                            signal.setitimer(signal.ITIMER_REAL, 0)
                        send(f"R {index} {'pass' if passed else 'fail'} " + json.dumps(message[:300]))
                    send("DONE")

                return code, {"__name__": "__reverb_tests__", "__builtins__": builtins}, run_tests

            _reverb_code, _reverb_scope, _reverb_then = _reverb_setup()
            del _reverb_setup
            exec(_reverb_code, _reverb_scope)
            if _reverb_then is not None:
                _reverb_then(_reverb_scope)
            """;
}
