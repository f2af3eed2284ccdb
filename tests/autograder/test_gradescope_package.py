"""The Gradescope package: built, unpacked into a folder laid out like Gradescope's
``/autograder``, and exercised by running its ``run_autograder``."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.examples import make_submission, partial_recipe, write_notebook
from autograder.gradescope import SETUP_SH, find_notebook, find_python_sh, write_package
from autograder.plan import load_plan

A = "rnn"


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return write_package(A, tmp_path_factory.mktemp("gs") / "autograder.zip")


@pytest.mark.slow
def test_the_package_holds_the_grader_and_reference_values_but_no_solution(package):
    names = [n for n in zipfile.ZipFile(package).namelist() if not n.endswith("/")]
    assert {"setup.sh", "find_python.sh", "run_autograder", "requirements.txt", f"plans/{A}.npz",
            f"plans/{A}.json", "autograder/api.py", "rnnlab/worker.py",
            "rnnlab-package/pyproject.toml"} <= set(names)
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "assignments/"))]
    assert not [n for n in names if n.startswith("autograder/specs/") and
                not n.endswith("__init__.py")]
    assert not [n for n in names if n.startswith("autograder/mistakes/") and
                not n.endswith("__init__.py")]
    assert "autograder/audit.py" in names and not [n for n in names if "/audit/" in n]
    with zipfile.ZipFile(package) as zf:
        for name in ("setup.sh", "find_python.sh", "run_autograder"):
            info = zf.getinfo(name)
            assert info.external_attr >> 16 & 0o111, f"{name} is not executable"
            script = zf.read(name).decode()
            assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0


@pytest.mark.slow
def test_the_partial_submission_is_graded_by_run_autograder(package, tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / name, 0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    write_notebook(make_submission(A, partial_recipe(A)), root / "submission" / f"{A}.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "run_autograder")], env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    plan = load_plan(A)
    assert 0 < results["score"] < plan.max_score
    assert [t["name"] for t in results["tests"]] == [u.name for u in plan.units]
    lost = next(t for t in results["tests"] if t["name"] == "rnn_step_backward")
    assert "Likely mistake" in lost["output"]  # the known mistakes travel in the package
    assert oct((root / "source" / "plans").stat().st_mode)[-2:] == "00"  # hidden from others


@pytest.mark.slow
def test_a_submission_without_a_notebook_gets_zero_and_a_reason(package, tmp_path):
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "submission" / "notes.txt").write_text("forgot the notebook")
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "no notebook" in results["output"]


def test_find_notebook_prefers_the_assignments_name(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rnn.ipynb").write_text("{}")
    (tmp_path / "scratch.ipynb").write_text("{}")
    assert find_notebook(tmp_path, "rnn")[0].name == "rnn.ipynb"
    assert find_notebook(tmp_path, "lstm")[0] is None
    assert "several notebooks" in find_notebook(tmp_path, "lstm")[1]


# -- setup.sh's choice of Python, with fake interpreters and a fake apt (nothing is installed) --

FAKE_PYTHON = """#!/bin/sh
# a fake python{version}: reports its version, logs what it is asked to do
case "$1" in
    -c) echo "{version}" ;;
    --version) echo "Python {version}.0" ;;
    -m) echo "$(basename "$0") $*" >> "$FAKE_LOG"
        if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi ;;
esac
"""

FAKE_APT = r"""#!/bin/sh
# a fake apt-get: logs, and "installs" python3.11 when asked to
echo "apt-get $*" >> "$FAKE_LOG"
case " $* " in
    *" python3.11 "*) sed 's/@VERSION@/3.11/g' "$FAKE_BIN/python.template" > "$FAKE_BIN/python3.11"
                      chmod +x "$FAKE_BIN/python3.11" ;;
esac
"""


def _image(tmp_path, pythons: dict, apt: bool = False):
    """A folder laid out like /autograder/source and a PATH holding only fakes and tools."""
    source = tmp_path / "autograder" / "source"
    source.mkdir(parents=True)
    (source / "setup.sh").write_text(SETUP_SH)
    (source / "find_python.sh").write_text(find_python_sh())
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("mkdir", "cp", "sed", "chmod", "basename", "cat"):
        (fake / tool).symlink_to(shutil.which(tool))
    (fake / "python.template").write_text(FAKE_PYTHON.format(version="@VERSION@"))
    for name, version in pythons.items():
        (fake / name).write_text(FAKE_PYTHON.format(version=version))
        (fake / name).chmod(0o755)
    if apt:
        (fake / "apt-get").write_text(FAKE_APT)
        (fake / "apt-get").chmod(0o755)
    env = {"PATH": str(fake), "FAKE_LOG": str(tmp_path / "log"), "FAKE_BIN": str(fake),
           "AUTOGRADER_ROOT": str(tmp_path / "autograder"),
           "AUTOGRADER_VENV": str(tmp_path / "venv"), "HOME": str(tmp_path)}
    return source, fake, env


def _run(source, env, *args):
    return subprocess.run([shutil.which("bash"), str(source / "setup.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def _log(tmp_path) -> str:
    return (tmp_path / "log").read_text() if (tmp_path / "log").exists() else ""


def test_setup_refuses_python_3_10_and_names_the_base_images(tmp_path):
    source, fake, env = _image(tmp_path, {"python3": "3.10"})
    for args in (["--check"], []):  # the check alone, and the whole setup without apt
        proc = _run(source, env, *args)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "need\nPython 3.11 to 3.13" in proc.stderr and "python3=3.10" in proc.stderr
        assert "Ubuntu 24.04" in proc.stderr and "Ubuntu 22.04" in proc.stderr
    assert _log(tmp_path) == ""  # nothing was installed, no venv was made
    assert not (source / "python.txt").exists()


def test_setup_takes_a_python_3_11_or_3_12_when_there_is_one(tmp_path):
    source, fake, env = _image(tmp_path, {"python3": "3.10", "python3.11": "3.11"})
    proc = _run(source, env, "--check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(fake / "python3.11")
    (fake / "python3.11").unlink()
    (fake / "python3").write_text(FAKE_PYTHON.format(version="3.12"))  # Ubuntu 24.04's
    assert _run(source, env, "--check").stdout.strip() == str(fake / "python3")
    (fake / "python3").write_text(FAKE_PYTHON.format(version="3.14"))  # too new for the pins
    assert _run(source, env, "--check").returncode == 1
    assert _log(tmp_path) == ""


def test_setup_installs_python_3_11_with_apt_on_ubuntu_22_04(tmp_path):
    source, fake, env = _image(tmp_path, {"python3": "3.10"}, apt=True)
    proc = _run(source, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = _log(tmp_path)
    assert "apt-get install -y -qq python3.11 python3.11-venv" in log
    venv_python = tmp_path / "venv" / "bin" / "python"
    assert f"python3.11 -m venv {tmp_path / 'venv'}" in log
    assert "python -m pip install --no-cache-dir -r requirements.txt" in log  # into the venv
    assert "python -m pip install --no-cache-dir --no-deps ./rnnlab-package" in log
    assert (source / "python.txt").read_text().strip() == str(venv_python)
