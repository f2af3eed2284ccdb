"""The student bundle: what a course hands out, and nothing an instructor keeps.

Contents: the release notebooks (``assignments/``), the public library ``rnnlab`` (checks,
fixtures of public cases, probes, data loading, plots), the dataset builders (``datasets/``),
a README for students (``autograder/student_README.md``, completed with each notebook's graded
units and points read from the release), and what to install, written for students: a
``pyproject.toml`` for ``rnnlab`` alone whose dependencies are the course's runtime pins (the
instructors' tools, nbgrader and pytest among them, left out; JupyterLab in the ``jupyter``
extra, since Colab and JupyterHub bring their own), ``constraints.txt`` (the lines of
``requirements.lock`` for exactly the packages that install pulls in) and an
``environment.yml`` for conda. Left out: ``solutions/``, the ``autograder`` package (hidden-test
specs live there), tests, benchmarks, compiled plans and every reference value.

``tests/autograder/test_student_bundle.py`` searches the bundle for solution code and for
references to files, commands and tools students do not have;
``tests/autograder/test_student_setup.py`` installs it from the zip alone, as a student would.
"""

from __future__ import annotations

import ast
import re
import shutil
import tomllib
from pathlib import Path

from rnnlab.notebook import cell_source, is_experiment_cell, is_test_cell, read_notebook

from autograder import paths

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

README_TEMPLATE = Path(__file__).with_name("student_README.md")

# Instructor dependencies of pyproject.toml that students do not need: the grading and
# release tools and the test runner (the notebooks import none of them).
INSTRUCTOR_ONLY = ("nbgrader", "pytest", "nbformat", "nbclient")
# Wanted where students run Jupyter themselves (a laptop, their own kernel on a JupyterHub), not
# on Colab, whose own kernel and front end must not be replaced: the ``jupyter`` extra. With
# ipywidgets (pinned in requirements.lock only, where nbgrader brings it) the training runs'
# progress bars (``tqdm.auto``) are widgets; without it, tqdm warns and prints text.
JUPYTER_EXTRA = ("jupyterlab", "ipykernel")
JUPYTER_EXTRA_FROM_LOCK = ("ipywidgets",)
# Python versions the pins install on (numpy 2.4 needs 3.11; TensorFlow 2.21 has wheels up
# to 3.13); the course itself is tested on 3.11.
STUDENT_REQUIRES_PYTHON = ">=3.11,<3.14"


def _name(requirement: str) -> str:
    """The normalised project name of ``requirement`` (PEP 503: lower case, runs of -_. as -)."""
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def student_requirements(root: Path) -> tuple[list[str], list[str]]:
    """The instructor pyproject's pins split into (runtime pins, the ``jupyter`` extra)."""
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    runtime = [d for d in deps if _name(d) not in INSTRUCTOR_ONLY + JUPYTER_EXTRA]
    jupyter = [d for d in deps if _name(d) in JUPYTER_EXTRA]
    jupyter += [ln.strip() for ln in (root / "requirements.lock").read_text().splitlines()
                if "==" in ln and _name(ln) in JUPYTER_EXTRA_FROM_LOCK]
    missing = set(JUPYTER_EXTRA + JUPYTER_EXTRA_FROM_LOCK) - {_name(d) for d in jupyter}
    if missing:
        raise ValueError(f"expected pins of {sorted(missing)} in pyproject.toml or "
                         "requirements.lock, found none")
    return runtime, jupyter


def _student_pyproject(root: Path) -> str:
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    runtime, jupyter = student_requirements(root)

    def listed(items):
        return "".join(f'    "{item}",\n' for item in items)

    return (
        "# The course library the notebooks import. Install it editable, from this folder:\n"
        '#     pip install -c constraints.txt -e ".[jupyter]"\n'
        "# (README.md has the steps for a laptop, conda, a JupyterHub and Colab.)\n"
        "[build-system]\n"
        'requires = ["setuptools>=68"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        "[project]\n"
        'name = "rnn-course-student"\n'
        f'version = "{project["version"]}"\n'
        'description = "Course library of the RNN assignments: checks, data, plots"\n'
        f'requires-python = "{STUDENT_REQUIRES_PYTHON}"\n'
        f"dependencies = [\n{listed(runtime)}]\n\n"
        "[project.optional-dependencies]\n"
        "# JupyterLab, a kernel and widgets, where you run Jupyter yourself (not on Colab).\n"
        f"jupyter = [\n{listed(jupyter)}]\n\n"
        "[tool.setuptools.packages.find]\n"
        'include = ["rnnlab*"]\n\n'
        "[tool.setuptools.package-data]\n"
        'rnnlab = ["fixtures/*.npz", "fixtures/*.json"]\n'
    )


def _installed_closure(requirements: list[str]) -> set[str]:
    """Normalised names of ``requirements`` and of everything they pull in, from the metadata
    of the environment this runs in (the instructors', installed from ``requirements.lock``).

    Markers are evaluated for this interpreter, extras as requested; a distribution that is not
    installed here is kept by name and not followed.
    """
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = _name(req.name)
        extras = tuple(sorted(req.extras))
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e})
                                         for e in (extras or ("",))):
                todo.append(sub)
    return {key.split("[")[0] for key in seen}


def _student_constraints(root: Path) -> str:
    runtime, jupyter = student_requirements(root)
    wanted = _installed_closure(runtime + jupyter)
    lines = [ln.strip() for ln in (root / "requirements.lock").read_text().splitlines()
             if "==" in ln and not ln.lstrip().startswith("#")]
    kept = [ln for ln in lines if _name(ln) in wanted]
    absent = {_name(r) for r in runtime + jupyter} - {_name(ln) for ln in kept}
    if absent:
        raise ValueError(f"requirements.lock pins none of {sorted(absent)}")
    return ("# The exact versions the course is tested with, for everything the packages of\n"
            "# pyproject.toml pull in (used with pip install -c constraints.txt).\n"
            + "\n".join(kept) + "\n")


