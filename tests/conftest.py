"""Shared test set-up: quiet TensorFlow, fast notebooks, a headless plotting backend."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("RNNLAB_FAST", "1")


import pytest  # noqa: E402


INLINE = "module://matplotlib_inline.backend_inline"  # Jupyter's backend (Agg shows no figure)


def execute_fast(assignment: str, folder, timeout: int = 900, env: dict | None = None):
    """Executes ``solutions/<assignment>`` top to bottom in fast mode in a real Jupyter kernel,
    as a student's machine would: without ``TF_CPP_MIN_LOG_LEVEL`` (nobody sets it there),
    with ``env`` added to the kernel's environment (the tests' own is restored after)."""
    import nbformat
    from nbclient import NotebookClient

    from autograder.paths import solution_notebook

    nb = nbformat.read(solution_notebook(assignment), as_version=4)
    saved = dict(os.environ)
    os.environ.update({"RNNLAB_FAST": "1", **(env or {})})
    os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def notebook_problems(nb) -> list[str]:
    """Every error output and every stderr output of an executed notebook, with its cell."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        first = (cell.source.strip().splitlines() or [""])[0][:60]
        for out in cell.outputs:
            if out.output_type == "error":
                problems.append(f"cell {i} ({first!r}) raised {out.ename}: {out.evalue[:500]}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"cell {i} ({first!r}) wrote to stderr: {out.text[:1000]}")
    return problems


@pytest.fixture
def execute_notebook(tmp_path):
    """``execute_notebook("rnn", env={...})``: the executed notebook (see ``execute_fast``)."""
    return lambda assignment, timeout=900, env=None: execute_fast(assignment, tmp_path, timeout,
                                                                  env)
