"""The adversarial corpus through ``nbgrader autograde``, the course's other grading path.

Every entry of ``adversarial_cases.CORPUS`` (those the machine's sandbox can confine) is
submitted as a student of a real nbgrader course, with the shipped ``nbgrader_config.py``, and
autograded with ``nbgrader autograde``. The course is split in two halves (two course
directories, each with its own gradebook) autograded at the same time, one nbgrader process
each, so that the suite keeps to a few minutes on two cores. The tests then read the
gradebooks and the autograded notebooks: no cheat gets credit, the correct-but-hostile entries
keep full marks, each says what happened, no process is left behind.

Since nbgrader's kernel never runs (the sandbox grades), the cheats aimed at the kernel (the
hook, the checks, IPython's exception handler and traceback display, ``rnnlab.compare``) have
nothing to act on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from adversarial_cases import CORPUS  # noqa: E402

from autograder import paths  # noqa: E402
from autograder.plan import load_plan  # noqa: E402
from autograder.sandbox import Sandbox, processes_of_uid  # noqa: E402

pytestmark = pytest.mark.slow

A = "rnn"
BIN = Path(sys.executable).parent
UID_BASE = 63000 + 16 * (os.getpid() % 100)  # a range of its own, even if suites run at once
LIMITS = ["--SandboxGrades.case_timeout=20", "--SandboxGrades.load_timeout=60",
          "--SandboxGrades.grade_timeout=150", "--SandboxGrades.memory_mb=3072"]
MODE = Sandbox.detect().mode
ENTRIES = [e for e in CORPUS if MODE == "namespace" or not e.namespace_only]
# nbgrader cannot read these files at all: it grades nothing, and the gradebook keeps 0.
UNREADABLE = {"malformed_json", "empty_file", "wrong_nbformat", "not_utf8", "cell_without_type"}
SLOW = {"busy_loop", "ignore_signals"}  # they wait for the load time-out: one per half


def _halves() -> list[list]:
    slow = [e for e in ENTRIES if e.name in SLOW]
    rest = [e for e in ENTRIES if e.name not in SLOW]
    halves = [[], []]
    for i, entry in enumerate(slow + rest):
        halves[i % 2].append(entry)
    return halves


def _setup(course: Path, entries) -> list:
    (course / "solutions").mkdir(parents=True)
    shutil.copy(paths.course_root() / "nbgrader_config.py", course)
    shutil.copytree(paths.solution_notebook(A).parent, course / "solutions" / A)
    env = _env()
    proc = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", A, "--force",
                           f"--db=sqlite:///{course}/gradebook.db"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for entry in entries:
        target = course / "submitted" / entry.name / A
        target.mkdir(parents=True)
        (target / f"{A}.ipynb").write_bytes(entry.build(A))
    return [str(BIN / "nbgrader"), "autograde", A, "--create", "--force",
            f"--db=sqlite:///{course}/gradebook.db", *LIMITS]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "RNN_COURSE_NBGRADER_EXECUTE"}
    env.update(PATH="/usr/bin:/bin", RNNLAB_FAST="1", TF_CPP_MIN_LOG_LEVEL="2",
               AUTOGRADER_UID_BASE=str(UID_BASE), AUTOGRADER_UID_COUNT="16")
    return env


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader-corpus")
    halves = _halves()
    courses = [root / f"course{i}" for i in range(len(halves))]
    commands = [_setup(c, h) for c, h in zip(courses, halves)]
    t0 = time.monotonic()
    procs = [subprocess.Popen(cmd, cwd=c, env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
             for cmd, c in zip(commands, courses)]
    logs = [p.communicate(timeout=3000)[0] for p in procs]
    elapsed = time.monotonic() - t0
    from nbgrader.api import Gradebook

    results = {}
    for course, half, proc, log in zip(courses, halves, procs, logs):
        with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
            for entry in half:
                sub = gb.find_submission(A, entry.name)
                nb = course / "autograded" / entry.name / A / f"{A}.ipynb"
                results[entry.name] = {"score": sub.score, "max_score": sub.max_score,
                                       "notebook": nb.read_text() if nb.exists() else None,
                                       "returncode": proc.returncode, "log": log}
    return {"results": results, "elapsed": elapsed, "logs": logs,
            "max_score": load_plan(A).max_score}


def test_every_readable_submission_is_autograded(graded):
    for name, r in graded["results"].items():
        if name in UNREADABLE:
            assert r["notebook"] is None
            assert r["returncode"] != 0  # nbgrader says it could not autograde everything
        else:
            assert r["notebook"] is not None, f"{name} was not autograded:\n{r['log'][-3000:]}"
            assert f"Sandbox verdict for {name}:" in r["log"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_no_false_credit_through_nbgrader(graded, entry):
    r = graded["results"][entry.name]
    assert r["max_score"] == graded["max_score"]
    if entry.expect == "zero":
        assert r["score"] == 0, (r["notebook"] or r["log"])[-3000:]
    else:
        assert r["score"] == graded["max_score"], (r["notebook"] or r["log"])[-3000:]
    if r["notebook"] is None:
        return
    cells = [c for c in json.loads(r["notebook"])["cells"] if c["cell_type"] == "code"
             and c["metadata"].get("nbgrader", {}).get("grade")
             and not c["metadata"].get("nbgrader", {}).get("solution")]
    text = json.dumps([c["outputs"] for c in cells])
    for pattern in entry.messages:  # the grader's explanation reaches the feedback
        assert re.search(pattern, text), f"{entry.name}: {pattern!r} not in its test cells"
    for pattern in entry.forbidden:
        assert not re.search(pattern, text), f"{entry.name}: {pattern!r} in its test cells"


def test_the_corpus_includes_the_kernel_cheats():
    names = {e.name for e in CORPUS}
    assert {"five_line_cheat", "disable_hook_and_checks", "swallow_errors", "hide_tracebacks",
            "patch_compare"} <= names


def test_no_process_is_left_behind(graded):
    left = {uid: processes_of_uid(uid) for uid in range(UID_BASE, UID_BASE + 16)}
    assert not any(left.values()), left


def test_wall_time_is_bounded(graded):
    assert graded["elapsed"] < 900, graded["elapsed"]
