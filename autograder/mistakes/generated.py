"""Mistakes nobody declared: one-site changes of the solution's graded functions.

The declared mistakes (``autograder/mistakes/<a>.py``) are the ones instructors thought of.
Many other mistakes students make are, value for value, one small change of the reference:
an activation swapped or left out, a term dropped, ``reduce_mean`` for ``reduce_sum``, the
wrong axis, arguments of a product in the wrong order, a loop that runs the wrong way, ``=``
where ``+=`` belongs, ``prev_h`` where ``next_h`` belongs. This module makes those changes
(the mutation operators of :func:`autograder.mutations.mutants`, less the unrealistic ones,
plus a few of students' own) in the cells of the *function* units (plain functions, whose
cases run in milliseconds; the Keras layers and models build on them and say so through
their "uses" note), and titles each change for the student: what the code does there, and
where (the function and the value being computed), without quoting the solution's line.

They compile with the declared mistakes (:func:`autograder.mistakes.compile_known_mistakes`)
on their own unit's cases only; a generated mistake whose values equal a declared one's, or
an earlier generated one's, is dropped, and a declared match is always preferred.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass

from autograder.mutations import Mutant, SolutionCell, _splice, mutants

VERSION = 1  # bump when operators or titles change (recompiles the cached values)

# Mutation kinds that are not mistakes a student makes (numbers shifted by one...).
_SKIPPED_KINDS = {"constant", "boolean", "flag"}


@dataclass(frozen=True)
class GeneratedMistake:
    title: str
    cell: str      # grade_id
    index: int     # cell index in the solution notebook
    source: str    # the whole changed cell
    units: tuple


def _statement_at(tree: ast.AST, lineno: int):
    """The innermost statement and function definition that contain line ``lineno``."""
    best, func = None, None
    span = lambda n: getattr(n, "end_lineno", n.lineno) - n.lineno  # noqa: E731
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        if not node.lineno <= lineno <= getattr(node, "end_lineno", node.lineno):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if func is None or span(node) < span(func):
                func = node
        elif not isinstance(node, ast.ClassDef):
            if best is None or span(node) < span(best) or (
                    span(node) == span(best) and node.lineno > best.lineno):
                best = node
    return best, func


def _where(source: str, lineno: int) -> str:
    """``where `dz` is computed, in `rnn_step_backward``` (or just the function)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    stmt, func = _statement_at(tree, lineno)
    place = f" in `{func.name}`" if func is not None else ""
    if isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [ast.unparse(t) for t in targets]
        if len(names) == 1 and len(names[0]) <= 40:
            return f"where `{names[0]}` is computed{place}"
    if isinstance(stmt, ast.Return):
        return f"in what{place} returns"
    if isinstance(stmt, (ast.For, ast.While)) and stmt.lineno == lineno:
        return f"in the loop{place}"
    if isinstance(stmt, ast.If) and stmt.lineno == lineno:
        return f"in a condition{place}"
    return place.strip()


def _code(text: str) -> str:
    return f"`{text.strip()}`"


def describe(m: Mutant) -> str | None:
    """What the changed code does, in a student's terms (None: no title for this kind)."""
    d = m.description
    if m.kind in ("activation", "function", "arithmetic", "axis", "comparison"):
        old, new = d.split(" -> ")  # "tanh -> sigmoid", "+ -> -", "axis=0 -> axis=1"
        return f"`{new}` where `{old}` belongs"
    if m.kind == "dropped call":
        name = d.removeprefix("drop the call to ")
        return f"the `{name}` is missing"
    if m.kind == "dropped term":
        term = d.removeprefix("drop ").strip("'").strip()
        op = term[0] if term[:1] in "+-*/" else term[-1] if term[-1:] in "+-*/" else ""
        term = term.strip("+-*/ ")
        what = "factor" if op in "*/" and op else "term"
        return f"the {what} {_code(term)} is missing" if len(term) <= 30 else f"a {what} is missing"
    if m.kind == "dropped argument":
        arg = d.removeprefix("drop ")
        return f"the argument `{arg}` is missing (the default is used)"
    if m.kind == "argument order":
        match = re.match(r"swap arguments (\d+) and (\d+) of (.+)", d)
        if match:
            return f"arguments {match[1]} and {match[2]} of `{match[3]}` are swapped"
    if m.kind == "transpose":
        if d.startswith("negate"):
            return f"`{d.removeprefix('negate ').rstrip('=')}` is the wrong way round"
        return "a transpose is missing"
    if m.kind == "order":
        match = re.match(r"swap (.+) and (.+?) \(", d)
        if match:
            return f"`{match[1]}` and `{match[2]}` are swapped"
    if m.kind == "sign":
        return "a minus sign is missing" if "-" in d else "a `not` is missing"
    if m.kind == "condition":
        return "a condition is the wrong way round"
    if m.kind == "slice bound":
        return "a slice is off by one"
    if m.kind == "index":
        old, new = d.removeprefix("index ").split(" -> ")
        return f"index `{new}` where `{old}` belongs"
    if m.kind in ("loop direction", "accumulate", "state name"):
        return d
    return None


