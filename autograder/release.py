"""Generating the student release from ``solutions/`` with real nbgrader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import paths


class ReleaseError(Exception):
    pass


def nbgrader_env() -> dict:
    """The environment for nbgrader commands: it runs ``alembic`` from PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def release_bytes(assignment: str) -> bytes:
    """The release notebook nbgrader generates from the solution now, outputs stripped."""
    root = paths.course_root()
    src = paths.solution_notebook(assignment)
    if not src.exists():
        raise ReleaseError(f"no solution notebook at {src}")
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        course = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(src.parent, course / "solutions" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
               f"--db=sqlite:///{course}/gradebook.db", "--log-level=WARN"]
        proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True, env=nbgrader_env())
        out = course / "assignments" / assignment / f"{assignment}.ipynb"
        if proc.returncode != 0 or not out.exists():
            raise ReleaseError(f"nbgrader generate_assignment {assignment} failed:\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        nb = json.loads(out.read_text())
    for cell in nb["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def generate_release(assignment: str) -> Path:
    """Writes ``assignments/<assignment>/<assignment>.ipynb``; returns its path."""
    out = paths.release_notebook(assignment)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(release_bytes(assignment))
    return out
