"""The mutation audit: do the hidden tests catch small bugs in the solution?

``autograder audit <assignment>`` makes every single-site mutant of the solution's graded code
(the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; operators in
:mod:`autograder.mutations`: arithmetic and comparison operators, activation functions,
reductions, axes, transposes, argument and tuple order such as gate order, slice bounds and
indices, dropped terms, masks, calls and keyword arguments, constants, negated conditions),
grades each one against the compiled plan and reports the mutants no hidden test catches.

Speed: ``--jobs`` workers each load the solution once and swap mutated cells in and out
(:class:`~autograder.mutations.MutantSession`); a mutant runs only the units whose test cell
comes after the changed cell (nothing earlier can use it), the unit of the changed cell first,
and stops at its first failing case. ``--budget`` bounds the wall time; ``--verify`` re-grades
every survivor from scratch (a fresh worker, all units), as a student submission would be.

Survivors must be explained in the instructor notes ``autograder/audit/<assignment>.toml``::

    [[survivor]]
    key = "train_tbptt_code | next_h = tf.stop_gradient(next_h) | drop the call to stop_gradient"
    verdict = "equivalent"     # or "accepted" (a real change left ungraded on purpose, say why)
    why = "the state is returned out of the tape ..."

The catch rate is computed over the mutants that change the program: survivors explained as
``equivalent`` are left out of the denominator (the report gives the raw rate too). A
survivor that is a real gap should get a new hidden test instead of an explanation.

The audit writes ``autograder/audit/<assignment>.md`` (for instructors and the review page)
and ``<assignment>.json`` with the catch rate, every survivor with its explanation (or
UNEXPLAINED) and how each mutant was caught.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rnnlab.evaluate import WRONG, evaluate_unit
from rnnlab.cells import test_cells
from rnnlab.notebook import read_notebook

from autograder import paths
from autograder.mutations import Mutant, MutantSession, mutants, solution_cells
from autograder.plan import load_plan
from autograder.runner import Limits, WorkerFailed

AUDIT_DIR = Path(__file__).resolve().parent / "audit"
TARGET = 0.95


@dataclass
class Outcome:
    key: str
    cell: str
    line: str
    kind: str
    description: str
    status: str  # caught | survived | not run
    caught_by: str = ""
    seconds: float = 0.0
    verified: bool = False


@dataclass
class AuditReport:
    assignment: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    jobs: int = 1
    explanations: dict = field(default_factory=dict)

    @property
    def run(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "not run"]

    @property
    def caught(self) -> int:
        return sum(o.status == "caught" for o in self.outcomes)

    @property
    def survivors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "survived"]

    @property
    def equivalent(self) -> list[Outcome]:
        """Survivors the instructor notes explain as equivalent to the solution."""
        return [o for o in self.survivors
                if self.explanations.get(o.key, {}).get("verdict") == "equivalent"]

    @property
    def raw_catch_rate(self) -> float:
        return self.caught / len(self.run) if self.run else 0.0

    @property
    def catch_rate(self) -> float:
        """Caught among the mutants that change the program (equivalent ones left out)."""
        n = len(self.run) - len(self.equivalent)
        return self.caught / n if n else 0.0

    @property
    def unexplained(self) -> list[Outcome]:
        return [o for o in self.survivors if o.key not in self.explanations]


def load_explanations(assignment: str, folder: Path = AUDIT_DIR) -> dict[str, dict]:
    """key -> {"verdict": ..., "why": ...} from ``<folder>/<assignment>.toml``."""
    path = folder / f"{assignment}.toml"
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    return {s["key"]: s for s in data.get("survivor", [])}


def _unit_order(nb: dict, plan) -> list[tuple[int, str]]:
    """(test cell index, unit name) in notebook order."""
    names = {u.name for u in plan.units}
    return [(i, n) for i, n in test_cells(nb) if n in names]


def _check(session: MutantSession, mutant: Mutant, units, case_timeout: float) -> str:
    """'' if every case passes, else what caught the mutant."""
    try:
        errors = session.swap(mutant.index, mutant.source)
    except WorkerFailed as exc:
        return f"defining the changed cell fails ({str(exc)[:120]})"
    if errors:
        return f"the changed cell raises ({errors[0][1][:120]})"
    for unit in units:
        outcome = evaluate_unit(unit.name, unit.cases, unit.expected,
                                lambda case, timeout: session.session.run_case(case, timeout=timeout),
                                case_timeout=case_timeout, first_failure=True)
        failed = next((c for c in outcome.cases if not c.ok), None)
        if failed is not None and failed.status == WRONG:
            bad = [c.key for c in failed.comparisons if not c.ok]
            return f"{unit.name} / {failed.name}: {', '.join(bad)} wrong"
        if failed is not None:
            return f"{unit.name} / {failed.name}: {failed.why[:120]}"
    return ""


def run_audit(assignment: str, jobs: int = 2, budget: float | None = None,
              verify: bool = False, cells: list[str] | None = None, limit: int | None = None,
              case_timeout: float = 20.0, progress=print) -> AuditReport:
    """Grades every mutant of the solution; see the module docstring."""
    t0 = time.monotonic()
    plan = load_plan(assignment)
    nb = read_notebook(paths.solution_notebook(assignment))
    order = _unit_order(nb, plan)
    all_mutants = [m for c in solution_cells(nb) if not cells or c.grade_id in cells
                   for m in mutants(c)]
    if limit:
        all_mutants = all_mutants[:limit]
    report = AuditReport(assignment, jobs=jobs, explanations=load_explanations(assignment))
    todo: queue.Queue = queue.Queue()
    for m in all_mutants:
        todo.put(m)
    results: dict[str, Outcome] = {}
    lock = threading.Lock()
    deadline = t0 + budget if budget else None
    failures: list[BaseException] = []

    def units_for(m: Mutant):
        after = [n for i, n in order if i > m.index]
        return [plan.unit(n) for n in after]

    def work():
        try:
            with MutantSession(assignment, Limits(case_timeout=case_timeout,
                                                  load_timeout=600)) as session:
                session.start()
                while True:
                    try:
                        m = todo.get_nowait()
                    except queue.Empty:
                        return
                    base = dict(key=m.key, cell=m.grade_id, line=m.line, kind=m.kind,
                                description=m.description)
                    if deadline and time.monotonic() > deadline:
                        outcome = Outcome(**base, status="not run")
                    else:
                        t = time.monotonic()
                        caught = _check(session, m, units_for(m), case_timeout)
                        session.restore(m.index)
                        outcome = Outcome(**base, status="caught" if caught else "survived",
                                          caught_by=caught, seconds=time.monotonic() - t)
                    with lock:
                        results[m.key] = outcome
                        if progress:
                            why = " ".join(outcome.caught_by.split())
                            progress(f"[{len(results)}/{len(all_mutants)}] {outcome.status:<8} "
                                     f"{m.key}" + (f"  <- {why}" if why else ""))
        except BaseException as exc:  # noqa: BLE001 - reported after the threads end
            failures.append(exc)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, jobs))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures and len(results) < len(all_mutants):
        raise RuntimeError(f"the audit could not run: {failures[0]}") from failures[0]
    report.outcomes = [results[m.key] for m in all_mutants if m.key in results]
    if verify:
        _verify_survivors(report, nb, all_mutants, progress)
    report.seconds = time.monotonic() - t0
    return report


def _verify_survivors(report: AuditReport, nb: dict, all_mutants: list[Mutant], progress):
    """Grades each survivor from scratch, as a submission (fresh worker, every unit)."""
    import tempfile

    from autograder.api import grade_notebook
    from autograder.examples import write_notebook

    by_key = {m.key: m for m in all_mutants}
    for outcome in report.survivors:
        m = by_key[outcome.key]
        changed = json.loads(json.dumps(nb))
        changed["cells"][m.index]["source"] = m.source
        with tempfile.TemporaryDirectory() as tmp:
            path = write_notebook(changed, Path(tmp) / f"{report.assignment}.ipynb")
            result = grade_notebook(path, report.assignment, hints=False)
        outcome.verified = True
        if result.score < result.max_score:
            lost = [t.name for t in result.tests if not t.passed]
            outcome.status, outcome.caught_by = "caught", f"full grading: {', '.join(lost)}"
        if progress:
            progress(f"verified {outcome.status:<8} {outcome.key}")


def write_report(report: AuditReport, folder: Path = AUDIT_DIR) -> tuple[Path, Path]:
    """Writes ``<folder>/<assignment>.md`` and ``.json``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    a = report.assignment
    explained = report.explanations
    from autograder.plan import plan_key

    data = {
        "assignment": a,
        "plan_key": plan_key(a),
        "mutants": len(report.outcomes),
        "run": len(report.run),
        "caught": report.caught,
        "survived": len(report.survivors),
        "equivalent": len(report.equivalent),
        "catch_rate": round(report.catch_rate, 4),
        "raw_catch_rate": round(report.raw_catch_rate, 4),
        "target": TARGET,
        "seconds": round(report.seconds, 1),
        "jobs": report.jobs,
        "survivors": [dict(asdict(o), explanation=explained.get(o.key)) for o in report.survivors],
        "stale_explanations": sorted(set(explained) - {o.key for o in report.survivors}),
        "by_kind": _by(report, "kind"),
        "by_cell": _by(report, "cell"),
        "outcomes": [asdict(o) for o in report.outcomes],
    }
    json_path = folder / f"{a}.json"
    json_path.write_text(json.dumps(data, indent=1) + "\n")
    md_path = folder / f"{a}.md"
    md_path.write_text(render_markdown(data))
    return md_path, json_path


