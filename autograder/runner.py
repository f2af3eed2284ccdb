"""Runs untrusted notebook code in a separate, limited process and talks to it.

The grading process never imports the student's code. It starts ``rnnlab.worker`` in its own
process group with resource limits, sends it the notebook to load and then one case at a
time (inputs only), and reads back numeric arrays. A case that runs past its timeout, or a
worker that dies, costs that case only: the worker is killed (its whole process group) and a
fresh one is started for the next case.
"""

from __future__ import annotations

import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab import wire
from rnnlab.cases import Case, pack, unpack_arrays

from autograder.sandbox import Sandbox


@dataclass
class Limits:
    """Resource limits for the process running student code."""

    load_timeout: float = 120.0  # seconds to import and run the definition cells
    case_timeout: float = 30.0  # seconds per case
    memory_bytes: int = 6 << 30  # address space (TF alone maps ~2.5 GiB)
    cpu_seconds: int = 900  # CPU time of one worker, a backstop for the timeouts
    file_bytes: int = 64 << 20  # largest file the worker may write
    output_bytes: int = 64 << 10  # how much of the worker's stdout/stderr is kept


class WorkerFailed(Exception):
    """The worker died, hung or broke the protocol; the message says which."""


class Timeout(WorkerFailed):
    pass


@dataclass
class LoadReport:
    ok: bool
    cell_errors: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""


def _worker_env() -> dict:
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "TFDS_DATA_DIR", "RNNLAB_DATASETS_DIR",
            "RNNLAB_FAST", "CUDA_VISIBLE_DEVICES")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"),
    )
    return env


