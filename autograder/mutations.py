"""Changing the solution's graded code: the mutants of the audit and the known mistakes.

Both run a *changed* solution on the hidden cases. Instead of starting a worker per change
(importing TensorFlow each time), :class:`MutantSession` loads the solution notebook once and
swaps one solution cell for its changed source with the worker's ``exec`` operation: it
deletes the names the cell defines, runs the changed cell, then re-runs every later definition
cell that defines functions or classes (so nothing keeps a reference to, or a
``tf.function`` trace of, the old code). :meth:`MutantSession.restore` swaps the original
back. A change that hangs or crashes the worker costs a fresh worker, which reloads the
original solution.

This module also finds the solution regions (the code between ``### BEGIN SOLUTION`` and
``### END SOLUTION``) and generates the audit's mutants from their syntax tree
(:func:`mutants`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.cells import grade_id, is_solution_cell, solution_regions
from rnnlab.notebook import cell_source, definition_cells, read_notebook

from autograder import paths
from autograder.runner import Limits, LoadReport, WorkerSession
from autograder.sandbox import Sandbox


@dataclass
class SolutionCell:
    """A solution cell of the source notebook.

    Attributes:
        index: its position among all cells.
        grade_id: its nbgrader grade_id (e.g. ``rnn_step_backward_code``).
        source: its source.
        regions: 1-based (first, last) line numbers of the code between the markers.
    """

    index: int
    grade_id: str
    source: str
    regions: list[tuple[int, int]] = field(default_factory=list)

    def in_region(self, node: ast.AST) -> bool:
        first, last = node.lineno, getattr(node, "end_lineno", node.lineno)
        return any(a <= first and last <= b for a, b in self.regions)


def solution_cells(nb: dict) -> list[SolutionCell]:
    """The notebook's nbgrader solution code cells with their marked regions."""
    cells = []
    for i, cell in enumerate(nb["cells"]):
        if is_solution_cell(cell):
            source = cell_source(cell)
            cells.append(SolutionCell(i, grade_id(cell) or f"cell{i}", source,
                                      solution_regions(source)))
    return cells


def replace_in_cell(nb: dict, wanted: str, replacements) -> dict:
    """A copy of ``nb`` with text replacements applied in the cell whose grade_id is ``wanted``.

    Raises:
        ValueError: no such cell, or a text to replace is not in it.
    """
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if grade_id(cell) == wanted:
            source = cell_source(cell)
            for old, new in replacements:
                if old not in source:
                    raise ValueError(f"{wanted}: the text {old!r} is not in the solution")
                source = source.replace(old, new)
            cell["source"] = source
            return nb
    raise ValueError(f"no cell with grade_id {wanted!r}")


def _defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _defines_callables(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
               for n in tree.body)


def _runnable(source: str) -> str:
    """As :func:`rnnlab.notebook.definition_cells` runs a cell: without magics."""
    return "\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!")))


class MutantSession:
    """The solution notebook loaded once in a worker, with cells swapped in and out.

    Args:
        assignment: whose solution to load.
        limits: the worker's limits (restarts are not limited).
        sandbox: how to confine the worker.
    """

    def __init__(self, assignment: str, limits: Limits | None = None,
                 sandbox: Sandbox | None = None):
        self.assignment = assignment
        self.notebook = paths.solution_notebook(assignment)
        nb = read_notebook(self.notebook)
        self.definitions = {c.index: c.source for c in definition_cells(nb)}
        limits = limits or Limits()
        limits.max_restarts = 1 << 30
        self.session = WorkerSession(Path(self.notebook), limits, sandbox)

    def start(self) -> LoadReport:
        report = self.session.start()
        if not report.ok or report.cell_errors:
            raise RuntimeError(f"the {self.assignment} solution does not load: "
                               f"{report.where() or report.cell_errors}")
        return report

    def swap(self, index: int, source: str) -> list[tuple[int, str]]:
        """Replaces cell ``index`` by ``source``; returns the errors of the cells run."""
        original = self.definitions[index]
        later = [(i, s) for i, s in sorted(self.definitions.items())
                 if i > index and _defines_callables(s)]
        return self.session.exec_cells([(index, _runnable(source))] + later,
                                       forget=sorted(_defined_names(original)))

    def restore(self, index: int) -> None:
        self.swap(index, self.definitions[index])

    def close(self) -> None:
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---------------------------------------------------------------------------------------------
# Mutants


@dataclass
class Mutant:
    """One small change to one solution cell.

    Attributes:
        cell: the changed cell (index, grade_id).
        line: the changed line of the original source (1-based) and its text.
        kind: the mutation operator (``arithmetic``, ``activation``, ``axis`` ...).
        description: what changed, e.g. ``'a + b' -> 'a - b'``.
        source: the whole mutated cell source.
        key: a stable identifier (cell, stripped line, description, occurrence).
    """

    index: int
    grade_id: str
    lineno: int
    line: str
    kind: str
    description: str
    source: str
    key: str = ""