# ----------------------------------------------------------------------------------------
# Operators of students' own (beyond the audit's)

_PAIRS = (("prev_", "next_"),)


def _extra_sites(cell: SolutionCell):
    """(node, replacement, kind, description) for: a time loop in the other direction,
    ``=`` for ``+=`` (a sum not accumulated), and ``prev_x`` / ``next_x`` mixed up."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or not cell.in_region(node):
            continue
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
            name = getattr(node.iter.func, "id", None)
            if name == "reversed" and node.iter.args:
                yield (node.iter, copy.deepcopy(node.iter.args[0]), "loop direction",
                       "the loop runs forward in time where it should run backward")
            elif name == "range":
                new = ast.Call(ast.Name("reversed", ast.Load()), [copy.deepcopy(node.iter)], [])
                yield (node.iter, new, "loop direction",
                       "the loop runs backward in time where it should run forward")
        if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add):
            new = ast.Assign([copy.deepcopy(node.target)], copy.deepcopy(node.value))
            yield (node, new, "accumulate",
                   f"`{ast.unparse(node.target)}` is overwritten (=) where it should be "
                   "accumulated (+=)")
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            for a, b in _PAIRS:
                for old, new in ((a, b), (b, a)):
                    if node.id.startswith(old):
                        other = new + node.id[len(old):]
                        yield (node, ast.Name(other, ast.Load()), "state name",
                               f"`{other}` where `{node.id}` belongs")


def _extra_mutants(cell: SolutionCell) -> list[Mutant]:
    found = []
    lines = cell.source.splitlines()
    for node, new, kind, description in _extra_sites(cell):
        try:
            source = _splice(cell.source, node, new)
            compile(source, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        if source != cell.source:
            found.append(Mutant(cell.index, cell.grade_id, node.lineno,
                                lines[node.lineno - 1].strip(), kind, description, source))
    return found


def function_units(nb: dict, plan) -> dict[str, list[str]]:
    """grade_id of a solution cell -> the units whose targets are plain functions it defines."""
    from autograder.mutations import solution_cells

    out: dict[str, list[str]] = {}
    for cell in solution_cells(nb):
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        for unit in plan.units:
            if unit.targets and set(unit.targets) <= functions and not classes & set(unit.targets):
                out.setdefault(cell.grade_id, []).append(unit.name)
    return out


def generated_mistakes(nb: dict, plan) -> list[GeneratedMistake]:
    """Every generated mistake of the solution's function units (see the module docstring)."""
    from autograder.mutations import solution_cells

    owners = function_units(nb, plan)
    out, seen = [], set()
    for cell in solution_cells(nb):
        units = owners.get(cell.grade_id)
        if not units:
            continue
        for m in mutants(cell) + _extra_mutants(cell):
            if m.kind in _SKIPPED_KINDS or m.source in seen:
                continue
            what = describe(m)
            if what is None:
                continue
            seen.add(m.source)
            where = _where(cell.source, m.lineno)
            title = f"{what}{', ' + where if where else ''}"
            out.append(GeneratedMistake(title, cell.grade_id, cell.index, m.source, tuple(units)))
    return out
