"""environment.yml and pyproject.toml pin the same packages."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_pins_match_pyproject():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [ln.strip()[2:].strip() for ln in (ROOT / "environment.yml").read_text().splitlines()
            if ln.strip().startswith("- ") and "==" in ln]
    assert sorted(pins) == sorted(deps)
    for name in ("tensorflow==2.21.0", "tensorflow-datasets==4.9.10", "nbgrader==0.9.6"):
        assert name in deps
    assert any(d.startswith("keras==3.15") for d in deps)
    assert any(d.startswith("importlib_resources") for d in deps)


def test_lock_file_agrees_with_pins():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lock = {ln.split("==")[0].lower().replace("_", "-"): ln.strip()
            for ln in (ROOT / "requirements.lock").read_text().splitlines() if "==" in ln}
    for dep in deps:
        name = dep.split("==")[0].lower().replace("_", "-")
        assert lock.get(name) == dep.replace("_", "-") or lock.get(name) == dep, dep


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