def _by(report: AuditReport, attr: str) -> dict:
    table: dict[str, list[int]] = {}
    for o in report.run:
        row = table.setdefault(getattr(o, attr), [0, 0])
        row[0] += 1
        row[1] += o.status == "caught"
    return {k: {"mutants": n, "caught": c} for k, (n, c) in sorted(table.items())}


def render_markdown(data: dict) -> str:
    a = data["assignment"]
    lines = [f"# Mutation audit of `{a}`", "",
             f"Generated by `autograder audit {a}`; explanations of survivors are kept in "
             f"`autograder/audit/{a}.toml`.", "",
             f"- mutants: {data['mutants']} (run: {data['run']})",
             f"- caught by the hidden tests: {data['caught']}: **{100 * data['catch_rate']:.1f}%** "
             f"of the {data['run'] - data['equivalent']} mutants that change the program "
             f"(target {100 * data['target']:.0f}%); {100 * data['raw_catch_rate']:.1f}% of all",
             f"- survivors: {data['survived']}, of which {data['equivalent']} equivalent to the "
             f"solution",
             f"- time: {data['seconds']:.0f} s with {data['jobs']} worker(s)", "",
             "## Survivors", ""]
    if not data["survivors"]:
        lines.append("None.")
    for s in data["survivors"]:
        exp = s.get("explanation")
        verdict = f"**{exp['verdict']}**: {exp['why']}" if exp else "**UNEXPLAINED**"
        lines += [f"- `{s['cell']}`, line `{s['line']}`: {s['description']}  ",
                  f"  {verdict}"]
    if data["stale_explanations"]:
        lines += ["", "## Explanations of mutants that no longer survive", ""]
        lines += [f"- `{k}`" for k in data["stale_explanations"]]
    lines += ["", "## Catch rate by kind of mutation", "", "| kind | mutants | caught |",
              "|---|---:|---:|"]
    lines += [f"| {k} | {v['mutants']} | {v['caught']} |" for k, v in data["by_kind"].items()]
    lines += ["", "## Catch rate by solution cell", "", "| cell | mutants | caught |",
              "|---|---:|---:|"]
    lines += [f"| {k} | {v['mutants']} | {v['caught']} |" for k, v in data["by_cell"].items()]
    return "\n".join(lines) + "\n"
