"""Runs untrusted notebook code in a separate, confined process and talks to it.

The grading process never imports the student's code. It starts ``rnnlab.worker`` inside the
sandbox (see :mod:`autograder.sandbox`), in its own session, with resource limits, sends it
the notebook to load and then one case at a time (inputs only), and reads back numeric arrays.
A case that runs past its timeout, or a worker that dies, costs that case only: the worker and
every process it started are killed and a fresh worker is started for the next case (up to
``Limits.max_restarts`` times). What the worker prints is drained into a bounded buffer (its
beginning and its end are kept).
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab import wire
from rnnlab.cases import Case, pack
from rnnlab.evaluate import TIMED_OUT, CaseRaised, UnitStopped

from autograder.sandbox import Sandbox


@dataclass
class Limits:
    """Resource limits for the process running student code."""

    load_timeout: float = 120.0  # seconds to import and run the definition cells
    case_timeout: float = 30.0  # seconds per case
    memory_bytes: int = 6 << 30  # address space (TF maps ~2 GiB; measured peak 1.9 GiB)
    cpu_seconds: int = 900  # CPU time of one worker, a backstop for the timeouts
    file_bytes: int = 64 << 20  # largest file the worker may write
    output_bytes: int = 64 << 10  # how much of the worker's stdout/stderr is kept
    processes: int = 256  # processes and threads of the sandbox user (TF uses ~10)
    tmpfs_bytes: int = 256 << 20  # size of its /tmp, /dev/shm and home (namespace sandbox)
    grade_timeout: float = 900.0  # wall time for every case of one submission
    max_restarts: int = 8  # fresh workers after a crash or a time-out, per submission


class WorkerFailed(UnitStopped):
    """The worker died, hung or broke the protocol; the message says which."""


class Timeout(WorkerFailed):
    status = TIMED_OUT
    after = " after the time-out"


class ProtocolViolation(WorkerFailed):
    """The worker answered out of turn: the student's code wrote to the grader's channel."""

    after = ""


class CaseError(CaseRaised):
    """The student's code raised, or returned something that is not numbers."""


@dataclass
class LoadReport:
    """How loading the notebook's definitions went.

    ``error`` says why it failed; ``running`` is the index of the cell that was running when
    it did (a time-out, a crash), which :meth:`where` names.
    """

    ok: bool
    cell_errors: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""
    running: int | None = None

    def where(self, describe=lambda index: f"cell {index}") -> str:
        """The error, with the running cell named by ``describe`` (index -> words)."""
        if self.running is None:
            return self.error
        return f"{self.error} (while {describe(self.running)} was running)"


def _worker_env() -> dict:
    # Numeric switches pass through (autograder/numerics.py simulates other machines with them).
    keep = ("PATH", "LANG", "LC_ALL", "TFDS_DATA_DIR", "RNNLAB_DATASETS_DIR", "RNNLAB_FAST",
            "CUDA_VISIBLE_DEVICES", "TF_ENABLE_ONEDNN_OPTS", "RNNLAB_EAGER")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        MPLBACKEND="Agg",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        PYTHONHASHSEED="0",
        OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"),
        TF_NUM_INTEROP_THREADS=os.environ.get("TF_NUM_INTEROP_THREADS", "2"),
        TF_NUM_INTRAOP_THREADS=os.environ.get("TF_NUM_INTRAOP_THREADS", "2"),
    )
    return env


def _tasks_of_uid(uid: int) -> int:
    """Processes and threads of ``uid`` (what RLIMIT_NPROC counts)."""
    from autograder.sandbox import _pids, _proc_status

    total = 0
    for pid in _pids():
        st = _proc_status(pid)
        if st and int(st.get("Uid", "-1").split()[0]) == uid:
            total += int(st.get("Threads", "1").strip() or 1)
    return total


class OutputBuffer:
    """Drains a pipe in a thread, keeping the first and the last ``limit / 2`` bytes."""

    def __init__(self, limit: int):
        self.limit = max(int(limit), 2)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def attach(self, fd: int) -> None:
        thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _drain(self, fd: int) -> None:
        half = self.limit // 2
        try:
            while True:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                with self._lock:
                    self.total += len(chunk)
                    room = half - len(self.head)
                    if room > 0:
                        self.head += chunk[:room]
                        chunk = chunk[room:]
                    if chunk:
                        self.tail += chunk
                        if len(self.tail) > half:
                            del self.tail[: len(self.tail) - half]
        except OSError:
            pass
        finally:
            os.close(fd)

    def wait(self, timeout: float = 5.0) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def text(self) -> str:
        with self._lock:
            dropped = self.total - len(self.head) - len(self.tail)
            head = bytes(self.head).decode("utf-8", "replace")
            tail = bytes(self.tail).decode("utf-8", "replace")
        if dropped > 0:
            return f"{head}\n... ({dropped} bytes of output left out) ...\n{tail}"
        return head + tail