_BINOP_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div],
                ast.Div: [ast.Mult], ast.MatMult: [ast.Mult], ast.Pow: [ast.Mult],
                ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv]}
_CMP_SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
              ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
              ast.In: ast.NotIn, ast.NotIn: ast.In}
# Function (attribute) names replaced by a plausible wrong one: activations, reductions...
_CALL_SWAPS = {
    "tanh": "sigmoid", "sigmoid": "tanh", "relu": "tanh", "softmax": "log_softmax",
    "log_softmax": "softmax", "exp": "log", "log": "exp", "reduce_sum": "reduce_mean",
    "reduce_mean": "reduce_sum", "reduce_max": "reduce_min", "reduce_min": "reduce_max",
    "argmax": "argmin", "argmin": "argmax", "maximum": "minimum", "minimum": "maximum",
    "zeros": "ones", "ones": "zeros", "zeros_like": "ones_like", "ones_like": "zeros_like",
    "matmul": "multiply", "stack": "concat", "concat": "stack", "cumsum": "cumprod",
}
# Calls whose single (first) argument can stand for the call: "forgot to apply it".
_DROPPABLE_CALLS = {"tanh", "sigmoid", "relu", "softmax", "log_softmax", "exp", "log",
                    "stop_gradient", "transpose", "reverse", "sqrt", "square", "abs",
                    "squeeze", "expand_dims", "reduce_sum", "reduce_mean"}


def _call_name(node: ast.Call) -> str | None:
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return None


