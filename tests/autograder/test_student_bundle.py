"""The student bundle has what students need and nothing instructors keep.

Besides solution code, the bundle must not refer to what students do not have: instructor-only
files and folders (``solutions/``, ``tests/``, ``benchmarks/``, the ``autograder`` package,
``.cache/``, ``requirements.lock``), the Makefile's targets, and instructor tools used as such
(nbgrader's commands, pytest, ruff). Every text file of the bundle is scanned, notebooks by
their cells' text (their nbgrader metadata is data, not a reference).
"""

import json
import re
import tomllib
from pathlib import Path

import pytest

from autograder import paths
from autograder.bundle import write_student_bundle
from autograder.examples import solution_code
from rnnlab.notebook import read_notebook

ROOT = Path(__file__).resolve().parents[2]


def _make_targets() -> list[str]:
    """The Makefile's targets (its .PHONY lists), longest first."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    names = {n for line in re.findall(r"^\.PHONY:(.*)$", text, re.M) for n in line.split()}
    assert {"data", "fixtures", "test"} <= names
    return sorted(names, key=len, reverse=True)


NBGRADER_COMMANDS = ("generate_assignment", "generate_feedback", "generate_solution",
                     "release_assignment", "fetch_assignment", "zip_collect", "autograde",
                     "validate", "collect", "submit", "quickstart", "formgrader", "export",
                     "assign", "list", "db", "extension")
INSTRUCTOR_REFERENCES = [
    r"\bsolutions/", r"\bbenchmarks/", r"\btests?/", r"\btest_\w+\.py\b", r"\bconftest\b",
    r"\.cache/(?!rnnlab\b)",  # the repository's caches (a student's ~/.cache/rnnlab is theirs)
    r"\bautograder(?:/|\.[A-Za-z_]|\s+(?:grade|plan|release|fixtures|audit|review|gradescope"
    r"|student-bundle|demo)\b)",
    r"\b(?:from|import)\s+autograder\b", r"-m\s+autograder\b",
    r"\bmake\s+(?:%s)\b" % "|".join(map(re.escape, _make_targets())),
    r"\bnbgrader\s+(?:%s)\b" % "|".join(NBGRADER_COMMANDS), r"\bnbgrader_config\b",
    r"\bpytest\b", r"\bruff\b", r"\btestpaths\b", r"requirements\.lock", r"COMPARED\.md",
    r"gradebook\.db",
]
REFERENCE = re.compile("|".join(f"(?:{p})" for p in INSTRUCTOR_REFERENCES))
# What students install must not name the instructors' tools at all.
INSTALL_FILES = ("pyproject.toml", "constraints.txt", "environment.yml")
INSTALL_REFERENCE = re.compile(r"\b(?:nbgrader|pytest|ruff|alembic|autograder|notebook==)")

# Deliberate mentions: (file in the bundle, the text matched). None today.
ALLOWED: set[tuple[str, str]] = set()
# Sentences in files other engineers own, reported to them with a rewording; each entry must
# still match (remove it once the sentence is reworded). (file in the bundle, the text matched)
PENDING_REWORDING: set = set()  # (file, reference) to reword by their owners


def _texts(path: Path):
    """(where, text) of a bundle file: a notebook's cells and outputs one by one, any other
    UTF-8 file whole; binary files give nothing."""
    if path.suffix == ".ipynb":
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            yield f"cell {i}", "".join(cell.get("source", ""))
            for out in cell.get("outputs", []):
                yield f"cell {i} output", json.dumps(out)
        return
    try:
        yield "", path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return


def instructor_references(folder: Path) -> list[tuple[str, str, str]]:
    """(file, where, matched text) of every reference to instructor-only things in ``folder``."""
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(folder).as_posix()
        for where, text in _texts(path):
            for m in REFERENCE.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append((rel, f"{where} line {line}".strip(), m.group(0)))
            if rel in INSTALL_FILES:
                for m in INSTALL_REFERENCE.finditer(text):
                    found.append((rel, "install file", m.group(0)))
    return found


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder, archive = write_student_bundle(tmp_path_factory.mktemp("b") / "student-bundle")
    return folder, archive


def _code_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*$", re.M)


def test_hidden_block_detector():
    assert HIDDEN_BLOCK.search('check(f)\n### BEGIN HIDDEN TESTS\nrun(1)\n### END HIDDEN TESTS\n')
    assert not HIDDEN_BLOCK.search('BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"')


def _solution_lines():
    """Distinctive fragments of solution code: pairs of consecutive lines inside BEGIN/END
    SOLUTION of every assignment, leaving out lines the release itself shows students
    (scaffolding such as ``with tf.GradientTape() as tape:``). A single generic line (a loop
    header) may well occur in public code; two consecutive solution lines should not."""
    released = set()
    for a in paths.available_assignments():
        for cell in read_notebook(paths.release_notebook(a))["cells"]:
            released.update(_code_lines("".join(cell.get("source", ""))))
    fragments = set()
    for a in paths.available_assignments():
        nb = read_notebook(paths.solution_notebook(a))
        for cell in nb["cells"]:
            src = "".join(cell.get("source", ""))
            for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, re.S):
                lines = [ln for ln in _code_lines(block) if ln not in released]
                for first, second in zip(lines, lines[1:]):
                    if len(first) + len(second) >= 40:
                        fragments.add(first + "\n" + second)
    return fragments


def _leaks(text: str, secrets: set[str]) -> list[str]:
    normalised = "\n".join(_code_lines(text))
    return [s for s in secrets if s in normalised]


def test_bundle_contents(bundle):
    folder, archive = bundle
    assert archive.exists() and archive.stat().st_size > 0
    for a in paths.available_assignments():
        assert (folder / "assignments" / a / f"{a}.ipynb").exists()
        assert (folder / "rnnlab" / "fixtures" / f"{a}.npz").exists()
    assert (folder / "environment.yml").exists() and (folder / "pyproject.toml").exists()
    assert not (folder / "solutions").exists()
    assert not (folder / "autograder").exists()
    assert "autograder" not in (folder / "pyproject.toml").read_text()
    for name in ("README.md", "constraints.txt", "datasets/README.md"):
        assert (folder / name).exists(), name
    assert not (folder / "tests").exists() and not (folder / "benchmarks").exists()


def test_bundle_install_files_are_for_students(bundle):
    """pyproject.toml: the runtime pins without the instructors' tools, JupyterLab as an extra,
    no pytest or ruff settings; constraints.txt: the lock's versions of what they pull in."""
    folder, _ = bundle
    student = tomllib.loads((folder / "pyproject.toml").read_text())
    instructor = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert set(student) == {"build-system", "project", "tool"}
    assert set(student["tool"]) == {"setuptools"}
    deps = student["project"]["dependencies"]
    names = {re.split(r"[=<>\[]", d)[0].lower() for d in deps}
    assert {"tensorflow", "keras", "tensorflow-datasets", "numpy"} <= names
    assert not names & {"nbgrader", "pytest", "jupyterlab", "ipykernel"}
    assert set(deps) <= set(instructor["project"]["dependencies"])
    jupyter = student["project"]["optional-dependencies"]["jupyter"]
    assert {d.split("==")[0] for d in jupyter} == {"jupyterlab", "ipykernel", "ipywidgets"}
    lock = set((ROOT / "requirements.lock").read_text().split())
    constraints = [ln for ln in (folder / "constraints.txt").read_text().splitlines()
                   if ln and not ln.startswith("#")]
    assert set(constraints) <= lock and set(deps + jupyter) <= set(constraints)
    assert not any(ln.split("==")[0].lower() in ("nbgrader", "pytest", "alembic", "ruff")
                   for ln in constraints)
    env = (folder / "environment.yml").read_text()
    assert "-c constraints.txt" in env and '-e ".[jupyter]"' in env and "python=3.11" in env


