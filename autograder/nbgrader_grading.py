"""``nbgrader autograde`` graded by the sandboxed autograder, not by the student's kernel.

nbgrader's own model runs the hidden tests inside the student's kernel, after the student's
code, with the comparison functions and the reference values in reach: a submission can
rebind the checks, replace the hook or swallow every exception, and get full marks. The
course's ``nbgrader_config.py`` therefore replaces nbgrader's ``Execute`` step with
:class:`SandboxGrades`, which grades the (sanitized) submission with
:func:`autograder.api.grade_notebook`, exactly as ``autograder grade`` does: the student's
definitions run in the sandbox, the reference values stay in the grading process, which runs
no student code. It then writes each test cell's verdict as that cell's outputs, where
nbgrader reads grades from (``nbgrader.utils.determine_grade``: an error output gives 0):

- a unit won: a stdout stream starting ``all N checks passed``;
- a unit lost: an ``error`` output (``HiddenTestsFailed``) whose traceback is the grader's
  feedback (which case failed, by how much, the likely mistake);
- a partial score (not given by today's all-or-nothing units, but supported): the feedback on
  stdout and an ``execute_result`` holding the score, nbgrader's partial-credit convention;
- a test cell the grader has no unit for: an error output (0).

:class:`RestoreSandboxVerdicts` (right before ``SaveAutoGrades``) writes the same verdicts
again from ``resources``, whatever ran in between; it fails the notebook's autograding (an
exception: nbgrader reports it and records no new score) when :class:`SandboxGrades` did not
run. So the verdicts stay those of the sandbox even when an instructor also keeps nbgrader's
``Execute`` (``RNN_COURSE_NBGRADER_EXECUTE=1`` in ``nbgrader_config.py``, for outputs in the
feedback):
the sandbox grades *before* the student's kernel starts, so that kernel cannot change files the
grader reads first. That kernel is nbgrader's: it runs the student's code unconfined, as the
user running nbgrader, so keep it off for submissions you do not trust.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells
from traitlets import Bool, Float, Integer, Unicode

from rnnlab.cells import grade_id, is_test_cell

from autograder import paths

RESOURCE_KEY = "autograder_sandbox"
FAILURE_NAME = "HiddenTestsFailed"


class NotGraded(Exception):
    """The grader could not grade this notebook (nbgrader reports it, records no new score)."""


def _test_cells(nb):
    """The notebook's code test cells (grade cells that are not solution cells)."""
    return [c for c in nb.cells if c.cell_type == "code" and is_test_cell(c)]


def verdict_outputs(verdict: dict | None, general: str = "") -> list:
    """The outputs of one test cell that make nbgrader give it the sandbox's score."""
    if verdict is None:
        text = ("This test cell was not graded: the grader has no hidden tests of this name "
                "(a cell added to, or renamed in, the notebook).")
        return [new_output("error", ename=FAILURE_NAME, evalue=text, traceback=[text])]
    text = verdict["output"].rstrip("\n")
    score, points = verdict["score"], verdict["max_score"]
    if score >= points:
        return [new_output("stream", name="stdout", text=text + "\n")]
    if general:
        text += "\n\n" + general.rstrip("\n")
    if score <= 0:
        lines = text.splitlines() or [FAILURE_NAME]
        return [new_output("error", ename=FAILURE_NAME, evalue=lines[0], traceback=lines)]
    return [new_output("stream", name="stdout", text=text + "\n"),
            new_output("execute_result", data={"text/plain": repr(float(score))},
                       execution_count=None)]


def apply_verdicts(nb, verdicts: dict, general: str = "") -> None:
    """Sets every test cell's outputs to its verdict (by grade_id), whatever they were."""
    for cell in _test_cells(nb):
        cell.outputs = verdict_outputs(verdicts.get(grade_id(cell)), general)


class SandboxGrades(NbGraderPreprocessor):
    """Grades the notebook with the sandboxed autograder and writes the verdicts as outputs.

    Takes the place of nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``.
    """

    enabled = Bool(True, help="Whether to grade in the autograder's sandbox").tag(config=True)
    hints = Bool(True, help="Name known mistakes in the feedback").tag(config=True)
    isolation = Unicode("", help="Weakest isolation accepted (auto, namespace, user, process); "
                        "empty: as for `autograder grade` (AUTOGRADER_SANDBOX, else auto)"
                        ).tag(config=True)
    # 0: the grader's default (autograder.runner.Limits), as for ``autograder grade``.
    load_timeout = Float(0, help="Seconds to load the student's definitions").tag(config=True)
    case_timeout = Float(0, help="Seconds per hidden case").tag(config=True)
    grade_timeout = Float(0, help="Seconds for every case of one notebook").tag(config=True)
    memory_mb = Integer(0, help="Address space of the student's process, MiB").tag(config=True)

    def limits(self):
        # The grader is imported when the first notebook is graded (not when nbgrader loads its
        # configuration, so that generate_assignment does not depend on it).
        from autograder.runner import Limits

        limits = Limits()
        for name in ("load_timeout", "case_timeout", "grade_timeout"):
            if getattr(self, name) > 0:
                setattr(limits, name, float(getattr(self, name)))
        if self.memory_mb > 0:
            limits.memory_bytes = self.memory_mb << 20
        return limits

    def assignment_of(self, resources) -> str:
        """The course assignment, from nbgrader's names (never from the student's file)."""
        info = resources.get("nbgrader", {})
        for name in (info.get("assignment"), info.get("notebook")):
            if name in paths.ASSIGNMENTS:
                return name
        raise NotGraded(f"nbgrader assignment {info.get('assignment')!r} / notebook "
                        f"{info.get('notebook')!r} is none of the autograder's assignments "
                        f"({', '.join(paths.ASSIGNMENTS)})")

    def preprocess(self, nb, resources):
        from autograder.api import grade_notebook

        assignment = self.assignment_of(resources)
        submitted = copy.deepcopy(nb)
        for cell in submitted.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        student = resources.get("nbgrader", {}).get("student", "?")
        self.log.info("Grading %s's %s in the autograder's sandbox", student, assignment)
        with tempfile.TemporaryDirectory(prefix="nbgrader-sandbox-") as tmp:
            path = Path(tmp) / f"{assignment}.ipynb"
            nbformat.write(submitted, str(path))
            extra = {"isolation": self.isolation} if self.isolation else {}
            result = grade_notebook(path, assignment, self.limits(), hints=self.hints, **extra)
        verdicts = {t.name: {"score": float(t.score), "max_score": float(t.max_score),
                             "output": t.output} for t in result.tests}
        resources[RESOURCE_KEY] = {"assignment": assignment, "verdicts": verdicts,
                                   "general": result.output or "",
                                   "score": float(result.score),
                                   "max_score": float(result.max_score)}
        self.log.info("Sandbox verdict for %s: %g / %g", student, result.score, result.max_score)
        apply_verdicts(nb, verdicts, result.output or "")
        return nb, resources


