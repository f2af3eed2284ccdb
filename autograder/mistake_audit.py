"""Audit of common student mistakes: does the grader take the points, and does it say why?

The declared known mistakes (``autograder/mistakes/<a>.py``) are named by construction; this
audit asks how well they, the generated mistakes and the diagnoses that need no list
(:mod:`rnnlab.diagnose`) cover mistakes written *independently of them*. A corpus is
``tests/adversarial/<corpus>_mistakes_<a>.py``, a dict ``MISTAKES = {id: {grade_id: [(old,
new), ...]}}`` of text replacements on the solution's cells, written the way students err
(and ``VALUE_PRESERVING = {id: why}`` for entries that compute the right values all the same):
``common`` (partly fitted: mistakes it found unnamed were declared), ``blind`` and ``blind2``
(written by people who saw neither the declared mistakes nor the diagnoses; the generic
diagnoses were tuned once on ``blind``, never on ``blind2``).

For each entry the mistaken submission is built (:func:`autograder.examples.make_submission`),
its definitions run in this process (:func:`rnnlab.notebook.run_definitions`: instructors'
code only, never a student's), and every graded unit is judged as the grader judges it
(:func:`rnnlab.evaluate.evaluate_unit` with the compiled known mistakes). For each unit it
costs, the audit records:

- whether the grader takes the points (some case fails);
- whether the grader names the mistake (a declared or generated mistake's values match, a
  hint of :mod:`rnnlab.diagnose` or the no-gradient hint fires, or the unit's note repeats the
  diagnosis of a failing unit it uses), or only shows an error (the code raised);
- whether the **visible check** names it: :func:`rnnlab.checks.check_outcome` runs the
  unit's public cases in the notebook's way; where that function does not exist yet, this
  column says "not available".

An entry is *named by the grader* when every unit it costs on values is named (units where it
raises show the error itself and are listed apart), and at least one is. Run::

    python -m autograder.mistake_audit rnn lstm        # report; --json FILE, --only ID,...
    python -m autograder.mistake_audit --corpus blind2 # the unfitted corpus
    python -m autograder.mistake_audit rnn --without-declared  # what needs no list alone
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder import paths

NOT_AVAILABLE = "not available"


CORPORA = ("common", "blind", "blind2")  # tests/adversarial/<corpus>_mistakes_<assignment>.py


def corpus_path(assignment: str, corpus: str = "common") -> Path:
    return (paths.course_root() / "tests" / "adversarial"
            / f"{corpus}_mistakes_{assignment}.py")


def load_corpus(assignment: str, corpus: str = "common") -> tuple[dict, dict]:
    """``(MISTAKES, VALUE_PRESERVING)`` of the assignment's corpus file."""
    path = corpus_path(assignment, corpus)
    if not path.exists():
        raise FileNotFoundError(f"no corpus of {corpus} mistakes for {assignment!r} at {path}")
    spec = importlib.util.spec_from_file_location(f"{corpus}_mistakes_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.MISTAKES), dict(getattr(module, "VALUE_PRESERVING", {}))


@dataclass
class UnitAudit:
    """What one corpus entry does to one graded unit it costs.

    Attributes:
        unit: the unit.
        raised: the first error, when a case raised (the grader shows it; nothing to match).
        named: the grader's diagnosis (declared mistake title, or the no-gradient hint).
        by: ``"mistake"``, ``"hint"`` or ``"dependency"`` (which kind of diagnosis ``named``
            is, see :func:`named_in`), or None.
        check: the visible check's verdict: ``"named"``, ``"unnamed"``, ``"passes"`` (the
            public cases do not see it) or :data:`NOT_AVAILABLE`.
        check_named: the visible check's diagnosis, if any.
        public_changed: whether a public case fails.
    """

    unit: str
    raised: str | None = None
    named: str | None = None
    by: str | None = None
    check: str = NOT_AVAILABLE
    check_named: str | None = None
    public_changed: bool = False


@dataclass
class EntryAudit:
    """One corpus entry: the units it costs, or why it could not be built."""

    id: str
    problem: str | None = None
    units: list[UnitAudit] = field(default_factory=list)
    value_preserving: str | None = None
    seconds: float = 0.0

    @property
    def lost(self) -> bool:
        return bool(self.units)

    @property
    def value_units(self) -> list[UnitAudit]:
        return [u for u in self.units if u.raised is None]

    @property
    def named_by_grader(self) -> bool:
        values = self.value_units
        return bool(values) and all(u.named for u in values)

    @property
    def named_by_check(self) -> bool | None:
        """None when the visible checks cannot say (no ``check_outcome`` yet)."""
        values = self.value_units
        if any(u.check == NOT_AVAILABLE for u in values):
            return None
        return bool(values) and all(u.check == "named" for u in values)

    @property
    def raises_only(self) -> bool:
        return bool(self.units) and not self.value_units


@dataclass
class AssignmentAudit:
    assignment: str
    entries: list[EntryAudit]

    @property
    def counted(self) -> list[EntryAudit]:
        """Entries that could be built and are not declared value-preserving."""
        return [e for e in self.entries if e.problem is None and e.value_preserving is None]

    def summary(self) -> dict:
        counted = self.counted
        lost = [e for e in counted if e.lost]
        checks = [e.named_by_check for e in lost]
        return {
            "corpus": len(self.entries),
            "stale": sum(e.problem is not None for e in self.entries),
            "value_preserving": sum(e.value_preserving is not None for e in self.entries),
            "counted": len(counted),
            "lost_points": len(lost),
            "named_by_grader": sum(e.named_by_grader for e in lost),
            "raises_only": sum(e.raises_only for e in lost),
            "named_by_check": (NOT_AVAILABLE if any(c is None for c in checks)
                               else sum(bool(c) for c in checks)),
            "seconds": round(sum(e.seconds for e in self.entries), 1),
        }


def _check_outcome():
    """``rnnlab.checks.check_outcome`` if the visible checks offer it, else None."""
    try:
        import rnnlab.checks as checks
    except ImportError:
        return None
    return getattr(checks, "check_outcome", None)


def _public_counts(assignment: str) -> dict[str, int]:
    from autograder.specs import load_units

    return {u.name: len(u.public) for u in load_units(assignment)}


def _cell_names(source: str) -> tuple[set[str], set[str]]:
    """(names a cell defines at top level, every name it refers to)."""
    import ast

    from autograder.mutations import _defined_names

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    refs = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return _defined_names(source), refs


def affected_units(nb: dict, cells: set[str], plan) -> list[str]:
    """The units whose targets can reach code of the solution cells ``cells``: the cells
    defining a unit's targets, then those defining every name they refer to, transitively.
    The other units run the same code as the solution and cannot change."""
    from rnnlab.notebook import definition_cells

    defines, refers, by_id = [], [], {}
    for cell in definition_cells(nb):
        d, r = _cell_names(cell.source)
        meta = nb["cells"][cell.index].get("metadata") or {}
        gid = (meta.get("nbgrader") or {}).get("grade_id")
        by_id[gid] = len(defines)
        defines.append(d)
        refers.append(r)
    changed = {by_id[c] for c in cells if c in by_id}
    out = []
    for unit in plan.units:
        names, seen, todo = set(unit.targets), set(), list(unit.targets)
        while todo:
            name = todo.pop()
            for k, d in enumerate(defines):
                if name in d and k not in seen:
                    seen.add(k)
                    new = refers[k] - names
                    names |= new
                    todo.extend(new)
        if seen & changed:
            out.append(unit.name)
    return out


def _run_in_process(namespace):
    from rnnlab.evaluate import CaseRaised
    from rnnlab.probes import run_case

    def run(case, timeout=None):
        try:
            return run_case(namespace, case)
        except Exception as exc:  # noqa: BLE001 - a raising case is a failing case
            raise CaseRaised(f"{type(exc).__name__}: {exc}".splitlines()[0][:200]) from None
    return run


def named_in(outcome) -> tuple[str | None, str | None]:
    """What a unit's feedback names as the likely mistake, and by what: ``"mistake"`` (a
    declared one), ``"hint"`` (:mod:`rnnlab.diagnose` or the no-gradient hint) or
    ``"dependency"`` (a unit it uses fails, and that unit's diagnosis is repeated)."""
    if outcome.mistake:
        return outcome.mistake, "mistake"
    if outcome.hint:
        return outcome.hint, "hint"
    said = [line.strip() for line in outcome.depends if line.startswith("  (")]
    return (said[0], "dependency") if said else (None, None)


def audit_entry(assignment: str, plan, known, entry_id: str, bugs: dict,
                public: dict[str, int] | None = None, only_affected: bool = True) -> EntryAudit:
    """Builds one mistaken submission and judges its units (see the module docstring): the
    units whose code reaches the changed cells (:func:`affected_units`), or every unit."""
    from autograder.api import add_dependencies
    from autograder.examples import Recipe, make_submission
    from rnnlab.evaluate import RAISED, evaluate_unit
    from rnnlab.notebook import run_definitions

    started = time.monotonic()
    result = EntryAudit(entry_id)
    public = public if public is not None else _public_counts(assignment)
    try:
        nb = make_submission(assignment, Recipe(solved=["*"], bugs={c: [tuple(r) for r in rs]
                                                                    for c, rs in bugs.items()}))
    except ValueError as exc:
        result.problem = f"the replacement no longer applies: {exc}"
        return result
    run = run_definitions(nb)
    namespace = run.namespace
    if run.errors:
        text = run.errors[0].error.strip() or "?"
        result.problem = "a changed cell raises when it runs: " + text.splitlines()[-1]
        return result
    check_outcome = _check_outcome()
    runner = _run_in_process(namespace)
    affected = set(affected_units(nb, set(bugs), plan)) if only_affected else None
    outcomes = {}
    for unit in plan.units:
        if affected is not None and unit.name not in affected:
            continue
        diagnose = (lambda failures, unit=unit: known.diagnose_title(unit, failures)) \
            if known is not None else None
        outcomes[unit.name] = evaluate_unit(unit.name, unit.cases, unit.expected, runner,
                                            diagnose=diagnose)
    add_dependencies(plan, outcomes)
    for unit in plan.units:
        outcome = outcomes.get(unit.name)
        if outcome is None or outcome.ok:
            continue
        audit = UnitAudit(unit.name)
        raised = [c.why for c in outcome.cases if c.status == RAISED]
        if raised:
            audit.raised = raised[0]
        audit.named, audit.by = named_in(outcome)
        audit.public_changed = any(not c.ok for c in outcome.cases[:public.get(unit.name, 0)])
        if check_outcome is not None:
            try:
                verdict = check_outcome(assignment, unit.name, namespace)
            except Exception as exc:  # noqa: BLE001 - the audit reports, it does not crash
                audit.check, audit.check_named = "error", f"{type(exc).__name__}: {exc}"
            else:
                name, _ = named_in(verdict)
                audit.check = ("passes" if verdict.ok else "named" if name else "unnamed")
                audit.check_named = name
        result.units.append(audit)
    result.seconds = time.monotonic() - started
    return result


def audit_assignment(assignment: str, only=None, progress=None,
                     declared: bool = False, corpus: str = "common",
                     known_mistakes: bool = True) -> AssignmentAudit:
    """Audits every entry of the assignment's corpus (or only the ids in ``only``; or the
    declared mistakes themselves, with ``declared``)."""
    from autograder.mistakes import load_known_mistakes
    from autograder.plan import load_plan

    if declared:
        mistakes, preserving = declared_corpus(assignment), {}
    else:
        mistakes, preserving = load_corpus(assignment, corpus)
    plan = load_plan(assignment)
    known = load_known_mistakes(assignment, plan) if known_mistakes else None
    public = _public_counts(assignment)
    entries = []
    for entry_id, bugs in mistakes.items():
        if only and entry_id not in only:
            continue
        if progress:
            progress(entry_id)
        entry = audit_entry(assignment, plan, known, entry_id, bugs, public)
        entry.value_preserving = preserving.get(entry_id)
        entries.append(entry)
    return AssignmentAudit(assignment, entries)


def declared_corpus(assignment: str) -> dict:
    """The declared known mistakes as corpus entries (``declared-<index>``)."""
    from autograder.mistakes import declared_mistakes

    return {f"declared-{k}": {m.cell: [list(r) for r in m.replace]}
            for k, m in enumerate(declared_mistakes(assignment))}


def declared_problems(assignment: str, entries: list[EntryAudit]) -> list[str]:
    """What is wrong with the declared mistakes, judged from their audit entries: each must
    cost exactly the units it lists, on values (not by raising), each with a public case, and
    be named there by the grader as itself. Units where it raises need not be listed (the
    feedback shows the error; there are no values to match)."""
    from autograder.mistakes import declared_mistakes

    mistakes = declared_mistakes(assignment)
    problems = []
    for entry in entries:
        k = int(entry.id.split("-")[1])
        m = mistakes[k]
        where = f"{assignment} mistake {k} ({m.title[:60]!r})"
        if entry.problem:
            problems.append(f"{where}: {entry.problem}")
            continue
        lost = {u.unit for u in entry.units if u.raised is None}
        if lost != set(m.units):
            problems.append(f"{where}: lists {sorted(m.units)}, costs {sorted(lost)}")
        for u in entry.units:
            if u.unit not in m.units:
                continue
            if u.raised:
                problems.append(f"{where}: raises in {u.unit}: {u.raised}")
            elif not u.public_changed:
                problems.append(f"{where}: changes no public case of {u.unit}")
            elif not (u.named and m.title in u.named):
                problems.append(f"{where}: {u.unit} is named {_short(u.named, 80)!r}")
    return problems


def _short(text: str | None, n: int = 90) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[:n - 3] + "..."


def format_report(audit: AssignmentAudit) -> str:
    s = audit.summary()
    lost = max(s["lost_points"], 1)
    check = (s["named_by_check"] if s["named_by_check"] == NOT_AVAILABLE
             else f"{s['named_by_check']} ({100 * s['named_by_check'] / lost:.0f}%)")
    lines = [
        f"{audit.assignment}: corpus {s['corpus']} ({s['stale']} stale, "
        f"{s['value_preserving']} value-preserving), {s['counted']} counted",
        f"  lost points:     {s['lost_points']} of {s['counted']}",
        f"  named by grader: {s['named_by_grader']} ({100 * s['named_by_grader'] / lost:.0f}% of "
        f"those lost; {s['raises_only']} more only raise, which the feedback shows)",
        f"  named by check:  {check}",
        f"  time:            {s['seconds']} s",
    ]
    stale = [e for e in audit.entries if e.problem]
    if stale:
        lines.append("  could not be built:")
        lines.extend(f"    - {e.id}: {_short(e.problem, 120)}" for e in stale)
    kept = [e for e in audit.entries if e.problem is None and e.value_preserving is None]
    free = [e for e in kept if not e.lost]
    if free:
        lines.append("  cost no points (grader defect, or add to VALUE_PRESERVING with why):")
        lines.extend(f"    - {e.id}" for e in free)
    unnamed = [e for e in kept if e.lost and not e.named_by_grader]
    if unnamed:
        lines.append("  not named by the grader:")
        for e in unnamed:
            units = ", ".join(f"{u.unit}" + (" (raises)" if u.raised else
                                             "" if u.named else " (unnamed)")
                              for u in e.units)
            lines.append(f"    - {e.id}: {units}")
    if s["named_by_check"] != NOT_AVAILABLE:
        unchecked = [e for e in kept if e.lost and e.named_by_check is False]
        if unchecked:
            lines.append("  not named by the visible check:")
            for e in unchecked:
                units = ", ".join(f"{u.unit} ({u.check})" for u in e.value_units
                                  if u.check != "named")
                lines.append(f"    - {e.id}: {units}")
    named = [e for e in kept if e.lost and e.named_by_grader]
    if named:
        lines.append("  named by the grader:")
        for e in named:
            titles = sorted({({"hint": "[hint] ", "dependency": "[dep] "}.get(u.by, "")) + _short(u.named, 70)
                             for u in e.value_units})
            lines.append(f"    - {e.id}: {' | '.join(titles)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.mistake_audit",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", choices=[[]] + list(paths.ASSIGNMENTS),
                        help="default: every assignment with a corpus")
    parser.add_argument("--only", help="only these entry ids (comma-separated)")
    parser.add_argument("--json", help="also write the full results here")
    parser.add_argument("--declared", action="store_true",
                        help="audit the declared known mistakes instead of the corpus, and list "
                             "what is wrong with them (units not listed, no public case...)")
    parser.add_argument("--corpus", choices=CORPORA, default="common",
                        help="which corpus: common (tests/adversarial/common_mistakes_<a>.py, "
                             "which the declared mistakes were partly fitted to), or blind, "
                             "blind2 (<corpus>_mistakes_<a>.py, written without seeing the "
                             "declared mistakes or the diagnoses)")
    parser.add_argument("--without-declared", action="store_true",
                        help="match no declared mistake: measure what the diagnoses that need "
                             "no list (rnnlab.diagnose, the no-gradient hint) name alone")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each entry's id")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    assignments = args.assignments or [a for a in paths.ASSIGNMENTS
                                       if corpus_path(a, args.corpus).exists()]
    only = set(args.only.split(",")) if args.only else None
    results = {}
    for a in assignments:
        audit = audit_assignment(a, only, progress=(lambda i: print(f"  {i}", file=sys.stderr))
                                 if args.verbose else None, declared=args.declared,
                                 corpus=args.corpus,
                                 known_mistakes=not args.without_declared)
        print(format_report(audit), flush=True)
        if args.declared:
            problems = declared_problems(a, audit.entries)
            print(f"  declared mistakes: {len(problems)} problem(s)")
            print("\n".join(f"    - {p}" for p in problems))
        results[a] = {"summary": audit.summary(), "entries": [asdict(e) for e in audit.entries]}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