def test_bundle_readme_lists_every_graded_unit(bundle):
    folder, _ = bundle
    readme = (folder / "README.md").read_text()
    assert "<!--" not in readme
    for a in paths.available_assignments():
        nb = read_notebook(paths.release_notebook(a))
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                row = re.search(rf"^\| `{a}` \| `{meta['grade_id']}` \| .* \| (\S+) \|$", readme,
                                re.M)
                assert row and float(row.group(1)) == meta["points"], (a, meta["grade_id"])
        assert f"`{a}.ipynb` " in readme and f"assignments/{a}/{a}.ipynb" in readme


def test_bundle_refers_to_nothing_students_do_not_have(bundle):
    folder, _ = bundle
    found = instructor_references(folder)
    unexpected = [f for f in found
                  if (f[0], f[2]) not in ALLOWED | PENDING_REWORDING]
    assert not unexpected, "references to instructor-only files, targets or tools:\n" + "\n".join(
        f"  {file} ({where}): {text!r}" for file, where, text in unexpected)
    stale = PENDING_REWORDING - {(f[0], f[2]) for f in found}
    assert not stale, f"reworded now: remove from PENDING_REWORDING: {sorted(stale)}"


def test_reference_scan_finds_planted_references(tmp_path):
    """The scanner fires on each kind of reference, in a notebook cell and in plain files, and
    not on the words students do see (the autograder, nbgrader's metadata, ~/.cache/rnnlab)."""
    planted = {
        "notes.md": "Run `make fixtures` first.",
        "a.py": '"""See ``solutions/rnn/rnn.ipynb``."""',
        "b.py": "# measured by benchmarks/bench_lstm.py",
        "c.md": "python -m autograder grade rnn.ipynb",
        "d.md": "then `nbgrader validate rnn.ipynb`",
        "e.txt": "pip install pytest",
        "f.md": "the plans in .cache/autograder/",
        "g.md": "documented in autograder/README.md",
        "h.md": "checked by tests/autograder/test_student_bundle.py",
    }
    for name, text in planted.items():
        (tmp_path / name).write_text(text)
    clean = ("The autograder runs hidden cases. Data go to ~/.cache/rnnlab/tfds. Make your code "
             "general, make tests of your own.")
    (tmp_path / "clean.md").write_text(clean)
    nb = {"cells": [{"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "md_01"}},
                     "source": ["`benchmarks/bench_lstm.py` times it.\n"]},
                    {"cell_type": "markdown", "metadata": {}, "source": [clean]}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb))
    (tmp_path / "pyproject.toml").write_text('dependencies = ["nbgrader==0.9.6"]')
    found = {(f[0], f[1]) for f in instructor_references(tmp_path)}
    assert {name for name, _ in found} == set(planted) | {"n.ipynb", "pyproject.toml"}
    assert ("n.ipynb", "cell 0 line 1") in found
    assert ("pyproject.toml", "install file") in found