class WorkerSession:
    """One notebook loaded in a worker process, restarted as needed.

    Args:
        notebook: path of the notebook to load.
        limits: the resource limits.
        sandbox: how to confine the process (default: the strongest available, see
            :mod:`autograder.sandbox`).

    Attributes:
        restarts: fresh workers started after a crash or time-out.
        peak_memory: the largest peak resident memory of a worker, in bytes.
        leftovers: pids that were still alive after the worker was killed (should stay empty).
    """

    def __init__(self, notebook: Path, limits: Limits | None = None, sandbox: Sandbox | None = None):
        self.notebook = Path(notebook)
        self.limits = limits or Limits()
        self.sandbox = sandbox or Sandbox.detect()
        self.proc: subprocess.Popen | None = None
        self.load_report: LoadReport | None = None
        self.restarts = 0
        self.peak_memory = 0
        self.leftovers: list[int] = []
        self.output_buffer = OutputBuffer(self.limits.output_bytes)
        self._workdir: Path | None = None
        self._to = None
        self._from_fd: int | None = None
        self._nproc = self.limits.processes
        self.poisoned = ""  # set when the student's code tampered with the channel

    # -- process lifecycle ------------------------------------------------------------------

    def _preexec(self):
        lim = self.limits
        for res, value in (
            (resource.RLIMIT_AS, lim.memory_bytes),
            (resource.RLIMIT_CPU, lim.cpu_seconds),
            (resource.RLIMIT_FSIZE, lim.file_bytes),
            (resource.RLIMIT_CORE, 0),
            (resource.RLIMIT_NPROC, self._nproc),
        ):
            if res == resource.RLIMIT_NPROC and self._nproc is None:
                continue
            # CPU: SIGXCPU at the limit, SIGKILL 5 s later if the code ignores SIGXCPU
            hard = value + 5 if res == resource.RLIMIT_CPU else value
            try:
                resource.setrlimit(res, (value, hard))
            except (ValueError, OSError):
                pass
        self.sandbox.preexec()

    def _prepare_workdir(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
            copy = self._workdir / "submission.ipynb"
            raw = self.notebook.read_bytes()
            try:  # only what the worker needs: sources and metadata, not outputs
                nb = json.loads(raw)
                for cell in nb.get("cells", []):
                    if isinstance(cell, dict):
                        cell.pop("outputs", None)
                        cell.pop("attachments", None)
                raw = json.dumps(nb).encode()
            except (ValueError, AttributeError, TypeError):
                pass
            copy.write_bytes(raw)
        return self._workdir

    def start(self) -> LoadReport:
        """Starts a worker and loads the notebook's definition cells into it."""
        self._stop()
        self.sandbox.acquire()
        workdir = self._prepare_workdir()
        if self.sandbox.mode in ("process", "userns"):  # the grader's own uid: count its tasks
            self._nproc = None if os.geteuid() == 0 else _tasks_of_uid(os.getuid()) + self.limits.processes
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        out_r, out_w = os.pipe()
        argv = [sys.executable, "-I", "-m", "rnnlab.worker", str(to_worker_r), str(from_worker_w)]
        launch = self.sandbox.launch(argv, workdir, workdir / "submission.ipynb", _worker_env(),
                                     self.limits.tmpfs_bytes)
        try:
            self.proc = subprocess.Popen(
                launch.cmd,
                pass_fds=(to_worker_r, from_worker_w),
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                cwd=launch.cwd,
                env=launch.env,
                start_new_session=True,
                preexec_fn=self._preexec,
            )
        finally:
            for fd in (to_worker_r, from_worker_w, out_w):
                os.close(fd)
        self.output_buffer.attach(out_r)
        self._to = os.fdopen(to_worker_w, "wb", buffering=0)
        self._from_fd = from_worker_r
        self._last_cell = None
        deadline = time.monotonic() + self.limits.load_timeout
        try:
            wire.send(self._to, {"op": "load", "path": launch.notebook})
            while True:
                header, _ = self._receive(deadline)
                if header.get("event") == "cell":
                    self._last_cell = header.get("index")
                    continue
                if header.get("event") != "loaded":
                    raise WorkerFailed("the worker sent an unexpected message while loading")
                if not header.get("ok"):
                    report = LoadReport(False, error=str(header.get("error", ""))[:2000])
                else:
                    errors = [(int(i), str(e)[:2000]) for i, e in header.get("errors", [])]
                    report = LoadReport(True, errors)
                break
        except Timeout:
            self.kill()
            report = LoadReport(False, error=f"running the notebook's definition cells took longer "
                                f"than {self.limits.load_timeout:.0f} s", running=self._last_cell)
        except (WorkerFailed, OSError) as exc:
            self.kill()
            report = LoadReport(False, error=str(exc), running=self._last_cell)
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

    def _describe_exit(self, code: int) -> str:
        namespaced = self.sandbox.mode in ("namespace", "userns")
        if namespaced and 128 < code < 128 + 65:
            code = -(code - 128)  # the namespace's init reports a signal as 128 + N
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
            hint = {"SIGKILL": " (out of memory or CPU time?)", "SIGXCPU": " (out of CPU time)",
                    "SIGSEGV": " (a crash, often out of memory)",
                    "SIGXFSZ": " (it wrote a file larger than the limit)"}.get(name, "")
            return f"the process running your code was killed by {name}{hint}"
        if code in (121, 122) and namespaced:
            return "the grader's sandbox could not be set up (a grader problem, not yours)"
        return f"the process running your code exited with status {code}"

    def _ensure_running(self) -> None:
        if self.poisoned:
            raise WorkerFailed(f"not run: {self.poisoned}")
        if self.proc is None or self.proc.poll() is not None:
            if self.restarts >= self.limits.max_restarts:
                raise WorkerFailed(f"not run: the process running your code was restarted "
                                   f"{self.restarts} times already (crashes or time-outs)")
            self.restarts += 1
            report = self.start()
            if not report.ok:
                raise WorkerFailed(f"could not load the notebook again: {report.where()}")

    def _request(self, header: dict, payload: bytes, timeout: float, what: str):
        self._ensure_running()
        deadline = time.monotonic() + timeout
        try:
            wire.send(self._to, header, payload)
            return self._receive(deadline)
        except Timeout:
            self.kill()
            raise Timeout(f"did not finish within {timeout:.0f} s ({what})") from None
        except (BrokenPipeError, OSError) as exc:
            code = self.proc.poll()
            self.kill()
            raise WorkerFailed(self._describe_exit(code) if code is not None else str(exc)) from None
        except WorkerFailed:
            self.kill()
            raise

    def run_case(self, case: Case, timeout: float | None = None) -> dict:
        """Runs one case; returns its arrays or raises :class:`WorkerFailed` / ``CaseError``."""
        timeout = timeout or self.limits.case_timeout
        header, payload = self._request({"op": "case"}, pack([case]), timeout,
                                        "an infinite loop, or far too slow")
        if header.get("event") != "result":
            self._violation()
        if not header.get("ok"):
            raise CaseError(str(header.get("error", "unknown error"))[:2000])
        try:
            arrays = wire.unpack_arrays_safely(payload)
        except Exception as exc:  # noqa: BLE001 - anything unreadable is the student's loss
            raise CaseError(f"the results could not be read as numeric arrays ({exc})") from None
        # The probe's order (a unit's own outputs first, then gradients), which the payload's
        # sorted names lose: feedback lists values in it. Anything but a permutation is ignored.
        order = header.get("order")
        if (isinstance(order, list) and all(isinstance(k, str) for k in order)
                and len(order) == len(arrays) and set(order) == set(arrays)):
            arrays = {k: arrays[k] for k in order}
        return arrays

    def exec_cells(self, cells: list[tuple[int, str]], forget: list[str] = (),
                   timeout: float = 60.0) -> list[tuple[int, str]]:
        """Runs more code in the loaded namespace (the mutation audit's mutants).

        Args:
            cells: (cell index, source) pairs, run in order, each in its own ``try``.
            forget: names to delete from the namespace first.

        Returns:
            The (cell index, error) of cells that raised.
        """
        header, _ = self._request({"op": "exec", "cells": [list(c) for c in cells],
                                   "forget": list(forget)}, b"", timeout, "running cells")
        if header.get("event") != "executed":
            self._violation()
        return [(int(i), str(e)) for i, e in header.get("errors", [])]

    def _violation(self):
        self.kill()
        self.poisoned = ("the grader received a message it did not ask for: your code wrote to "
                         "the grader's channel, so no further case was run")
        raise ProtocolViolation(self.poisoned)

    def output(self) -> str:
        """What the worker printed (its beginning and end, within the output limit)."""
        return self.output_buffer.text()

    def kill(self):
        """Kills the worker and every process it left; waits until they are gone."""
        if self.proc is not None:
            self.peak_memory = max(self.peak_memory, self.sandbox.peak_memory())
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.leftovers = self.sandbox.kill_leftovers()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def _stop(self):
        """Ends the current worker (politely first) and closes its channels."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.peak_memory = max(self.peak_memory, self.sandbox.peak_memory())
            try:
                wire.send(self._to, {"op": "exit"})
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        try:
            self._to and self._to.close()
        except OSError:
            pass
        try:
            os.close(self._from_fd)
        except (OSError, TypeError):
            pass
        self._to, self._from_fd, self.proc = None, None, None

    def close(self):
        """Ends the worker and its processes, removes its files, frees the sandbox user."""
        self._stop()
        self.output_buffer.wait()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self.sandbox.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
