"""Grading a folder of submissions in parallel: one results file per student and a gradebook.

``autograder grade --jobs N FOLDER`` finds one notebook per student (``FOLDER/<student>.ipynb``
or ``FOLDER/<student>/<anything>.ipynb``), grades each with :func:`autograder.api.grade_notebook`
in its own grading process (a fresh interpreter, so that one submission's grading cannot
disturb another's and a stuck one can be killed), at most N at a time, and writes
``OUT/<student>.json`` (Gradescope's schema) and ``OUT/gradebook.csv``.

Every submission gets a results file and a gradebook row whatever happens to the others: a
grading process that crashes or runs past its wall-time limit is killed and its row says
``error`` with the reason (the student's results file then says the grader could not grade
it). Before any student is graded the plans (and known mistakes) are compiled once and
pinned, so the whole batch is graded against the same reference values even if the
solutions change meanwhile.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rnnlab.notebook import NotebookError, read_notebook

from autograder import store


@dataclass
class Submission:
    student: str
    notebook: Path | None
    problem: str = ""


@dataclass
class Row:
    """One gradebook row."""

    student: str
    notebook: str
    assignment: str = ""
    status: str = "graded"  # graded | error
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    peak_memory_mb: float = 0.0
    units: dict = field(default_factory=dict)
    message: str = ""
    results: str = ""
    isolation: str = ""  # the sandbox mode student code ran in (from the results file)
    isolation_missing: str = ""  # protections it lacked, space-separated


def find_submissions(folder: Path, assignment: str | None = None) -> list[Submission]:
    """One submission per notebook file or per sub-folder of ``folder``, sorted by student."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found.append(Submission(entry.stem, entry))
        elif entry.is_dir():
            notebooks = sorted(p for p in entry.rglob("*.ipynb")
                               if ".ipynb_checkpoints" not in p.parts)
            preferred = [p for p in notebooks if assignment and p.name == f"{assignment}.ipynb"]
            if len(notebooks) == 1 or len(preferred) == 1:
                found.append(Submission(entry.name, (preferred or notebooks)[0]))
            elif not notebooks:
                found.append(Submission(entry.name, None, "no notebook (.ipynb) was submitted"))
            else:
                names = ", ".join(p.name for p in notebooks)
                found.append(Submission(entry.name, None,
                                        f"several notebooks were submitted ({names}); "
                                        "submit exactly one"))
    return found


def _assignment_of(sub: Submission, forced: str | None) -> str | None:
    from autograder.api import detect_assignment

    if forced:
        return forced
    try:
        nb = read_notebook(sub.notebook)
    except (NotebookError, OSError):
        nb = None
    return detect_assignment(nb, sub.notebook)


def pin_plans(assignments: set[str], folder: Path) -> None:
    """Compiles plans and known mistakes once and copies them into ``folder`` (a plan dir)."""
    from autograder.mistakes import cached_mistakes_path, load_known_mistakes
    from autograder.plan import cached_plan_path, load_plan

    for a in sorted(assignments):
        plan = load_plan(a)
        store.pin("plan", a, cached_plan_path(a), folder)
        if load_known_mistakes(a, plan) is not None:
            store.pin("mistakes", a, cached_mistakes_path(a), folder)


def _failed_results(row: Row, plan_units: list[tuple[str, float]], why: str) -> dict:
    return {"score": 0.0, "execution_time": round(row.seconds, 3),
            "output": f"The grader could not grade this submission: {why}",
            "tests": [{"name": n, "score": 0.0, "max_score": p,
                       "output": "not graded (see the general output)", "visibility": "visible"}
                      for n, p in plan_units]}


@dataclass
class GradeRequest:
    """What one grading process is asked to do: sent to it whole, as JSON on its standard
    input, not as a command line."""

    notebook: str
    assignment: str
    results: str
    limits: dict | None = None  # the fields of autograder.runner.Limits
    hints: bool = True
    isolation: str | None = None
    plan_dir: str | None = None


def _grade_one(request: GradeRequest) -> dict:
    """In the grading process: grades one notebook through the API and writes its results
    file; returns what the gradebook needs (or the error)."""
    if request.plan_dir:
        os.environ[store.ENV] = str(request.plan_dir)
    try:
        from autograder.api import grade_notebook
        from autograder.reporters import write_results_json
        from autograder.runner import Limits

        limits = Limits(**request.limits) if request.limits else None
        result = grade_notebook(request.notebook, request.assignment, limits,
                                hints=request.hints, isolation=request.isolation)
        write_results_json(result, request.results)
        return {"ok": True, "max_score": result.max_score, "peak_memory": result.peak_memory}
    except BaseException as exc:  # noqa: BLE001 - any failure is this row's error
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}


ANSWER = "autograder-batch-answer: "  # the line of the child's stdout that carries its answer