class WorkerSession:
    """One notebook loaded in a worker process, restarted as needed.

    Args:
        notebook: path of the notebook to load.
        limits: the resource limits.
        sandbox: how to confine the process (see :mod:`autograder.sandbox`).
    """

    def __init__(self, notebook: Path, limits: Limits | None = None, sandbox: Sandbox | None = None):
        self.notebook = Path(notebook)
        self.limits = limits or Limits()
        self.sandbox = sandbox or Sandbox.detect()
        self.proc: subprocess.Popen | None = None
        self.load_report: LoadReport | None = None
        self.restarts = 0
        self._log = None
        self._workdir = None

    # -- process lifecycle ------------------------------------------------------------------

    def _preexec(self):
        lim = self.limits
        for res, value in (
            (resource.RLIMIT_AS, lim.memory_bytes),
            (resource.RLIMIT_CPU, lim.cpu_seconds),
            (resource.RLIMIT_FSIZE, lim.file_bytes),
            (resource.RLIMIT_CORE, 0),
        ):
            try:
                resource.setrlimit(res, (value, value))
            except (ValueError, OSError):
                pass
        self.sandbox.drop_privileges()

    def start(self) -> LoadReport:
        """Starts a worker and loads the notebook's definition cells into it."""
        self.close()
        self._workdir = tempfile.TemporaryDirectory(prefix="autograder-")
        workdir = Path(self._workdir.name)
        nb_copy = workdir / "submission.ipynb"
        nb_copy.write_bytes(self.notebook.read_bytes())
        self.sandbox.prepare_dir(workdir)
        if self._log is None:
            self._log = tempfile.TemporaryFile()
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        cmd = self.sandbox.wrap([sys.executable, "-I", "-m", "rnnlab.worker",
                                 str(to_worker_r), str(from_worker_w)])
        self.proc = subprocess.Popen(
            cmd,
            pass_fds=(to_worker_r, from_worker_w),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=_worker_env(),
            start_new_session=True,
            preexec_fn=self._preexec,
        )
        os.close(to_worker_r)
        os.close(from_worker_w)
        self._to = os.fdopen(to_worker_w, "wb", buffering=0)
        self._from_fd = from_worker_r
        self._last_cell = None
        deadline = time.monotonic() + self.limits.load_timeout
        try:
            wire.send(self._to, {"op": "load", "path": str(nb_copy)})
            while True:
                header, _ = self._receive(deadline)
                if header.get("event") == "cell":
                    self._last_cell = header.get("index")
                    continue
                if header.get("event") != "loaded":
                    raise WorkerFailed("the worker sent an unexpected message while loading")
                if not header.get("ok"):
                    report = LoadReport(False, error=str(header.get("error", "")))
                else:
                    errors = [(int(i), str(e)) for i, e in header.get("errors", [])]
                    report = LoadReport(True, errors)
                break
        except Timeout:
            where = f" (cell {self._last_cell} was running)" if self._last_cell is not None else ""
            self.kill()
            report = LoadReport(False, error=f"running the notebook's definition cells took longer "
                                f"than {self.limits.load_timeout:.0f} s{where}")
        except WorkerFailed as exc:
            where = f" while cell {self._last_cell} was running" if self._last_cell is not None else ""
            self.kill()
            report = LoadReport(False, error=f"{exc}{where}")
        self.load_report = report
        return report

    def _receive(self, deadline: float) -> tuple[dict, bytes]:
        def read(n: int) -> bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Timeout("timed out")
            ready, _, _ = select.select([self._from_fd], [], [], remaining)
            if not ready:
                raise Timeout("timed out")
            return os.read(self._from_fd, min(n, 1 << 20))

        try:
            return wire.receive(read)
        except wire.WireError as exc:
            code = self.proc.poll() if self.proc else None
            if code is None:
                try:
                    code = self.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    code = None
            if code is not None:
                raise WorkerFailed(self._describe_exit(code)) from None
            raise WorkerFailed(f"the worker broke the protocol ({exc})") from None

    @staticmethod
    def _describe_exit(code: int) -> str:
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
            hint = " (out of memory or CPU time?)" if name in ("SIGKILL", "SIGXCPU", "SIGSEGV") else ""
            return f"the process running your code was killed by {name}{hint}"
        return f"the process running your code exited with status {code}"

    def run_case(self, case: Case, timeout: float | None = None) -> dict:
        """Runs one case; returns its arrays or raises :class:`WorkerFailed` / ``CaseError``."""
        if self.proc is None or self.proc.poll() is not None:
            self.restarts += 1
            report = self.start()
            if not report.ok:
                raise WorkerFailed(f"could not load the notebook again: {report.error}")
        deadline = time.monotonic() + (timeout or self.limits.case_timeout)
        try:
            wire.send(self._to, {"op": "case"}, pack([case]))
            header, payload = self._receive(deadline)
        except Timeout:
            self.kill()
            raise Timeout(f"did not finish within {timeout or self.limits.case_timeout:.0f} s "
                          "(an infinite loop, or far too slow)") from None
        except (BrokenPipeError, OSError) as exc:
            code = self.proc.poll()
            self.kill()
            raise WorkerFailed(self._describe_exit(code) if code is not None else str(exc)) from None
        except WorkerFailed:
            self.kill()
            raise
        if header.get("event") != "result":
            self.kill()
            raise WorkerFailed("the worker sent an unexpected message")
        if not header.get("ok"):
            raise CaseError(str(header.get("error", "unknown error"))[:2000])
        try:
            return unpack_arrays(payload)
        except Exception as exc:  # noqa: BLE001 - anything unreadable is the student's loss
            raise CaseError(f"the results could not be read as numeric arrays ({exc})") from None

    def output(self) -> str:
        """What the worker printed (truncated to the output limit)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        data = self._log.read(self.limits.output_bytes + 1)
        text = data[: self.limits.output_bytes].decode("utf-8", "replace")
        return text + ("\n... (output truncated)" if len(data) > self.limits.output_bytes else "")

    def kill(self):
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.sandbox.kill_leftovers()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    wire.send(self._to, {"op": "exit"})
                    self.proc.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self.kill()
            for f in (getattr(self, "_to", None),):
                try:
                    f and f.close()
                except OSError:
                    pass
            try:
                os.close(self._from_fd)
            except OSError:
                pass
            self.proc = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        if self._log is not None:
            self._log.close()


class CaseError(Exception):
    """The student's code raised, or returned something that is not numbers."""
