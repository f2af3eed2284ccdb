"""Isolation wherever the course lives: the course, its virtualenv and the interpreter in a
mode-700 folder (under /tmp, the case that used to fall back to no isolation at all), graded as
root (the namespace sandbox) and as an unprivileged user (user namespaces).

The private copies are cheap: the interpreter and the virtualenv are hard-linked, without the
parts nothing imports (C headers, the stdlib's tests, Jupyter, nbgrader...; the few files that
must differ, ``pyvenv.cfg``, the ``bin/python`` link and the editable install's path finder,
are replaced, never edited in place), the course's own files are copied, and the compiled plans
are copied from this checkout's cache. Nothing of the host changes
permission. Each copy is graded as a folder (``autograder grade --jobs 2``) holding the solution
and the cheats of ``tests/adversarial`` that attack isolation: reading the solution, specs or
plans from disk, patching the grader, tampering with the results and the grader's channel.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import pytest

from autograder import paths
from autograder.examples import Recipe, make_submission, write_notebook
from autograder.sandbox import processes_of_uid

sys.path.insert(0, str(Path(__file__).parents[1] / "adversarial"))

from adversarial_cases import CORPUS, release_plus, write_corpus  # noqa: E402

A = "rnn"
NOBODY = 65534
UID_BASE = 63000 + 16 * (os.getpid() % 100)  # a range of its own, like the adversarial suite
LIMITS = ["--timeout", "20", "--load-timeout", "60", "--budget", "120", "--memory-mb", "3072",
          "--wall-timeout", "300"]
COPIED = ("autograder", "rnnlab", "solutions", "assignments", "datasets", "tests",
          "pyproject.toml")
CHEATS = ("read_solution", "patch_autograder", "forge_results", "forge_protocol")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="builds the private course as root"),
    pytest.mark.skipif(not (shutil.which("unshare") and shutil.which("setpriv")),
                       reason="needs util-linux (unshare, setpriv)"),
]

READ_PLANS = '''
import glob, os
patterns = @PATTERNS@ + ["/tmp/autograder-plans-*/*", "/tmp/**/.cache/autograder/*",
                         "/tmp/**/rnn-*.npz", "/tmp/**/plans/*.npz",
                         "/proc/[0-9]*/root/tmp/autograder-plans-*/*"]
readable = []
for pattern in patterns:
    for p in glob.glob(pattern, recursive=True):
        try:
            with open(p, "rb") as f:
                if f.read(1):
                    readable.append(p)
        except OSError:
            pass
plan_dir = os.environ.get("AUTOGRADER_PLAN_DIR")
raise RuntimeError(f"plans found: {readable}; AUTOGRADER_PLAN_DIR={plan_dir}")
'''


def _read_plans(course: Path):
    cache = course / ".cache" / "autograder"
    patterns = [f"{cache}/*", f"/proc/1/root{cache}/*", f"{course}/**/rnn-*.npz"]
    return release_plus(READ_PLANS.replace("@PATTERNS@", repr(patterns)))


# What the copies leave out, to keep them (and removing them) quick: nothing the grader or the
# worker imports (the solution's full marks prove it).
SKIP_PREFIX = ("include", "share", "lib/{py}/site-packages", "lib/{py}/test", "lib/{py}/idlelib",
               "lib/{py}/tkinter", "lib/{py}/turtledemo", "lib/{py}/ensurepip",
               "lib/{py}/lib2to3")
SKIP_VENV = tuple(f"lib/{{py}}/site-packages/{d}" for d in (
    "tensorflow/include", "jedi", "tensorflow_datasets", "babel", "pip", "pyarrow", "nbgrader",
    "jupyterlab", "tzdata", "debugpy", "sqlalchemy", "setuptools", "prompt_toolkit", "notebook",
    "jupyter_server", "alembic", "_pytest", "nbconvert", "jupyter_lsp", "ipywidgets",
    "ipykernel"))


def _link_tree(src: Path, dst: Path, skip=()) -> int:
    """A hard-linked copy of ``src`` at ``dst`` without the ``skip`` sub-folders; file count."""
    n = 0
    for folder, dirs, files in os.walk(src):
        rel = os.path.relpath(folder, src)
        rel = "" if rel == "." else rel
        dirs[:] = [d for d in dirs if os.path.join(rel, d) not in skip]
        target = dst / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                (target / name).symlink_to(os.readlink(path))
                n += 1
                if name in dirs:
                    dirs.remove(name)
            elif name in files:
                os.link(path, target / name)
                n += 1
    return n


def build_private_course(base: Path, owner: int | None = None) -> Path:
    """``base`` (mode 700) holding ``python/`` (the interpreter) and ``course/`` with ``.venv``."""
    from autograder.mistakes import load_known_mistakes
    from autograder.plan import load_plan

    load_known_mistakes(A, load_plan(A))  # compiled in this checkout's cache, then copied
    src = paths.course_root().resolve()
    venv_src = Path(sys.prefix)
    interpreter = Path(os.path.realpath(sys.executable))
    prefix = interpreter.parents[1]
    py = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    base.mkdir(mode=0o700)
    _link_tree(prefix, base / "python", {p.format(py=py) for p in SKIP_PREFIX})
    course = base / "course"
    course.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        if (src / name).is_dir():
            shutil.copytree(src / name, course / name, ignore=ignore)
        elif (src / name).exists():
            shutil.copy2(src / name, course / name)
    (course / ".git").mkdir()  # secrets the cheats look for
    (course / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    venv = course / ".venv"
    _link_tree(venv_src, venv, {p.format(py=py) for p in SKIP_VENV})
    # The files that must differ are replaced (new inodes), never edited in place: the rest
    # are hard links to this checkout's virtualenv.
    version = py
    new_python = base / "python" / interpreter.relative_to(prefix)
    for name in (version, "python3", "python"):
        link = venv / "bin" / name
        if link.is_symlink() and os.readlink(link) in ("python3", version):
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(new_python)
    cfg = venv / "pyvenv.cfg"
    text = cfg.read_text().replace(str(prefix), str(base / "python"))
    cfg.unlink()
    cfg.write_text(text)
    site = venv / "lib" / version / "site-packages"
    for f in list(site.glob("__editable__*")) + list(site.glob("*.egg-link")):
        if f.is_file():
            text = f.read_text().replace(str(src), str(course))
            f.unlink()
            f.write_text(text)
    cache = course / ".cache" / "autograder"
    cache.mkdir(parents=True)
    for f in paths.cache_dir().glob(f"{A}-*"):  # the compiled plan (recompiled if stale)
        shutil.copy2(f, cache / f.name)
    if owner is not None:  # only what is not hard-linked changes owner
        os.chown(base, owner, owner)
        for p in [course / ".cache", cache, *cache.iterdir()]:
            os.chown(p, owner, owner)
    return course


def _private_python(course: Path) -> str:
    return str(course / ".venv" / "bin" / "python")


def _clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUTOGRADER_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", AUTOGRADER_UID_BASE=str(UID_BASE),
               AUTOGRADER_UID_COUNT="16", **extra)
    return env


def _write_submissions(course: Path, folder: Path, cheats=CHEATS) -> None:
    """The solution and the isolation cheats, built against the private course's paths."""
    with mock.patch.dict(os.environ, {"AUTOGRADER_COURSE_ROOT": str(course)}):
        write_corpus(folder, A, [e for e in CORPUS if e.name in cheats])
        (folder / "read_plans").mkdir()
        (folder / "read_plans" / f"{A}.ipynb").write_bytes(_read_plans(course)(A))
    write_notebook(make_submission(A, Recipe(solved=["*"])), folder / "solution" / f"{A}.ipynb")


