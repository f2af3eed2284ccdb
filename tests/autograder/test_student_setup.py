"""The student bundle works from its zip alone, set up the way its README says.

One test, as a student would: unpack only the zip into an empty folder, run the README's
virtualenv commands there (a fresh ``python3.11 -m venv``, the pip install it names, the
dataset build it names, the build without network), with nothing of the repository on the
path; then execute the first graded section of every notebook in that environment's Jupyter:
its cells up to its first check cell (experiment cells left out, as the grader does), then the
same section once more with the first answer cell filled in from the solution. The stub must
fail its check cleanly (``NotImplementedError`` in a ``CheckFailed``, no import or set-up
error) and the filled-in code must pass it, which proves the bundled library, fixtures and
dataset builders work outside the repository.

It needs ``python3.11`` and a package index (pip's cache makes it a few minutes at most).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder import paths
from autograder.bundle import write_student_bundle
from autograder.examples import solution_code
from rnnlab.notebook import cell_source, is_experiment_cell, is_test_cell, read_notebook

REPO = Path(__file__).resolve().parents[2]
SETUP_ERRORS = ("ModuleNotFoundError", "ImportError", "FileNotFoundError", "NameError",
                "AttributeError", "SyntaxError")


def readme_venv_commands(readme: str) -> list[str]:
    """The command lines of the README's virtualenv set-up: the fenced block with ``-m venv``."""
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", readme, re.S | re.M):
        if re.search(r"^python3\.11 -m venv ", block, re.M):
            return [ln.strip() for ln in block.splitlines() if ln.strip()]
    raise AssertionError("the README has no code block that creates a venv with python3.11")


def student_env(venv: Path | None = None) -> dict:
    """The environment of a student's shell: no repository on PATH or PYTHONPATH, no active
    virtualenv, pip's own settings (index, cache) kept."""
    proxies = ("http_proxy", "https_proxy", "no_proxy")
    env = {k: v for k, v in os.environ.items()
           if k.startswith(("PIP_", "PYENV")) or k.lower() in proxies
           or k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "SSL_CERT_FILE")}
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not Path(p).resolve().is_relative_to(REPO)]
    if venv is not None:
        path.insert(0, str(venv / "bin"))
    env["PATH"] = os.pathsep.join(path)
    env["MPLBACKEND"] = "Agg"
    env["PIP_NO_COMPILE"] = "1"  # no .pyc of all of TensorFlow up front: saves a minute of CPU
    return env


def offline_prefix() -> str:
    """A command prefix that runs without network: a network namespace when one can be made,
    else a proxy that refuses every connection."""
    for cmd in (["unshare", "--net", "true"], ["unshare", "--user", "--map-root-user", "--net",
                                                "true"]):
        if shutil.which(cmd[0]) and subprocess.run(cmd, capture_output=True).returncode == 0:
            return " ".join(cmd[:-1]) + " --"
    dead = "http://127.0.0.1:9"
    return f"env http_proxy={dead} https_proxy={dead} HTTP_PROXY={dead} HTTPS_PROXY={dead} no_proxy="


def first_section(release: dict, solution: dict | None) -> list[dict]:
    """The release's cells up to its first check cell, without experiment cells; with
    ``solution``, the first answer cell's code taken from it (markers removed)."""
    cells = []
    for cell in release["cells"]:
        if cell.get("cell_type") == "code" and is_experiment_cell(cell):
            continue
        cell = json.loads(json.dumps(cell))
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if solution is not None and meta.get("solution") and not any(
                c.get("metadata", {}).get("nbgrader", {}).get("solution") for c in cells):
            gid = meta["grade_id"]
            source = next(c for c in solution["cells"]
                          if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)
            cell["source"] = solution_code(source)
        cells.append(cell)
        if cell.get("cell_type") == "code" and is_test_cell(cell):
            return cells
    raise AssertionError("no check cell in the release")


def _outputs_text(cell: dict) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append("".join(out.get("text", "")))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        elif "data" in out:
            parts.append("".join(out["data"].get("text/plain", "")))
    return "\n".join(parts)


def _errors(cell: dict) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", [])
            if o.get("output_type") == "error"]


