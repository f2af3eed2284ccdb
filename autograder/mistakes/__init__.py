"""Known mistakes: naming the likely bug when a student's values match it.

Each assignment may declare its classic mistakes in ``autograder/mistakes/<assignment>.py``
as a list ``MISTAKES`` of :class:`Mistake`: a title the student reads, the solution cell it
changes (its nbgrader grade_id), plain text replacements that turn the solution into the
mistaken code (like :class:`autograder.examples.Recipe` bugs), and the graded units whose
values it changes. Example::

    Mistake(
        title="the tanh derivative is missing: dz must be dnext_h * (1 - next_h**2)",
        cell="rnn_step_backward_code",
        replace=[("dz = dnext_h * (1 - next_h**2)", "dz = dnext_h")],
        units=["rnn_step_backward", "rnn_backward"],
    )

They are compiled like the plan: the solution runs with each mistake swapped in (see
:class:`autograder.mutations.MutantSession`) on the hidden cases of its units, and the values
that differ from the reference are cached next to the plan (``.cache/autograder/<a>-mistakes-
<key>.npz``; ``<a>.mistakes.npz`` in a Gradescope package). When a unit fails, the grader
compares the student's values with each mistake's: a mistake is named when it changes exactly
the cases the student failed and the student's values equal its values on all of them (same
tolerance policy as grading). A mistake's values are computed in each case's own dtype, not
as a float64 truth like the plan's: some mistakes make values of a random draw (an
initializer left at its default), which only the same dtype's draw reproduces; float32 values
of a mistake differ between machines by far less than the float32 tolerance the match uses.

They are instructor-only material (they hold solution code), so they live under
``autograder/`` and never reach the student bundle.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnlab.evaluate import WRONG, evaluate_unit, match_mistakes
from rnnlab.notebook import read_notebook

from autograder import paths, store

FORMAT = 5  # bump to recompile every cached set of mistake values


@dataclass(frozen=True)
class Mistake:
    """One classic mistake (see the module docstring).

    Attributes:
        title: what the student reads after "Likely mistake:", one sentence.
        cell: grade_id of the solution cell it changes.
        replace: (old, new) text replacements applied to that cell's source.
        units: graded units whose values it changes (only their cases are compiled).
    """

    title: str
    cell: str
    replace: tuple
    units: tuple

    def __init__(self, title: str, cell: str, replace, units):
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "cell", cell)
        object.__setattr__(self, "replace", tuple(tuple(r) for r in replace))
        object.__setattr__(self, "units", tuple(units))


def declared_mistakes(assignment: str) -> list[Mistake]:
    """The assignment's ``MISTAKES`` (none if it has no module)."""
    name = f"autograder.mistakes.{assignment}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return []
        raise
    return list(getattr(module, "MISTAKES", []))