def _grade_folder(course: Path, folder: Path, out: Path, user: int | None = None):
    cmd = [_private_python(course), "-m", "autograder", "grade", str(folder), "--jobs", "2",
           "--out-dir", str(out), *LIMITS]
    env = _clean_env()
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--", *cmd]
        env["HOME"] = str(out)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.monotonic() - t0
    assert (out / "gradebook.csv").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "gradebook.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    results = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    return {"proc": proc, "rows": rows, "results": results, "elapsed": elapsed}


def _check_no_credit_for_cheats(batch, course: Path):
    proc, rows, results = batch["proc"], batch["rows"], batch["results"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(rows) == set(CHEATS) | {"solution", "read_plans"}, rows
    assert all(r["status"] == "graded" for r in rows.values()), rows
    max_score = float(rows["solution"]["max_score"])
    assert max_score > 0 and results["solution"]["score"] == max_score, (
        json.dumps(results["solution"])[:3000])
    for name in set(CHEATS) | {"read_plans"}:
        text = json.dumps(results[name])
        assert results[name]["score"] == 0, (name, text[:3000])
        assert "forged" not in text
    entries = {e.name: e for e in CORPUS}
    for name in CHEATS:
        for pattern in entries[name].messages:
            assert re.search(pattern, json.dumps(results[name])), (name, pattern)
    assert re.search(r"plans found: \[\]; AUTOGRADER_PLAN_DIR=None",
                     json.dumps(results["read_plans"])), json.dumps(results["read_plans"])[:3000]


@pytest.fixture(scope="module")
def private_course(tmp_path_factory):
    base = tmp_path_factory.mktemp("private") / "home"
    course = build_private_course(base)
    folder = base.parent / "submissions"
    _write_submissions(course, folder)
    yield course, folder
    shutil.rmtree(base, ignore_errors=True)  # ~20,000 hard links: not left for pytest to prune


def test_the_private_copy_is_really_private(private_course):
    course, _ = private_course
    base = course.parent
    assert oct(base.stat().st_mode)[-3:] == "700"
    python = Path(os.path.realpath(_private_python(course)))
    assert base in python.parents  # the interpreter, the virtualenv and the course inside it
    code = ("import sys, numpy, rnnlab, autograder; "
            "print(sys.base_prefix, numpy.__file__, rnnlab.__file__, autograder.__file__)")
    out = subprocess.run([_private_python(course), "-c", code], env=_clean_env(), cwd=course,
                         capture_output=True, text=True, check=True).stdout.split()
    assert all(o.startswith(str(base)) for o in out), out
    # and the sandbox user could not reach any of it through the host's permissions
    # (through sh: setpriv itself still holds root's capabilities when it execs its command)
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                            "/bin/sh", "-c", f'exec "{python}" -c pass'], capture_output=True,
                           text=True)
    assert probe.returncode != 0 and "Permission denied" in probe.stderr