def _run(cmd, cwd, env, timeout, what):
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - started
    assert proc.returncode == 0, (f"{what} failed (exit {proc.returncode}):\n"
                                  f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc, seconds


def test_readme_venv_block_is_found_and_complete():
    """The commands the set-up test runs are the README's, and they set up everything."""
    from autograder.bundle import student_readme

    readme = student_readme({a: read_notebook(paths.release_notebook(a))
                             for a in paths.available_assignments()}, "student-bundle")
    commands = readme_venv_commands(readme)
    assert commands[0].startswith("python3.11 -m venv ")
    assert any(c.startswith(". ") and c.endswith("/bin/activate") for c in commands)
    assert any(re.match(r"pip install .*-e ", c) for c in commands)
    assert any(c.startswith("python -m rnnlab.data build ") for c in commands)
    with pytest.raises(AssertionError, match="no code block"):
        readme_venv_commands(readme.replace("python3.11 -m venv", "python -m venv"))


@pytest.fixture
def student_home(tmp_path):
    """An empty folder for the student, removed afterwards (the environment is 2.6 GB), by an
    ``rm`` the test does not wait for: on a busy disk, deleting its files took minutes."""
    home = tmp_path / "student"
    home.mkdir()
    yield home
    subprocess.Popen(["rm", "-rf", str(home)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.slow
def test_zip_alone_sets_up_builds_data_and_runs_first_sections(tmp_path, student_home):
    python = shutil.which("python3.11", path=student_env()["PATH"])
    assert python, "python3.11 is needed on PATH (the course's Python; CI has it)"
    timings = {}
    _, archive = write_student_bundle(tmp_path / "instructor" / "student-bundle")
    home = student_home
    with zipfile.ZipFile(archive) as z:
        z.extractall(home)
    bundle = home / "student-bundle"
    assert sorted(p.name for p in home.iterdir()) == ["student-bundle"]
    assert not (bundle / "autograder").exists() and not (bundle / "solutions").exists()

    # 1. The README's virtualenv commands, the dataset build without network.
    commands = readme_venv_commands((bundle / "README.md").read_text())
    offline = offline_prefix()
    script = ["set -euo pipefail"]
    for line in commands:
        script.append(f"{offline} {line}" if line.startswith("python -m rnnlab.data ") else line)
    proc, timings["README set-up"] = _run(["bash", "-c", "\n".join(script)], bundle,
                                          student_env(), 1500, "the README's set-up")
    assert re.search(r"dates +built in", proc.stdout), proc.stdout
    assert list((bundle / ".data" / "tfds" / "dates").glob("*/*/dataset_info.json"))
    venv = bundle / commands[0].split()[-1]
    assert (venv / "bin" / "python").exists(), venv
    env = student_env(venv)

    # 2. What that environment imports: the bundle's rnnlab, nothing of the instructors'.
    probe = ("import importlib.util, json, rnnlab, rnnlab.data\n"
             "print(json.dumps({'rnnlab': rnnlab.__file__,"
             " 'datasets': str(rnnlab.data.datasets_dir()),"
             " 'missing': [m for m in ('autograder', 'nbgrader', 'pytest')"
             " if importlib.util.find_spec(m) is None]}))\n"
             "from rnnlab.data import load_numpy\n"
             "arrays, vocab = load_numpy('dates', 'test')\n"
             "print(arrays['source'].shape, len(vocab))\n")
    proc, timings["imports and data"] = _run([str(venv / "bin" / "python"), "-c", probe], home,
                                             env, 300, "importing rnnlab")
    found = json.loads(proc.stdout.splitlines()[0])
    assert Path(found["rnnlab"]).resolve().is_relative_to(bundle.resolve()), found
    assert Path(found["datasets"]).resolve() == (bundle / "datasets").resolve(), found
    assert found["missing"] == ["autograder", "nbgrader", "pytest"], found
    assert proc.stdout.splitlines()[1] == "(1000, 32) 41", proc.stdout

    # 3. The first graded section of every notebook, with the stub, then with the solution.
    executed = []
    for a in paths.available_assignments():
        release = read_notebook(bundle / "assignments" / a / f"{a}.ipynb")
        solution = read_notebook(paths.solution_notebook(a))
        where = ("import sys, rnnlab\n"
                 "print('python', sys.executable)\nprint('rnnlab', rnnlab.__file__)")
        cells = ([{"cell_type": "code", "metadata": {}, "source": where, "outputs": [],
                   "execution_count": None}]
                 + first_section(release, None) + first_section(release, solution))
        path = bundle / "assignments" / a / f"first-section-{a}.ipynb"
        path.write_text(json.dumps({**release, "cells": cells}))
        executed.append(path)
    _, timings["first sections"] = _run(
        [str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--inplace", "--allow-errors", "--ExecutePreprocessor.timeout=600",
         *map(str, executed)], home, env, 1500, "executing the first sections")

    for path in executed:
        cells = [c for c in read_notebook(path)["cells"] if c.get("cell_type") == "code"]
        where = _outputs_text(cells[0])
        assert f"python {venv}" in where and f"rnnlab {bundle}" in where, where
        tests = [i for i, c in enumerate(cells) if is_test_cell(c)]
        assert len(tests) == 2, path
        for i, cell in enumerate(cells):
            if i not in tests:
                assert not _errors(cell), f"{path.name}: {cell_source(cell)[:80]!r}: {_errors(cell)}"
        stub, solved = cells[tests[0]], cells[tests[1]]
        errors = _errors(stub)
        assert len(errors) == 1 and errors[0].startswith("CheckFailed"), (path.name, errors)
        assert "NotImplementedError" in _outputs_text(stub), _outputs_text(stub)
        assert not any(e in _outputs_text(stub) for e in SETUP_ERRORS), _outputs_text(stub)
        assert not _errors(solved), (path.name, _errors(solved))
        assert re.search(r": all \d+ checks passed", _outputs_text(solved)), _outputs_text(solved)
    print("student set-up timings (s):",
          ", ".join(f"{k} {v:.0f}" for k, v in timings.items()), file=sys.stderr)