@dataclass
class KnownMistakes:
    """Compiled mistakes of one assignment: their values where they differ from the reference.

    Attributes:
        titles: one per mistake: the declared ones, then the generated ones
            (:mod:`autograder.mistakes.generated`).
        records: unit -> list of (mistake index, case index, values).
        problems: declared mistakes that could not be compiled (stale text, no effect...).
        declared: how many of ``titles`` are declared (None: all of them).
    """

    assignment: str
    titles: list[str]
    records: dict[str, list[tuple[int, int, dict]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    declared: int | None = None

    def diagnose_title(self, unit, failures: list[tuple[int, dict]]) -> str | None:
        """The title of the mistake that explains every failed case of ``unit``, if one does
        (:func:`rnnlab.evaluate.match_mistakes`).

        Args:
            unit: the :class:`~autograder.plan.PlannedUnit`.
            failures: (case index, the student's values) of the cases that failed on values.
        """
        return match_mistakes(self.titles, self.records.get(unit.name, []), unit.cases, failures,
                              declared=self.declared)


def _key(assignment: str, mistakes: list[Mistake]) -> str:
    from autograder.plan import plan_key

    from autograder.mistakes import generated

    digest = hashlib.sha256(f"{FORMAT}:{generated.VERSION}:{plan_key(assignment)}".encode())
    digest.update(repr(mistakes).encode())
    for source in (__file__, generated.__file__, importlib.import_module(
            "autograder.mutations").__file__):  # how they are compiled and generated
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:20]


def compile_known_mistakes(assignment: str, plan, progress=None, limits=None) -> KnownMistakes:
    """Runs the solution with each declared mistake on its units' cases."""
    from autograder.mutations import MutantSession, replace_in_cell, solution_cells

    mistakes = declared_mistakes(assignment)
    known = KnownMistakes(assignment, [m.title for m in mistakes])
    if not mistakes:
        return known
    nb = read_notebook(paths.solution_notebook(assignment))
    cells = {c.grade_id: c for c in solution_cells(nb)}
    with MutantSession(assignment, limits) as session:
        session.start()
        for k, mistake in enumerate(mistakes):
            where = f"{assignment} mistake {k} ({mistake.title!r})"
            try:
                changed = replace_in_cell(nb, mistake.cell, mistake.replace)
                index = cells[mistake.cell].index
                source = "".join(changed["cells"][index]["source"])
                units = [plan.unit(u) for u in mistake.units]
            except (ValueError, KeyError) as exc:
                known.problems.append(f"{where}: {exc}")
                continue
            if progress:
                progress(mistake.title)
            errors = session.swap(index, source)
            if errors:
                known.problems.append(f"{where}: the changed cell raises {errors[0][1]}")
                session.restore(index)
                continue
            found = 0
            for unit in units:
                outcome = evaluate_unit(
                    unit.name, unit.cases, unit.expected,
                    lambda case, timeout: session.session.run_case(case, timeout=timeout),
                    case_timeout=300)
                for i, case in enumerate(outcome.cases):
                    if case.status == WRONG:  # a mistake computes values; cases that raise
                        known.records.setdefault(unit.name, []).append((k, i, case.values))
                        found += 1
            session.restore(index)
            if not found:
                known.problems.append(f"{where}: changes no value of {', '.join(mistake.units)}")
        _compile_generated(known, nb, plan, session, progress)
    return known


def _same(a: list[tuple[int, dict]], b: list[tuple[int, dict]], cases) -> bool:
    """Two mistakes' (case index, values) are the same cases with the same values, under the
    grading tolerance (so that the grader could not tell them apart)."""
    from rnnlab.compare import compare_outputs

    if [i for i, _ in a] != [i for i, _ in b]:
        return False
    return all(sorted(x) == sorted(y) and all(c.ok for c in compare_outputs(x, y, cases[i].dtype))
               for (i, x), (_, y) in zip(a, b))


def _compile_generated(known: KnownMistakes, nb: dict, plan, session, progress) -> None:
    """Adds the generated mistakes (:mod:`autograder.mistakes.generated`) that change values
    and equal no earlier mistake's values."""
    from autograder.mistakes.generated import generated_mistakes

    known.declared = len(known.titles)
    for mistake in generated_mistakes(nb, plan):
        if progress:
            progress(mistake.title)
        errors = session.swap(mistake.index, mistake.source)
        if errors:
            session.restore(mistake.index)
            continue
        new: dict[str, list[tuple[int, dict]]] = {}
        for name in mistake.units:
            unit = plan.unit(name)
            outcome = evaluate_unit(
                unit.name, unit.cases, unit.expected,
                lambda case, timeout: session.session.run_case(case, timeout=timeout),
                case_timeout=60)
            wrong = [(i, c.values) for i, c in enumerate(outcome.cases) if c.status == WRONG]
            if wrong:
                new[name] = wrong
        session.restore(mistake.index)
        k = len(known.titles)
        kept = False
        for name, wrong in new.items():
            by_mistake: dict[int, list] = {}
            for m, i, values in known.records.get(name, []):
                by_mistake.setdefault(m, []).append((i, values))
            cases = plan.unit(name).cases
            if any(_same(sorted(old, key=lambda r: r[0]), wrong, cases)
                   for old in by_mistake.values()):
                continue
            known.records.setdefault(name, []).extend((k, i, values) for i, values in wrong)
            kept = True
        if kept:
            known.titles.append(mistake.title)


def save_known_mistakes(known: KnownMistakes, path: Path) -> None:
    from rnnlab.cases import pack_arrays

    arrays, records = {}, []
    for unit, recs in known.records.items():
        for m, i, values in recs:
            r = len(records)
            records.append([unit, m, i, sorted(values)])
            arrays.update({f"{r}/{key}": np.asarray(v) for key, v in values.items()})
    meta = {"assignment": known.assignment, "titles": known.titles, "records": records,
            "problems": known.problems, "declared": known.declared}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(pack_arrays(arrays))
    path.with_suffix(".json").write_text(json.dumps(meta, indent=1))
    os.replace(tmp, path)


def read_known_mistakes(path: Path) -> KnownMistakes:
    meta = json.loads(path.with_suffix(".json").read_text())
    with np.load(path, allow_pickle=False) as npz:
        known = KnownMistakes(meta["assignment"], meta["titles"], {}, meta.get("problems", []),
                              meta.get("declared"))
        for r, (unit, m, i, keys) in enumerate(meta["records"]):
            values = {k: npz[f"{r}/{k}"] for k in keys}
            known.records.setdefault(unit, []).append((int(m), int(i), values))
    return known


def cached_mistakes_path(assignment: str) -> Path | None:
    """Where the compiled mistakes of ``assignment`` are cached (None: it declares none)."""
    mistakes = declared_mistakes(assignment)
    return store.cached_path("mistakes", assignment, _key(assignment, mistakes)) if mistakes else None


def load_known_mistakes(assignment: str, plan, progress=None) -> KnownMistakes | None:
    """The compiled mistakes: pinned (:mod:`autograder.store`), cached, or compiled now."""
    if store.pinned_dir() is not None:
        path = store.pinned_path("mistakes", assignment)
        return read_known_mistakes(path) if path.exists() else None
    path = cached_mistakes_path(assignment)
    if path is None:
        return None
    if path.exists():
        return read_known_mistakes(path)
    known = compile_known_mistakes(assignment, plan, progress)
    for problem in known.problems:
        print(f"autograder: warning: {problem}", file=sys.stderr)
    save_known_mistakes(known, path)
    store.replace_older("mistakes", assignment, keep=path)
    return known
