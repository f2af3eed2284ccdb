"""How the process that runs student code is confined.

:class:`Sandbox` decides, once per grading run, which protections this machine allows and
says plainly which ones it could not apply (they are reported in every results file).
Resource limits (memory, CPU time, file size, no core dumps) and a separate process group
that is killed when its part is over are always applied by :mod:`autograder.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sandbox:
    """Confinement of the worker process beyond resource limits.

    Attributes:
        notes: protections that were not available here, in plain words.
    """

    notes: list[str] = field(default_factory=list)

    @classmethod
    def detect(cls) -> "Sandbox":
        return cls(notes=[
            "student code ran as the grader's own user, with network access "
            "(user and network isolation are not available here)",
        ])

    def wrap(self, cmd: list[str]) -> list[str]:
        """The command line that starts the worker inside the sandbox."""
        return cmd

    def prepare_dir(self, workdir: Path) -> None:
        """Makes the worker's scratch folder usable by the sandboxed user."""

    def drop_privileges(self) -> None:
        """Called in the child before exec."""

    def kill_leftovers(self) -> None:
        """Ends every process the student's code may have left behind."""