def _student_environment() -> str:
    return (
        "# Conda environment of the course's assignments:\n"
        "#     conda env create -f environment.yml && conda activate rnn-course\n"
        "# It installs the course library from this folder with the versions of pyproject.toml\n"
        "# and constraints.txt.\n"
        "name: rnn-course\n"
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        "  - python=3.11\n"
        "  - pip\n"
        "  - pip:\n"
        "      - -c constraints.txt\n"
        '      - -e ".[jupyter]"\n'
    )


def _checked_names(source: str) -> list[str]:
    """The names a test cell's visible check is given: ``check_x(A, B)`` -> ``["A", "B"]``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id.startswith("check_")):
            return [a.id for a in node.args if isinstance(a, ast.Name)]
    return []


def graded_units(notebook: dict) -> list[tuple[str, list[str], float]]:
    """(unit, names it grades, points) of each test cell of a release notebook, in order."""
    units = []
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code" and is_test_cell(cell):
            meta = cell["metadata"]["nbgrader"]
            units.append((meta["grade_id"], _checked_names(cell_source(cell)),
                          float(meta.get("points", 0))))
    return units


# Per notebook: reading and coding (an estimate), and running it top to bottom with finished
# code (README.md's measured table, 2-core CPU under load, 2026-11-28: lstm before its GRU
# sections, seq2seq before its bidirectional encoder; re-measure and update both).
NOTEBOOK_TIMES = {
    "rnn": ("8 to 12 hours", "about 3 min"),
    "lstm": ("7 to 10 hours", "about 3 min"),
    "seq2seq": ("6 to 10 hours", "about 6 min"),
    "captioning": ("8 to 12 hours", "about 8 min"),
}


def _points(value: float) -> str:
    return f"{value:g}"


def _notebook_entry(number: int, assignment: str, nb: dict) -> str:
    """One notebook of the README's list: its title, points, sections and times."""
    headings = [cell_source(c).strip().splitlines()[0] for c in nb["cells"]
                if c.get("cell_type") == "markdown" and cell_source(c).lstrip().startswith("#")]
    title = next((h.lstrip("# ") for h in headings if h.startswith("# ")), assignment)
    title = re.sub(r"^Assignment \d+: ", "", title)
    sections = [h[3:] for h in headings if h.startswith("## ") and not h.startswith("## Summary")]
    units = graded_units(nb)
    coding, running = NOTEBOOK_TIMES.get(assignment, ("not estimated", "not measured"))
    return (f"{number}. **`assignments/{assignment}/{assignment}.ipynb`: {title}.** "
            f"{_points(sum(u[2] for u in units))} points in {len(units)} graded units.\n"
            f"   Sections: {'; '.join(sections)}.\n"
            f"   Reading and coding: {coding} (our estimate). Running it top to bottom with "
            f"finished code: {running} (measured).")


def student_readme(notebooks: dict[str, dict], bundle_name: str) -> str:
    """The student README: the template with the graded units and cell counts filled in."""
    rows = ["| notebook | graded unit | what it grades | points |", "|---|---|---|---|"]
    totals, counts = [], []
    for a, nb in notebooks.items():
        units = graded_units(nb)
        for unit, names, points in units:
            graded = ", ".join(f"`{n}`" for n in names) or f"`{unit}`"
            rows.append(f"| `{a}` | `{unit}` | {graded} | {_points(points)} |")
        totals.append(f"`{a}` {_points(sum(u[2] for u in units))} points in {len(units)} units")
        cells = nb["cells"]
        counts.append(f"`{a}.ipynb` {sum(map(is_test_cell, cells))} check cells and "
                      f"{sum(map(is_experiment_cell, cells))} experiment cells")
    units_text = "\n".join(rows) + "\n\nIn all: " + "; ".join(totals) + "."
    entries = "\n".join(_notebook_entry(i, a, nb) for i, (a, nb) in
                         enumerate(notebooks.items(), 1))
    text = README_TEMPLATE.read_text()
    for marker, value in (("<!-- notebooks -->", entries), ("<!-- graded-units -->", units_text),
                          ("<!-- cell-counts -->", "; ".join(counts) + ".")):
        if marker not in text:
            raise ValueError(f"expected {marker} in {README_TEMPLATE}")
        text = text.replace(marker, value)
    return text.replace("student-bundle", bundle_name)


def write_student_bundle(out: Path) -> tuple[Path, Path]:
    """Writes the bundle folder ``out`` and ``out.zip``; returns both paths."""
    root = paths.course_root()
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    notebooks = {}
    for a in paths.available_assignments():
        release = paths.release_notebook(a)
        if not release.exists():
            raise FileNotFoundError(f"no release for {a} at {release}: run `make release`")
        shutil.copytree(release.parent, out / "assignments" / a, ignore=IGNORE)
        notebooks[a] = read_notebook(release)
    shutil.copytree(root / "rnnlab", out / "rnnlab", ignore=IGNORE)
    if (root / "datasets").exists():
        shutil.copytree(root / "datasets", out / "datasets", ignore=IGNORE)
    (out / "pyproject.toml").write_text(_student_pyproject(root))
    (out / "constraints.txt").write_text(_student_constraints(root))
    (out / "environment.yml").write_text(_student_environment())
    (out / "README.md").write_text(student_readme(notebooks, out.name))
    archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return out, Path(archive)