class RestoreSandboxVerdicts(NbGraderPreprocessor):
    """Writes the sandbox's verdicts again right before ``SaveAutoGrades`` reads them."""

    enabled = Bool(True, help="Whether to restore the sandbox's verdicts").tag(config=True)

    def preprocess(self, nb, resources):
        found = resources.get(RESOURCE_KEY)
        if not found:
            raise NotGraded("SandboxGrades did not grade this notebook: nbgrader_config.py must "
                            "list it in Autograde.autograde_preprocessors before "
                            "RestoreSandboxVerdicts")
        apply_verdicts(nb, found["verdicts"], found["general"])
        return nb, resources


class RestoreCells(OverwriteCells):
    """nbgrader's ``OverwriteCells`` (sanitizing), robust to what a submission does to cells.

    - A cell claiming a ``grade_id`` the gradebook does not know (a "bonus" test cell) loses
      its nbgrader metadata and becomes an ordinary cell; nbgrader only drops the id, and the
      grade cell without an id then stops the whole notebook's autograding.
    - With ``add_missing_cells``, a deleted test cell is put back after the nearest earlier cell
      of the source still in the notebook (nbgrader's placement fails when that one is gone too).
    """

    def preprocess_cell(self, cell, resources, cell_index):
        had_id = "grade_id" in cell.metadata.get("nbgrader", {})
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if had_id and "grade_id" not in cell.metadata.get("nbgrader", {}):
            self.log.warning("Cell of unknown grade_id: graded as an ordinary cell")
            del cell.metadata["nbgrader"]
        return cell, resources

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        order = [c.name for c in source_nb.source_cells]
        by_name = {c.name: c for c in source_nb.source_cells}
        solutions = {c.name for c in source_nb.solution_cells}

        def present() -> dict:
            return {c.metadata["nbgrader"]["grade_id"]: i for i, c in enumerate(nb.cells)
                    if "grade_id" in c.metadata.get("nbgrader", {})}

        for grade_cell in source_nb.grade_cells:
            name = grade_cell.name
            if name in present() or name not in by_name:
                continue
            self.log.warning("Missing grade cell %s: added back", name)
            cell = self.missing_cell_transform(by_name[name], grade_cell.max_score,
                                               is_solution=name in solutions)
            where, here = 0, present()
            for earlier in reversed(order[:order.index(name)]):
                if earlier in here:
                    where = here[earlier] + 1
                    break
            nb.cells.insert(where, cell)
        return nb, resources


def autograde_preprocessors(defaults: list, execute: bool = False, log_filter=None) -> list:
    """nbgrader's default autograde chain with the sandbox in charge of the grades.

    ``Execute`` becomes :class:`SandboxGrades` (or, with ``execute``, :class:`SandboxGrades`
    followed by ``Execute``), :class:`RestoreSandboxVerdicts` goes right before
    ``SaveAutoGrades``, and ``IgnorePattern`` becomes ``log_filter`` when one is given.
    """
    from nbgrader.preprocessors import Execute, IgnorePattern, SaveAutoGrades

    chain = []
    for p in defaults:
        if p is Execute:
            chain += [SandboxGrades, Execute] if execute else [SandboxGrades]
        elif p is IgnorePattern and log_filter is not None:
            chain.append(log_filter)
        elif p is SaveAutoGrades:
            chain += [RestoreSandboxVerdicts, SaveAutoGrades]
        else:
            chain.append(p)
    if SandboxGrades not in chain or RestoreSandboxVerdicts not in chain:
        raise RuntimeError("nbgrader's autograde chain has no Execute or SaveAutoGrades step")
    return chain


def sanitize_preprocessors(defaults: list) -> list:
    """nbgrader's default sanitizing chain with :class:`RestoreCells` for ``OverwriteCells``."""
    chain = [RestoreCells if p is OverwriteCells else p for p in defaults]
    if RestoreCells not in chain:
        raise RuntimeError("nbgrader's sanitizing chain has no OverwriteCells step")
    return chain