class _Sites(ast.NodeVisitor):
    """Collects (node, replacement node, kind, description) inside the solution regions."""

    def __init__(self, cell: SolutionCell):
        self.cell = cell
        self.text = lambda node: ast.get_source_segment(cell.source, node) or ast.unparse(node)
        self.found: list[tuple[ast.AST, ast.AST, str, str]] = []

    def add(self, node, new, kind, description):
        if self.cell.in_region(node):
            self.found.append((node, new, kind, description))

    @staticmethod
    def _copy(node):
        import copy

        return copy.deepcopy(node)

    def visit_BinOp(self, node):
        for op in _BINOP_SWAPS.get(type(node.op), []):
            new = self._copy(node)
            new.op = op()
            self.add(node, new, "arithmetic", f"{_OPS[type(node.op)]} -> {_OPS[op]}")
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            self.add(node, self._copy(node.left), "dropped term",
                     f"drop '{_OPS[type(node.op)]} {self.text(node.right)}'")
            if isinstance(node.op, (ast.Add, ast.Mult)):
                self.add(node, self._copy(node.right), "dropped term",
                         f"drop '{self.text(node.left)} {_OPS[type(node.op)]}'")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, (ast.USub, ast.Not)):
            self.add(node, self._copy(node.operand), "sign",
                     f"drop the unary '{'-' if isinstance(node.op, ast.USub) else 'not'}'")
        self.generic_visit(node)

    def visit_Compare(self, node):
        for k, op in enumerate(node.ops):
            if type(op) in _CMP_SWAPS:
                new = self._copy(node)
                new.ops[k] = _CMP_SWAPS[type(op)]()
                self.add(node, new, "comparison",
                         f"{_OPS[type(op)]} -> {_OPS[_CMP_SWAPS[type(op)]]}")
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        new = self._copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        self.add(node, new, "boolean", "and <-> or")
        self.generic_visit(node)

    def visit_If(self, node):
        new_test = ast.UnaryOp(op=ast.Not(), operand=self._copy(node.test))
        self.add(node.test, new_test, "condition", "negate the condition")
        self.generic_visit(node)

    def visit_IfExp(self, node):
        new = self._copy(node)
        new.test = ast.UnaryOp(op=ast.Not(), operand=new.test)
        self.add(node, new, "condition", "negate the condition")
        self.generic_visit(node)

    def visit_Call(self, node):
        name = _call_name(node)
        if name in _CALL_SWAPS and isinstance(node.func, ast.Attribute):
            new = self._copy(node)
            new.func.attr = _CALL_SWAPS[name]
            kind = "activation" if name in ("tanh", "sigmoid", "relu", "softmax",
                                            "log_softmax") else "function"
            self.add(node, new, kind, f"{name} -> {_CALL_SWAPS[name]}")
        if name in _DROPPABLE_CALLS and node.args:
            kind = "transpose" if name == "transpose" else "dropped call"
            self.add(node, self._copy(node.args[0]), kind, f"drop the call to {name}")
        for k, kw in enumerate(node.keywords):
            if kw.arg is None:
                continue
            new = self._copy(node)
            del new.keywords[k]
            self.add(node, new, "dropped argument", f"drop {kw.arg}=")
            if kw.arg in ("axis", "batch_dims") and isinstance(kw.value, (ast.Constant, ast.UnaryOp)):
                try:
                    value = ast.literal_eval(kw.value)
                except ValueError:
                    continue
                if isinstance(value, int):
                    for other in (value - 1, value + 1):
                        new = self._copy(node)
                        new.keywords[k].value = ast.Constant(other)
                        self.add(node, new, "axis", f"{kw.arg}={value} -> {kw.arg}={other}")
            if kw.arg in ("transpose_a", "transpose_b", "return_sequences", "training"):
                new = self._copy(node)
                new.keywords[k].value = ast.UnaryOp(op=ast.Not(), operand=new.keywords[k].value)
                self.add(node, new, "transpose" if "transpose" in kw.arg else "flag",
                         f"negate {kw.arg}=")
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) == len(node.args) and 2 <= len(node.args) <= 6:
            for k in range(len(node.args) - 1):
                if ast.dump(node.args[k]) == ast.dump(node.args[k + 1]):
                    continue
                new = self._copy(node)
                new.args[k], new.args[k + 1] = new.args[k + 1], new.args[k]
                self.add(node, new, "argument order",
                         f"swap arguments {k + 1} and {k + 2} of {name or 'the call'}")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr == "T":
            self.add(node, self._copy(node.value), "transpose", "drop .T")
        self.generic_visit(node)

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Tuple) and len(target.elts) >= 2:
                for k in range(len(target.elts) - 1):
                    new = self._copy(target)
                    new.elts[k], new.elts[k + 1] = new.elts[k + 1], new.elts[k]
                    self.add(target, new, "order",
                             f"swap {self.text(target.elts[k])} and "
                             f"{self.text(target.elts[k + 1])} (e.g. gate order)")
        self.generic_visit(node)

    def visit_Subscript(self, node):
        slices = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for k, s in enumerate(slices):
            if isinstance(s, ast.Slice):
                for part in ("lower", "upper"):
                    bound = getattr(s, part)
                    if bound is None:
                        continue
                    for delta in (1, -1):
                        new = self._copy(node)
                        target = (new.slice.elts[k] if isinstance(new.slice, ast.Tuple)
                                  else new.slice)
                        setattr(target, part, ast.BinOp(self._copy(bound),
                                                        ast.Add() if delta > 0 else ast.Sub(),
                                                        ast.Constant(1)))
                        self.add(node, new, "slice bound",
                                 f"{part} bound {self.text(bound)} -> "
                                 f"{self.text(bound)} {'+' if delta > 0 else '-'} 1")
            elif isinstance(s, (ast.Constant, ast.UnaryOp)):
                try:
                    value = ast.literal_eval(s)
                except ValueError:
                    value = None
                if isinstance(value, int) and not isinstance(value, bool):
                    new = self._copy(node)
                    other = value - 1 if value != 0 else 1
                    replacement = ast.Constant(other)
                    if isinstance(new.slice, ast.Tuple):
                        new.slice.elts[k] = replacement
                    else:
                        new.slice = replacement
                    self.add(node, new, "index", f"index {value} -> {other}")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, bool):
            self.add(node, ast.Constant(not node.value), "constant",
                     f"{node.value} -> {not node.value}")
        elif isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            other = node.value + 1
            self.add(node, ast.Constant(other), "constant", f"{node.value!r} -> {other!r}")


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@",
        ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%", ast.Lt: "<", ast.LtE: "<=",
        ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
        ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}


def _offsets(source: str) -> list[int]:
    starts, total = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(total)
        total += len(line.encode())
    return starts


def _splice(source: str, node: ast.AST, new: ast.AST) -> str:
    """``source`` with ``node``'s text replaced by ``new`` (parenthesised)."""
    data = source.encode()
    starts = _offsets(source)
    a = starts[node.lineno - 1] + node.col_offset
    b = starts[node.end_lineno - 1] + node.end_col_offset
    text = ast.unparse(new)
    if not isinstance(new, (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript)):
        text = f"({text})"
    return (data[:a] + text.encode() + data[b:]).decode()


def mutants(cell: SolutionCell) -> list[Mutant]:
    """Every single-site mutant of the cell's solution regions (syntactically valid)."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return []
    sites = _Sites(cell)
    sites.visit(tree)
    lines = cell.source.splitlines()
    found, seen = [], {}
    for node, new, kind, description in sites.found:
        try:
            source = _splice(cell.source, node, new)
            compile(source, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        if source == cell.source:
            continue
        line = lines[node.lineno - 1].strip()
        base = f"{cell.grade_id} | {line} | {description}"
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base} | #{seen[base]}"
        found.append(Mutant(cell.index, cell.grade_id, node.lineno, line, kind, description,
                            source, key))
    unique, sources = [], set()
    for m in found:  # two operators may give the same program
        if m.source not in sources:
            sources.add(m.source)
            unique.append(m)
    return unique