def test_root_grades_a_private_course_in_the_namespace_sandbox(private_course):
    course, folder = private_course
    code = ("import json; from autograder.sandbox import Sandbox; "
            "print(json.dumps(Sandbox.require().isolation()))")
    proc = subprocess.run([_private_python(course), "-c", code], cwd=course, env=_clean_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    iso = json.loads(proc.stdout)
    assert iso["mode"] == "namespace" and iso["missing"] == [] and iso["reasons"] == []

    batch = _grade_folder(course, folder, course.parent / "results")
    assert "isolation: namespace" in batch["proc"].stdout
    _check_no_credit_for_cheats(batch, course)
    for name, row in batch["rows"].items():
        assert row["isolation"] == "namespace" and row["isolation_missing"] == "", (name, row)
        iso = batch["results"][name]["isolation"]
        assert iso["mode"] == "namespace" and iso["missing"] == [], (name, iso)
        assert "Note: student code ran" not in batch["results"][name]["output"]
    left = {uid: processes_of_uid(uid) for uid in range(UID_BASE, UID_BASE + 16)}
    assert not any(left.values()), left


def _userns_for_nobody() -> bool:
    proc = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           "unshare", "--user", "--map-root-user", "--mount", "--pid", "--net",
                           "--fork", "true"], capture_output=True)
    return proc.returncode == 0


@pytest.mark.skipif(not _userns_for_nobody(),
                    reason="unprivileged user namespaces are not allowed on this kernel")
def test_an_unprivileged_grader_hides_the_solutions_with_user_namespaces(tmp_path_factory):
    """Without root: ``nobody`` grades its own mode-700 copy; student code runs in user
    namespaces (mode ``userns``), and the results say that a uid of its own was missing."""
    top = Path(tempfile.mkdtemp(prefix="autograder-test-nobody-"))  # pytest's tmp is 700
    try:
        _grade_as_nobody(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _grade_as_nobody(top: Path):
    os.chmod(top, 0o755)
    base = top / "home"  # nobody's own private folder
    course = build_private_course(base, owner=NOBODY)
    folder, out = top / "submissions", top / "results"
    _write_submissions(course, folder, cheats=("read_solution", "patch_autograder"))
    out.mkdir()
    os.chown(out, NOBODY, NOBODY)
    batch = _grade_folder(course, folder, out, user=NOBODY)
    proc, rows, results = batch["proc"], batch["rows"], batch["results"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert set(rows) == {"solution", "read_solution", "patch_autograder", "read_plans"}
    assert results["solution"]["score"] == float(rows["solution"]["max_score"]) > 0
    for name in ("read_solution", "patch_autograder", "read_plans"):
        assert results[name]["score"] == 0, json.dumps(results[name])[:3000]
    assert re.search(r"readable: \[\]", json.dumps(results["read_solution"]))
    assert re.search(r"autograder not importable", json.dumps(results["patch_autograder"]))
    assert re.search(r"plans found: \[\]", json.dumps(results["read_plans"]))
    for name, row in rows.items():
        assert row["isolation"] == "userns" and row["isolation_missing"] == "own-uid", row
        iso = results[name]["isolation"]
        assert iso["mode"] == "userns" and iso["missing"] == ["own-uid"]
        assert "private-filesystem" in iso["protections"] and "no-network" in iso["protections"]
        assert "no uid of its own" in results[name]["output"]

    # The same grader without user namespaces (no unshare on its PATH) refuses to grade ...
    nb = folder / "solution" / f"{A}.ipynb"
    cmd = [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
           "--", _private_python(course), "-m", "autograder", "grade", str(nb), "--quiet",
           "--json", str(out / "refused.json")]
    env = _clean_env(PATH="/nonexistent", HOME=str(out))
    refused = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "the grader does not run as root" in refused.stderr
    assert "unprivileged user namespaces" in refused.stderr
    assert "--isolation=process" in refused.stderr
    assert not (out / "refused.json").exists()
