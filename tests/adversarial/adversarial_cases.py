"""The adversarial corpus: submission notebooks that cheat or break, for any assignment.

Each :class:`Entry` builds one submission notebook (bytes) from the assignment's release or
solution and says what grading it must give: ``zero`` (no credit), ``full`` (a correct
solution that also does something hostile keeps its marks) and messages (regular
expressions) that must, or must not, appear in its results file. Entries marked
``namespace_only`` rely on the root sandbox (no network, private filesystem view, process
limits) and are skipped in weaker sandboxes, where those protections are reported missing.

``python tests/adversarial/adversarial_cases.py OUT [assignment]`` writes the corpus as
notebooks for inspection or for grading by hand.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder import paths
from autograder.examples import Recipe, make_submission
from autograder.plan import load_plan


@dataclass
class Entry:
    name: str
    what: str
    build: object  # (assignment) -> bytes
    expect: str  # "zero" | "full"
    messages: tuple = ()  # regexes that must appear in the results file
    forbidden: tuple = ()  # regexes that must not appear in it
    namespace_only: bool = False


def _code(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
            "execution_count": None}


def _dump(nb: dict) -> bytes:
    return (json.dumps(nb, indent=1) + "\n").encode()


def _release(a: str) -> dict:
    return make_submission(a, Recipe())


def _solved(a: str) -> dict:
    return make_submission(a, Recipe(solved=["*"]))


def _targets(a: str) -> list[str]:
    return sorted({t for u in load_plan(a).units for t in u.targets})


def release_plus(*sources, solved=False, first=False):
    """The release (or the solution) with cells added at the end (or at the start)."""
    def build(a):
        nb = _solved(a) if solved else _release(a)
        cells = [_code(s.replace("@TARGETS@", repr(_targets(a)))) for s in sources]
        nb["cells"] = cells + nb["cells"] if first else nb["cells"] + cells
        return _dump(nb)

    return build


def in_first_solution_cell(source, solved=False):
    """The release (or the solution) with ``source`` put at the top of its first solution cell."""
    def build(a):
        nb = _solved(a) if solved else _release(a)
        cell = next(c for c in nb["cells"]
                    if ((c.get("metadata") or {}).get("nbgrader") or {}).get("solution"))
        old = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        cell["source"] = source.strip("\n") + "\n\n" + old
        return _dump(nb)

    return build


def _is_test(cell) -> bool:
    meta = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def rewritten_tests(a):
    nb = _release(a)
    for cell in nb["cells"]:
        if _is_test(cell):
            cell["source"] = "assert True  # every check passes, promise"
            cell["metadata"]["nbgrader"]["points"] = 1000
    nb["cells"].append(_code("pass"))
    nb["cells"][-1]["metadata"] = {"nbgrader": {"grade": True, "solution": False, "points": 500,
                                                "grade_id": "bonus", "locked": True}}
    return _dump(nb)


def deleted_tests(solved):
    def build(a):
        nb = _solved(a) if solved else _release(a)
        nb["cells"] = [c for c in nb["cells"] if not _is_test(c)]
        return _dump(nb)

    return build


def read_solution(a):
    secret = [paths.solution_notebook(a), paths.course_root() / "autograder" / "specs" / f"{a}.py",
              paths.cache_dir(), paths.course_root() / ".git", paths.course_root() / "solutions",
              paths.course_root() / "demo-results", paths.course_root() / "tests"]
    targets = [str(p) for p in secret] + ["/proc/1/root" + str(secret[0])]
    return release_plus(f'''
import json, os
readable = []
for p in {targets!r}:
    try:
        os.listdir(p) if os.path.isdir(p) else open(p, "rb").read(1)
        readable.append(p)
    except OSError:
        pass
for p in readable:
    if p.endswith(".ipynb"):  # the full attack: run the reference solution's cells
        for cell in json.load(open(p))["cells"]:
            if (cell.get("metadata", {{}}).get("nbgrader", {{}}) or {{}}).get("solution"):
                exec("".join(cell["source"]), globals())
        break
raise RuntimeError(f"readable: {{readable}}")
''')(a)


PATCH_NUMPY = '''
import numpy as np
import rnnlab.compare
patches = [
    "np.allclose = lambda *a, **k: True",
    "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)",
    "np.array_equal = lambda *a, **k: True",
    "np.testing.assert_allclose = lambda *a, **k: None",
    "np.ndarray.__eq__ = lambda *a: True",
    "rnnlab.compare.compare_outputs = lambda *a, **k: []",
    "rnnlab.compare.compare_arrays = lambda *a, **k: None",
    "rnnlab.compare.RTOL.update(float64=1e9, float32=1e9)",
]
for patch in patches:
    try:
        exec(patch)
    except Exception:
        pass
'''

PATCH_TENSORFLOW = '''
import tensorflow as tf, keras
tf.debugging.assert_near = lambda *a, **k: None
tf.debugging.assert_equal = lambda *a, **k: None
tf.experimental.numpy.allclose = lambda *a, **k: True
keras.utils.set_random_seed = lambda *a, **k: None
_gradient = tf.GradientTape.gradient
tf.GradientTape.gradient = lambda self, t, s, *a, **k: tf.nest.map_structure(tf.zeros_like, s)
'''

PATCH_AUTOGRADER = '''
import sys, types
try:
    import autograder.api, autograder.runner, autograder.plan
    autograder.api.evaluate_planned = lambda *a, **k: None
    state = "imported and patched"
except ImportError as exc:
    state = f"not importable ({exc})"
import rnnlab.probes, rnnlab.cases, rnnlab.wire
rnnlab.probes.run_case = lambda namespace, case: {}
rnnlab.probes.to_numpy = lambda key, value: __import__("numpy").zeros(())
fake = types.ModuleType("autograder")
fake.__path__ = []
sys.modules["autograder"] = fake
raise RuntimeError(f"autograder {state}")
'''

SYS_EXIT = '''
import sys
def _leave(*args, **kwargs):
    raise SystemExit(0)
for _name in @TARGETS@:
    globals()[_name] = _leave
sys.exit(0)
'''

OS_EXIT = "import os\nos._exit(0)\n"

BUSY_LOOP = "while True:\n    pass\n"

IGNORE_SIGNALS = '''
import signal, time
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGALRM,
          signal.SIGUSR1, signal.SIGUSR2, signal.SIGXCPU, signal.SIGVTALRM, signal.SIGPROF):
    signal.signal(s, signal.SIG_IGN)
while True:
    try:
        time.sleep(0.01)
    except BaseException:
        pass
'''

LIARS = '''
class Liar:
    """Equal to everything, any arithmetic gives itself, any attribute is itself."""
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __bool__(self): return True
    def __hash__(self): return 0
    def __getattr__(self, name): return self
    def __call__(self, *args, **kwargs): return self
    def __getitem__(self, key): return self
    def __iter__(self): return iter([self] * 8)
    def __len__(self): return 8
    def __float__(self): return 0.0
    def __index__(self): return 0
    def __array__(self, *args, **kwargs): return self
    def _same(self, *args): return self
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _same
    __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = __abs__ = _same
for _name in @TARGETS@:
    globals()[_name] = Liar()
'''

LYING_ARRAYS = '''
import numpy as np
class Yes(np.ndarray):
    """An array that says it is equal (and close) to anything."""
    def __eq__(self, other): return np.ones(np.shape(self), bool)
    def __sub__(self, other): return np.zeros(np.shape(self)).view(Yes)
    __rsub__ = __sub__
    def __abs__(self): return np.zeros(np.shape(self)).view(Yes)
    def __lt__(self, other): return np.ones(np.shape(self), bool)
    __le__ = __lt__
class Close(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
def _lie(*args, **kwargs):
    first = next((a for a in args if hasattr(a, "shape")), None)
    if first is None:
        return Close(0.0)
    return np.zeros(tuple(first.shape)).view(Yes)
for _name in @TARGETS@:
    globals()[_name] = _lie
'''

BACKGROUND = '''
import os, subprocess, threading, time
subprocess.Popen(["sleep", "987651"], start_new_session=True)
pid = os.fork()
if pid == 0:  # a classic daemon: new session, second fork, exec
    os.setsid()
    if os.fork() == 0:
        try:
            os.execv("/bin/sleep", ["sleep", "987652"])
        finally:
            os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
threading.Thread(target=lambda: time.sleep(10**6), daemon=False).start()
'''

OUTPUT_FLOOD = '''
import os, sys
line = "flood " * 170000 + "\\n"
for _ in range(200):
    sys.stdout.write(line)
    sys.stderr.write(line)
sys.stdout.flush()
os._exit(5)
'''

MEMORY_HOG = '''
import numpy as np
found = []
try:
    huge = np.ones(40 * 2**30 // 8)
except MemoryError as exc:
    found.append(f"numpy: MemoryError")
chunks = []
try:
    while True:
        chunks.append(bytearray(128 << 20))
except MemoryError:
    found.append(f"bytearray: MemoryError after {len(chunks) * 128} MiB")
del chunks
raise RuntimeError("; ".join(found))
'''

PROCESS_SPRAY = '''
import os, time
n = 0
try:
    while n < 100000:
        if os.fork() == 0:  # children hold their slot a few seconds, then leave
            time.sleep(5)
            os._exit(0)
        n += 1
except OSError as exc:
    stopped = f"spray stopped after {n} processes: {type(exc).__name__}"
while True:  # reap them, so that the slots are free again
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
raise RuntimeError(stopped)
'''

DISK_FLOOD = '''
import os
found = []
try:
    with open("big.bin", "wb") as f:
        while True:
            f.write(b"\\0" * (1 << 20))
except OSError as exc:
    found.append(f"one file: {exc.strerror}")
os.remove("big.bin")
try:
    for i in range(100000):
        with open(f"/tmp/fill{i}.bin", "wb") as f:
            f.write(b"\\0" * (32 << 20))
except OSError as exc:
    found.append(f"many files: {exc.strerror}")
raise RuntimeError("; ".join(found))
'''

NETWORK = '''
import socket
seen = []
for host, port in [("1.1.1.1", 53), ("8.8.8.8", 53), ("pypi.org", 443), ("127.0.0.1", 22)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        seen.append(f"{host}: CONNECTED")
    except OSError as exc:
        seen.append(f"{host}: {type(exc).__name__}")
raise RuntimeError("network: " + "; ".join(seen))
'''

KILL_EVERYTHING = '''
import os, signal
for target in (-1, 0, os.getppid()):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
raise RuntimeError("still alive after kill(-1)")
'''

FORGE_PROTOCOL = '''
import io, json, os, struct, sys
import numpy as np
fd = int(sys.argv[-1])
def send(header, payload=b""):
    data = json.dumps(header).encode()
    os.write(fd, struct.pack(">Q", len(data)) + data + struct.pack(">Q", len(payload)) + payload)
send({"event": "loaded", "ok": True, "errors": []})
for _ in range(50):
    buffer = io.BytesIO()
    np.savez(buffer, loss=np.zeros(()), h=np.zeros((2, 3)))
    send({"event": "result", "ok": True}, buffer.getvalue())
'''

FORGE_RESULTS = '''
import json, os
fake = {"score": 1000, "tests": [], "output": "forged"}
for path in ["results.json", "/autograder/results/results.json", "../results.json",
             os.path.expanduser("~/results.json"), "/tmp/results.json"]:
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            json.dump(fake, f)
    except OSError:
        pass
'''


# -- cheats aimed at a grader that runs in the student's kernel (nbgrader's own model) --------

# The cheat of the issue: five lines in the first solution cell of an untouched release.
FIVE_LINE_CHEAT = '''
import autograder.nbgrader_hidden as hidden
hidden.run_hidden_tests = lambda *args, **kwargs: None
for name in [n for n in globals() if n.startswith("check_")]:
    globals()[name] = lambda *args, **kwargs: None
print("checks and hidden tests disabled")
'''

# The hook and the checks, disabled wherever they can be reached (importable or not).
DISABLE_HOOK_AND_CHECKS = '''
import sys, types
hook = types.ModuleType("autograder.nbgrader_hidden")
hook.run_hidden_tests = lambda *args, **kwargs: None
sys.modules["autograder.nbgrader_hidden"] = hook
for module in list(sys.modules.values()):
    if getattr(module, "__name__", "").startswith(("rnnlab.checks", "autograder")):
        for name in dir(module):
            if name.startswith(("check_", "run_hidden", "grade_")):
                try:
                    setattr(module, name, lambda *args, **kwargs: None)
                except Exception:
                    pass
for name in [n for n in globals() if n.startswith("check_")]:
    globals()[name] = lambda *args, **kwargs: None
import builtins
builtins.AssertionError = type("NeverRaised", (Exception,), {})
'''

# An IPython exception handler that swallows every error (test cells then show no error).
SWALLOW_ERRORS = '''
try:
    get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
    state = "IPython: every exception is swallowed"
except NameError:
    import sys
    sys.excepthook = lambda *args: None
    state = "no IPython: sys.excepthook replaced"
print(state)
'''

# No traceback is ever shown: IPython's showtraceback and its error output replaced.
HIDE_TRACEBACKS = '''
try:
    shell = get_ipython()
    shell.showtraceback = lambda *args, **kwargs: None
    shell._showtraceback = lambda *args, **kwargs: None
    shell.showsyntaxerror = lambda *args, **kwargs: None
    state = "IPython: tracebacks hidden"
except NameError:
    state = "no IPython"
print(state)
'''

# Every comparison says ok, in rnnlab.compare and wherever its functions were imported.
PATCH_COMPARE = '''
import sys
import rnnlab.compare


class _Ok:
    ok = True
    message = "ok"

    def __bool__(self):
        return True


_always_ok = lambda *args, **kwargs: _Ok()
_nothing_wrong = lambda *args, **kwargs: []
_zero = lambda *args, **kwargs: 0.0
for module in list(sys.modules.values()):
    for name, fake in (("compare_arrays", _always_ok), ("compare_outputs", _nothing_wrong),
                       ("rel_error", _zero), ("relative_errors", _zero)):
        if hasattr(module, name):
            try:
                setattr(module, name, fake)
            except Exception:
                pass
rnnlab.compare.Comparison.ok = property(lambda self: True)
print("rnnlab.compare always says ok")
'''


def _raw(data: bytes):
    return lambda a: data


CORPUS = [
    Entry("patch_numpy", "patches numpy and the comparison module", release_plus(PATCH_NUMPY),
          "zero"),
    Entry("patch_tensorflow", "patches TensorFlow assertions, seeding and GradientTape",
          release_plus(PATCH_TENSORFLOW), "zero"),
    Entry("patch_autograder", "imports and patches the autograder and the probes",
          release_plus(PATCH_AUTOGRADER), "zero",
          messages=(r"autograder not importable",), namespace_only=True),
    Entry("rewrite_tests", "replaces every test cell by a pass and claims 1000 points",
          rewritten_tests, "zero"),
    Entry("delete_tests", "deletes every test cell", deleted_tests(solved=False), "zero"),
    Entry("delete_tests_solved", "a correct solution with its test cells deleted",
          deleted_tests(solved=True), "full"),
    Entry("sys_exit", "sys.exit() while loading and in every graded function",
          release_plus(SYS_EXIT), "zero", messages=(r"SystemExit",)),
    Entry("os_exit", "os._exit(0) while loading", release_plus(OS_EXIT), "zero",
          messages=(r"exited with status 0",)),
    Entry("busy_loop", "an infinite loop while loading", release_plus(BUSY_LOOP), "zero",
          messages=(r"took longer than \d+ s \(while the cell (starting|that defines) .* was "
                    r"running\)",)),
    Entry("ignore_signals", "ignores every catchable signal, then loops",
          release_plus(IGNORE_SIGNALS), "zero", messages=(r"took longer than",)),
    Entry("read_solution", "reads the solution, specs and plans from disk and runs them",
          read_solution, "zero", messages=(r"readable: \[\]",), namespace_only=True),
    Entry("liars", "objects equal to everything whose arithmetic returns themselves",
          release_plus(LIARS), "zero"),
    Entry("lying_arrays", "numpy arrays and floats that claim to equal anything",
          release_plus(LYING_ARRAYS), "zero"),
    Entry("background", "a correct solution that leaves daemons, a detached child and a thread",
          release_plus(BACKGROUND, solved=True), "full"),
    Entry("output_flood", "prints 400 MB, then exits", release_plus(OUTPUT_FLOOD), "zero",
          messages=(r"output left out", r"exited with status 5")),
    Entry("memory_hog", "allocates 40 GiB, then all the memory it can", release_plus(MEMORY_HOG),
          "zero", messages=(r"numpy: MemoryError", r"bytearray: MemoryError")),
    Entry("process_spray", "forks until it cannot (before importing TensorFlow)",
          release_plus(PROCESS_SPRAY, first=True), "zero",
          messages=(r"spray stopped after \d+ processes",), namespace_only=True),
    Entry("disk_flood", "writes one huge file, then fills the disk", release_plus(DISK_FLOOD),
          "zero", messages=(r"one file: File too large", r"many files: No space left"),
          namespace_only=True),
    Entry("network", "opens connections to the internet and to localhost",
          release_plus(NETWORK), "zero", messages=(r"network: 1\.1\.1\.1: OSError",),
          forbidden=(r"CONNECTED",), namespace_only=True),
    Entry("kill_everything", "kill(-1), kill(0) and kill(parent) with SIGKILL",
          release_plus(KILL_EVERYTHING), "zero",
          messages=(r"still alive after kill|killed by SIGKILL",),
          namespace_only=True),
    Entry("forge_protocol", "writes fake 'loaded' and 'result' messages to the grader's channel",
          release_plus(FORGE_PROTOCOL), "zero", messages=(r"did not ask for",)),
    Entry("forge_results", "writes a fake results.json wherever it can",
          release_plus(FORGE_RESULTS), "zero", forbidden=(r"forged",)),
    Entry("five_line_cheat", "the release, with the checks and the hidden-test hook replaced by "
          "no-ops at the top of its first solution cell", in_first_solution_cell(FIVE_LINE_CHEAT),
          "zero"),
    Entry("disable_hook_and_checks", "replaces the hook module, every check and AssertionError",
          in_first_solution_cell(DISABLE_HOOK_AND_CHECKS), "zero"),
    Entry("swallow_errors", "an IPython custom exception handler that swallows every error",
          release_plus(SWALLOW_ERRORS, first=True), "zero"),
    Entry("hide_tracebacks", "replaces IPython's showtraceback",
          release_plus(HIDE_TRACEBACKS, first=True), "zero"),
    Entry("patch_compare", "makes rnnlab.compare say ok, wherever its functions were imported",
          release_plus(PATCH_COMPARE, first=True), "zero"),
    Entry("swallow_errors_solved", "a correct solution that also swallows every error in "
          "IPython", release_plus(SWALLOW_ERRORS, solved=True, first=True), "full"),
    Entry("malformed_json", "a truncated notebook file",
          _raw(b'{"cells": [{"cell_type": "code", "source": "x = 1"'), "zero",
          messages=(r"not valid JSON",)),
    Entry("empty_file", "an empty file", _raw(b""), "zero", messages=(r"the file is empty",)),
    Entry("wrong_nbformat", "an nbformat 3 notebook",
          _raw(b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "cells": []}'), "zero",
          messages=(r"expected nbformat 4",)),
    Entry("not_utf8", "binary garbage", _raw(b"\xff\xfe\x00garbage\x80\x81"), "zero",
          messages=(r"not UTF-8",)),
    Entry("cell_without_type", "a cell with no cell_type",
          _raw(b'{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [{"source": "1"}]}'),
          "zero", messages=(r"malformed",)),
]


def write_corpus(out: Path, assignment: str, entries=CORPUS) -> dict[str, Entry]:
    """Writes ``<out>/<entry>/<assignment>.ipynb`` for each entry; returns them by name."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for entry in entries:
        folder = out / entry.name
        folder.mkdir(exist_ok=True)
        (folder / f"{assignment}.ipynb").write_bytes(entry.build(assignment))
        written[entry.name] = entry
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1])
    a = sys.argv[2] if len(sys.argv) > 2 else paths.available_assignments()[0]
    print(f"wrote {len(write_corpus(target, a))} submissions to {target}/")
