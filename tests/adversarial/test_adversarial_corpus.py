"""The adversarial and false-failure corpora, graded as one folder by ``autograder grade --jobs 2``.

One batch run (module fixture) grades every cheat and fault of ``adversarial_cases.CORPUS``,
the false-failure submissions (correct code written differently) and the same partly-correct
submission twice, with small limits. The tests then read its results files and gradebook:
every submission has a results file, no cheat gets credit, each says what happened, grading
time is bounded, no process is left behind, the alternative implementations get full marks and
grading the same submission twice gives the same results file.

The batch uses its own range of sandbox uids, so that processes left behind (there must be none)
cannot be confused with other graders running on the machine.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from adversarial_cases import CORPUS, write_corpus  # noqa: E402

from autograder import numerics  # noqa: E402
from autograder.examples import make_submission, partial_recipe, write_notebook  # noqa: E402
from autograder.plan import load_plan  # noqa: E402
from autograder.sandbox import Sandbox, processes_of_uid  # noqa: E402

pytestmark = pytest.mark.slow

A = "rnn"
UID_BASE = 62000 + 16 * (os.getpid() % 200)  # a range of its own, even if suites run at once
LIMITS = ["--timeout", "20", "--load-timeout", "60", "--budget", "150", "--memory-mb", "3072",
          "--wall-timeout", "400"]
BOUND = 60 + 150 + 60  # load + cases + start-up and clean-up, seconds per submission
MODE = Sandbox.detect().mode
ENTRIES = [e for e in CORPUS if MODE == "namespace" or not e.namespace_only]


def _alternatives():
    if A != "rnn":
        return {}
    from alternatives_rnn import LOOPS, OPS

    return {"alt_ops": OPS, "alt_loops": LOOPS}


def _marked_processes() -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "98765" in cmd and "pytest" not in cmd:
            found.append(f"{pid}: {cmd}")
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    folder, out = root / "submissions", root / "results"
    write_corpus(folder, A, ENTRIES)
    for name, alternative in _alternatives().items():
        write_notebook(numerics.with_cells(A, alternative), folder / name / f"{A}.ipynb")
    partial = make_submission(A, partial_recipe(A))
    for name in ("repeat_a", "repeat_b"):
        write_notebook(partial, folder / name / f"{A}.ipynb")
    env = dict(os.environ, AUTOGRADER_UID_BASE=str(UID_BASE), AUTOGRADER_UID_COUNT="16")
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--jobs", "2",
                           "--out-dir", str(out), *LIMITS], env=env, capture_output=True,
                          text=True, timeout=3600)
    elapsed = time.monotonic() - t0
    with open(out / "gradebook.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {"proc": proc, "rows": rows, "results": results, "elapsed": elapsed,
            "max_score": load_plan(A).max_score, "folder": folder}


def test_the_batch_finishes_and_grades_every_submission(batch):
    proc, rows = batch["proc"], batch["rows"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    expected = {e.name for e in ENTRIES} | set(_alternatives()) | {"repeat_a", "repeat_b"}
    assert set(rows) == expected
    assert set(batch["results"]) == expected
    assert all(r["status"] == "graded" for r in rows.values()), rows


def test_there_are_at_least_fifteen_kinds_of_cheat_and_fault():
    assert len(CORPUS) >= 15
    assert len({e.name for e in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_no_false_credit_and_a_clear_message(batch, entry):
    data = batch["results"][entry.name]
    text = json.dumps(data)
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    assert data["tests"] and sum(t["max_score"] for t in data["tests"]) == batch["max_score"]
    if entry.expect == "zero":
        assert data["score"] == 0, text[:3000]
    else:
        assert data["score"] == batch["max_score"], text[:3000]
    for pattern in entry.messages:
        assert re.search(pattern, text), (
            f"{entry.name}: {pattern!r} not in its results file:\n{text[:3000]}")
    for pattern in entry.forbidden:
        assert not re.search(pattern, text), f"{entry.name}: {pattern!r} in its results file"
    assert len(text) < 200_000  # output floods are truncated


def test_grading_time_is_bounded(batch):
    slow = {name: row["seconds"] for name, row in batch["rows"].items()
            if float(row["seconds"]) > BOUND}
    assert not slow


def test_no_process_is_left_behind(batch):
    left = {uid: processes_of_uid(uid) for uid in range(UID_BASE, UID_BASE + 16)}
    assert not any(left.values()), left
    assert not _marked_processes()
    for data in batch["results"].values():
        assert "could not be ended" not in data["output"]


def test_correct_code_written_differently_gets_full_marks(batch):
    for name in _alternatives():
        data = batch["results"][name]
        lost = {t["name"]: t["output"][:1500] for t in data["tests"] if t["score"] < t["max_score"]}
        assert data["score"] == batch["max_score"], (name, lost)


def test_grading_the_same_submission_twice_gives_the_same_results_file(batch):
    a, b = (dict(batch["results"][n]) for n in ("repeat_a", "repeat_b"))
    assert 0 < a["score"] < batch["max_score"]
    a.pop("execution_time"), b.pop("execution_time")
    assert a == b


def test_known_mistake_is_named_in_the_partial_submission(batch):
    out = {t["name"]: t["output"] for t in batch["results"]["repeat_a"]["tests"]}
    assert "Likely mistake: the tanh derivative is written 1 - next_h" in out["rnn_step_backward"]
