"""Reading a notebook and running its definition cells.

The cell scheme (the instructors' guide documents it in full; :mod:`rnnlab.cells` holds it):

- **Test cells** are nbgrader grade cells that are not solution cells (``metadata.nbgrader``
  with ``grade: true, solution: false``). They hold the visible check and, in the instructors' source
  notebooks, the hidden-test hook. The autograder never runs them: it runs its own hidden tests.
- **Experiment cells** carry the tag ``experiment`` (training runs, plots, anything slow or
  that needs data). The autograder skips them.
- **Every other code cell** is a *definition cell*: imports, helpers, the student's solution
  cells, cells a student added. They run in order, each in its own ``try``; an error in one is
  recorded and the next one still runs, so one broken cell costs only what depends on it.

IPython line magics (``%matplotlib inline``) and shell escapes (``!pip ...``) are dropped, and
cell magics (``%%time``) skip their cell, because definitions are run as plain Python.
"""

from __future__ import annotations

import itertools
import json
import linecache
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab import cells

EXPERIMENT_TAG = "experiment"


class NotebookError(ValueError):
    """A notebook file that cannot be read as a Jupyter notebook (says what and where)."""


def read_notebook(path: str | Path) -> dict:
    """Reads and validates a notebook file (nbformat 4, a list of cells).

    Raises:
        FileNotFoundError: the path does not exist.
        NotebookError: the file is empty, not JSON, or not an nbformat-4 notebook.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no notebook at {path}")
    raw = path.read_bytes()
    if not raw.strip():
        raise NotebookError(f"{path}: the file is empty")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotebookError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path}: not a Jupyter notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise NotebookError(
            f"{path}: expected nbformat 4, got nbformat {nb.get('nbformat')!r}; "
            "save it again from JupyterLab"
        )
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or "cell_type" not in cell:
            raise NotebookError(f"{path}: cell {i} is malformed (no cell_type)")
    return nb


cell_source = cells.source_of
is_test_cell = cells.is_test_cell


def is_experiment_cell(cell: dict) -> bool:
    return EXPERIMENT_TAG in ((cell.get("metadata") or {}).get("tags") or [])


@dataclass
class DefinitionCell:
    index: int  # position among all cells, 0-based
    source: str


def definition_cells(nb: dict) -> list[DefinitionCell]:
    """The code cells the autograder runs, in order, with magics removed."""
    cells = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code" or is_test_cell(cell) or is_experiment_cell(cell):
            continue
        source = cell_source(cell)
        if source.lstrip().startswith("%%"):
            continue
        # magics become blank lines, so that line numbers stay those of the cell
        lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in source.splitlines()]
        cells.append(DefinitionCell(i, "\n".join(lines)))
    return cells


@dataclass
class CellError:
    index: int
    error: str  # "ExceptionType: message" with the last student frame


@dataclass
class DefinitionRun:
    namespace: dict
    errors: list[CellError] = field(default_factory=list)


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# Keras wraps an exception raised in ``Layer.call`` as "Exception encountered when calling
# X.call().\n\n<bold>message</bold>\n\nArguments received ...".
_KERAS_WRAPPED = re.compile(r"Exception encountered when calling [^\n]*\n\n\x1b\[1m(.*?)\x1b\[0m",
                            re.DOTALL)


def _is_stub_message(message: str) -> bool:
    """Whether a NotImplementedError's message is that of a bare ``raise NotImplementedError``,
    possibly wrapped by tf.function's AutoGraph ("in user code: ... NotImplementedError: ") or
    by Keras's ``Layer.__call__`` (an empty highlighted message)."""
    if not message.strip() or message.rstrip().endswith("NotImplementedError:"):
        return True
    wrapped = _KERAS_WRAPPED.search(message)
    return wrapped is not None and _is_stub_message(wrapped.group(1))


def _is_notebook_file(filename: str) -> bool:
    """Code of a notebook cell: run by the grader (``<cell ...>``) or by Jupyter."""
    return (filename.startswith(("<cell", "<ipython-input")) or "/ipykernel_" in filename
            or "\\ipykernel_" in filename)


def format_exception(exc: BaseException, limit_chars: int = 600) -> str:
    """``Type: message`` and where in the notebook it was raised, kept short.

    The place is the innermost frame of notebook code, named by its function (``in
    `MultilayerRNN.call`, line 7 of its cell``): that is what a student finds in Jupyter,
    which shows no cell indices. Code at the top level of a cell gives only the line.
    """
    frames = [(frame, lineno) for frame, lineno in traceback.walk_tb(exc.__traceback__)
              if _is_notebook_file(frame.f_code.co_filename)]
    where = ""
    if frames:
        frame, lineno = frames[-1]
        name = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)
        where = (f" (line {lineno} of that cell)" if name == "<module>"
                 else f" (in `{name.replace('.<locals>', '')}`, line {lineno} of its cell)")
    text = _ANSI_ESCAPE.sub("", f"{type(exc).__name__}: {exc}")
    if isinstance(exc, NotImplementedError) and _is_stub_message(str(exc)):
        text = "NotImplementedError: not implemented yet (the cell still has its stub)"
    if len(text) > limit_chars:
        text = text[:limit_chars] + "..."
    return text + where


_RUN_NUMBERS = itertools.count()


def run_definitions(nb: dict, namespace: dict | None = None, on_cell=None) -> DefinitionRun:
    """Executes the definition cells of ``nb`` into a fresh namespace.

    Args:
        nb: a notebook dict from :func:`read_notebook`.
        namespace: the dict to run in (a fresh ``__main__``-like one by default).
        on_cell: called with each cell's index before it runs (progress reporting).

    Returns:
        A :class:`DefinitionRun` with the namespace and the errors of cells that raised.
    """
    ns = namespace if namespace is not None else {"__name__": "__notebook__"}
    run_number = next(_RUN_NUMBERS)
    run = DefinitionRun(ns)
    for cell in definition_cells(nb):
        if on_cell is not None:
            on_cell(cell.index)
        # Registered like IPython does, so that inspect.getsource works on notebook code:
        # tf.function's AutoGraph needs it to convert Python `if`/`for` over tensors. Each run
        # gets its own file names, so notebooks loaded in one process keep their own sources.
        filename = f"<cell {cell.index}" + (f", run {run_number}>" if run_number else ">")
        linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True),
                                     filename)
        try:
            code = compile(cell.source, filename, "exec")
            exec(code, ns)  # noqa: S102 - running notebook code is the point
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: a cell may not end us
            run.errors.append(CellError(cell.index, format_exception(exc)))
    return run


def describe_cell(nb: dict | None, index: int) -> str:
    """A cell as a student finds it in Jupyter, which shows no indices: by the names it
    defines (``the cell that defines `MultilayerRNN` ``), else by its first line; with its
    position among code cells (counted from 1) for an exact reference."""
    import ast

    cells = (nb or {}).get("cells") or []
    if not 0 <= index < len(cells):
        return f"cell {index}"
    cell = cells[index]
    position = sum(1 for c in cells[: index + 1] if c.get("cell_type") == "code")
    source = cell_source(cell)
    names = []
    try:
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
    except SyntaxError:
        pass
    if names:
        what = "the cell that defines " + ", ".join(f"`{n}`" for n in names[:3])
    else:
        first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
        what = f"the cell starting `{first[:60]}`" if first else "an empty cell"
    return f"{what} (code cell {position})"