def _file_text(path: Path) -> str:
    """A bundle file's text; a notebook's is its cells' text (in the raw JSON every code line
    is a quoted string, which no solution fragment matches)."""
    return "\n".join(text for _, text in _texts(path))


def test_bundle_holds_no_solution_code(bundle):
    folder, _ = bundle
    secrets = _solution_lines()
    assert len(secrets) >= 5
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".py", ".ipynb", ".md", ".json", ".toml", ".yml"}:
            text = _file_text(path)
            leaked = _leaks(text, secrets)
            assert not leaked, f"{path} contains solution code: {leaked[:3]}"
            # A hidden-test block or hook (a module may name the marker in a string).
            assert not HIDDEN_BLOCK.search(text) and "run_hidden_tests(" not in text, path


def test_solution_code_helper_strips_markers():
    cell = {"source": "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"}
    assert solution_code(cell) == "def f():\n    return 1\n"


def test_leak_detector_finds_copied_solution_code():
    """The detector the bundle test relies on fires on a copied solution block."""
    secrets = _solution_lines()
    nb = read_notebook(paths.solution_notebook(paths.available_assignments()[0]))
    block = next(b for c in nb["cells"]
                 for b in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION",
                                     "".join(c.get("source", "")), re.S)
                 if _leaks(b, secrets))
    assert _leaks("def helper():\n" + block, secrets)
    assert not _leaks("with tf.GradientTape() as tape:\n    loss = 0.0\n", secrets)


def test_leak_detector_finds_solution_code_in_a_notebook_file(tmp_path):
    """A release notebook whose answer cell holds solution code is caught, as a file."""
    a = paths.available_assignments()[0]
    secrets = _solution_lines()
    release = read_notebook(paths.release_notebook(a))
    solution = read_notebook(paths.solution_notebook(a))
    solved = {c["metadata"]["nbgrader"]["grade_id"]: solution_code(c) for c in solution["cells"]
              if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for cell in release["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in solved:
            cell["source"] = solved[gid]
    path = tmp_path / f"{a}.ipynb"
    path.write_text(json.dumps(release, indent=1))
    assert _leaks(_file_text(path), secrets)
    assert not _leaks(_file_text(paths.release_notebook(a)), secrets)