def _run_request(request: GradeRequest, wall_timeout: float) -> dict:
    """Runs :func:`_grade_one` in a fresh interpreter (``python -m autograder.batch``), in a
    session of its own; kills it and all it started after ``wall_timeout`` seconds."""
    proc = subprocess.Popen([sys.executable, "-m", "autograder.batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(json.dumps(asdict(request)), timeout=wall_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"ok": False, "error": f"grading took longer than {wall_timeout:.0f} s"}
    for line in reversed(out.splitlines()):
        if line.startswith(ANSWER):
            return json.loads(line[len(ANSWER):])
    lines = [ln for ln in (err or "").strip().splitlines() if ln.strip()]
    return {"ok": False, "error": (lines[-1] if lines else
                                   f"the grading process exited with status {proc.returncode}")}


def grade_folder(folder: Path, out_dir: Path, jobs: int = 1, assignment: str | None = None,
                 limits=None, hints: bool = True, isolation: str | None = None,
                 wall_timeout: float = 1800.0, progress=print) -> list[Row]:
    """Grades every submission in ``folder``; returns the gradebook rows (also written).

    ``limits``, ``hints`` and ``isolation`` are those of :func:`autograder.api.grade_notebook`;
    ``wall_timeout`` bounds one submission's grading process.
    """
    from autograder.plan import load_plan

    folder, out_dir = Path(folder), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    subs = find_submissions(folder, assignment)
    todo = []
    rows: dict[str, Row] = {}
    for sub in subs:
        row = Row(sub.student, str(sub.notebook or ""), results=str(out_dir / f"{sub.student}.json"))
        rows[sub.student] = row
        if sub.problem:
            row.status, row.message = "graded", sub.problem
            continue
        a = _assignment_of(sub, assignment)
        if a is None:
            row.status = "error"
            row.message = "cannot tell which assignment this notebook is for (use --assignment)"
            continue
        row.assignment = a
        todo.append((sub, row))
    needed = {row.assignment for _, row in todo} | ({assignment} if assignment else set())
    units = {}
    plan_dir = None
    if store.pinned_dir() is None and needed:
        plan_dir = tempfile.TemporaryDirectory(prefix="autograder-plans-")
        pin_plans(needed, Path(plan_dir.name))
    pinned = plan_dir.name if plan_dir is not None else store.pinned_dir()
    for a in needed:
        plan = load_plan(a) if plan_dir is None else None
        if plan is None:
            from autograder.plan import read_plan

            plan = read_plan(store.pinned_path("plan", a, Path(plan_dir.name)))
        units[a] = [(u.name, u.points) for u in plan.units]
    for sub in subs:  # submissions without a notebook: zero, with the reason
        row = rows[sub.student]
        if row.status == "error":
            Path(row.results).write_text(json.dumps(_failed_results(row, [], row.message),
                                                    indent=2) + "\n")
        elif sub.problem:
            a = assignment or (next(iter(needed)) if len(needed) == 1 else None)
            row.assignment = a or ""
            plan_units = units.get(a, [])
            row.max_score = sum(p for _, p in plan_units)
            data = _failed_results(row, plan_units, sub.problem)
            data["output"] = sub.problem
            Path(row.results).write_text(json.dumps(data, indent=2) + "\n")

    def run(item):
        sub, row = item
        t0 = time.monotonic()
        answer = _run_request(GradeRequest(str(sub.notebook), row.assignment, row.results,
                                           asdict(limits) if limits is not None else None,
                                           hints, isolation, str(pinned) if pinned else None),
                              wall_timeout)
        row.seconds = time.monotonic() - t0
        if answer.get("ok"):
            info = answer
            data = json.loads(Path(row.results).read_text())
            row.score, row.max_score = data["score"], info["max_score"]
            row.peak_memory_mb = round(info["peak_memory"] / 2**20, 1)
            row.units = {t["name"]: t["score"] for t in data["tests"]}
            iso = data.get("isolation") or {}
            row.isolation = str(iso.get("mode", ""))
            row.isolation_missing = " ".join(iso.get("missing", []))
        else:
            row.status = "error"
            row.message = str(answer.get("error", "unknown error"))[:500]
            row.max_score = sum(p for _, p in units.get(row.assignment, []))
            Path(row.results).write_text(json.dumps(
                _failed_results(row, units.get(row.assignment, []), row.message), indent=2) + "\n")
        if progress:
            progress(f"{row.student:<24} {row.status:<7} {row.score:g} / {row.max_score:g}"
                     f"  ({row.seconds:.1f} s){'  ' + row.message if row.message else ''}")
        return row

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(run, todo))
    finally:
        if plan_dir is not None:
            plan_dir.cleanup()
    ordered = [rows[s.student] for s in subs]
    write_gradebook(ordered, out_dir / "gradebook.csv",
                    [n for a in sorted(units) for n, _ in units[a]])
    return ordered


def write_gradebook(rows: list[Row], path: Path, unit_names: list[str]) -> None:
    unit_names = list(dict.fromkeys(unit_names))
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "assignment", "score", "max_score", "status", "seconds",
                         "peak_memory_mb", *unit_names, "isolation", "isolation_missing",
                         "message", "results", "notebook"])
        for r in rows:
            writer.writerow([r.student, r.assignment, f"{r.score:g}", f"{r.max_score:g}",
                             r.status, f"{r.seconds:.1f}", f"{r.peak_memory_mb:g}",
                             *[f"{r.units[n]:g}" if n in r.units else "" for n in unit_names],
                             r.isolation, r.isolation_missing, r.message, r.results,
                             r.notebook])


if __name__ == "__main__":  # a grading process of grade_folder: one GradeRequest on stdin
    answer = _grade_one(GradeRequest(**json.loads(sys.stdin.read())))
    print(ANSWER + json.dumps(answer), flush=True)
