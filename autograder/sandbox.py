"""How the process that runs student code is confined, and refusing to grade with less.

Four modes, from the strongest:

``namespace`` (the grader runs as root and may create namespaces: Gradescope, CI, a server)
    The worker starts in fresh mount, PID, network, IPC and UTS namespaces
    (``unshare``), inside a filesystem view that holds only the system, the interpreter (and
    the shared libraries it loaded), the virtualenv and the public course library (see
    :mod:`autograder.sandbox_init`), as an unprivileged user of its own (a uid from
    ``AUTOGRADER_UID_BASE``, default 61000, reserved for one session with a lock file, so
    per-user limits and clean-up apply to that session only). No network interface is up; the
    solutions, specs, compiled plans and reference values are not in its filesystem; when the
    worker ends, the kernel ends every process it left (it is PID 1 of its namespace), and the
    grader also kills every process of its uid.
``userns`` (not root, but the kernel allows unprivileged user namespaces: most laptops)
    The same namespaces and filesystem view, entered through a user namespace of its own
    (``unshare --user --map-root-user``), with every capability dropped; what it lacks is a
    uid of its own: outside its namespaces it is the grader's user (per-user limits are shared
    with the grader; the grader's files are still out of its reach, since they are not in its
    view).
``user`` (root, but namespaces are not permitted, e.g. an unprivileged container)
    The worker runs as its own unprivileged uid (``setpriv``), with the same clean-up by uid,
    but can use the network and read whatever every user can read: the plans must then be
    kept unreadable (mode 700), which the Gradescope package does.
``process``
    A separate process with resource limits only; the results say so.

The bind mounts of the view are made by root inside the new mount namespace under new,
traversable parents, so it works wherever the course, its virtualenv and the interpreter live
(``/root/.pyenv``, a mode-700 home folder, a private folder under ``/tmp``), without changing
any permission on the host. ``user`` mode needs an interpreter every user can run.

Grading refuses weaker isolation than it was asked for (:meth:`Sandbox.require`, raising
:class:`SandboxError`): by default (``auto``) the namespace sandbox (``namespace`` as root,
``userns`` otherwise); ``--isolation=user`` or ``--isolation=process`` (or
``AUTOGRADER_SANDBOX``, a synonym) accepts less, and the strongest mode available is used all
the same. :meth:`Sandbox.detect` (the trusted paths: compiling plans from the solutions) takes
the strongest available without refusing. Every results file records the isolation in force
(:meth:`Sandbox.isolation`).

In every mode :mod:`autograder.runner` applies resource limits (address space, CPU time,
processes, file size, no core dumps), runs the worker in its own session and kills it when its
part is over, and the results name every protection that was not available.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("namespace", "userns", "user", "process")  # what Sandbox.detect(mode) can force
LEVELS = ("namespace", "user", "process")  # what --isolation / AUTOGRADER_SANDBOX accept
STRENGTH = {"namespace": 3, "userns": 3, "user": 2, "process": 1}
LEVEL_NAMES = {"namespace": "the namespace sandbox", "user": "an unprivileged user of its own",
               "process": "a separate process with resource limits"}
# What each protection means, by the short name the results files use.
PROTECTIONS = {
    "separate-process": "a separate process with resource limits (memory, CPU time, processes, "
                        "file size), bounded output and time-outs",
    "no-capabilities": "no root privilege and no capability",
    "own-uid": "an unprivileged uid of its own (not the grader's user)",
    "private-filesystem": "a filesystem view without the solutions, hidden-test specs, compiled "
                          "plans, caches and the rest of the host's files",
    "no-network": "no network",
    "own-pid-namespace": "a PID namespace of its own (it cannot see or signal the grader's "
                         "processes, and whatever it starts ends with it)",
}
MODE_PROTECTIONS = {
    "namespace": list(PROTECTIONS),
    "userns": ["separate-process", "no-capabilities", "private-filesystem", "no-network",
               "own-pid-namespace"],
    "user": ["separate-process", "no-capabilities", "own-uid"],
    "process": ["separate-process"],
}
HOME = "/home/student"
UNSHARE_FLAGS = ["--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
                 "--propagation", "private"]
USERNS_FLAGS = ["--user", "--map-root-user"]
INIT_SCRIPT = Path(__file__).with_name("sandbox_init.py")
PR_SET_PDEATHSIG = 1


class SandboxError(Exception):
    """The requested confinement is not available here."""


def _uid_range() -> range:
    base = int(os.environ.get("AUTOGRADER_UID_BASE", "61000"))
    return range(base, base + int(os.environ.get("AUTOGRADER_UID_COUNT", "256")))


def _lock_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"autograder-uids-{os.geteuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except (OSError, ValueError):
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def processes_of_uid(uid: int, include_zombies: bool = False) -> list[int]:
    """Live processes whose real uid is ``uid`` (zombies, which hold no resources, excluded)."""
    found = []
    for pid in _pids():
        st = _proc_status(pid)
        if not st or int(st.get("Uid", "-1 0").split()[0]) != uid:
            continue
        if not include_zombies and st.get("State", "").strip().startswith(("Z", "X")):
            continue
        found.append(pid)
    return found


def processes_with_token(token: str) -> list[int]:
    """Live processes of ours whose environment carries ``token`` (best effort, no root)."""
    needle = f"AUTOGRADER_SESSION={token}".encode()
    found = []
    for pid in _pids():
        if pid == os.getpid():
            continue
        try:
            if needle in Path(f"/proc/{pid}/environ").read_bytes():
                st = _proc_status(pid)
                if not st.get("State", "").strip().startswith(("Z", "X")):
                    found.append(pid)
        except OSError:
            continue
    return found


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident memory (``VmHWM``), 0 if unknown."""
    value = _proc_status(pid).get("VmHWM", "").split()
    return int(value[0]) * 1024 if value else 0


def _set_pdeathsig():
    """In a child before exec: die with SIGKILL when the parent (the grader) dies."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort
        pass


def _secret_paths() -> list[Path]:
    """What student code must never read: solutions, specs, plans, tests, history."""
    from autograder import paths

    root = paths.course_root()
    found = [root / "solutions", root / "autograder", root / "tests", root / ".git",
             root / "demo-results", paths.cache_dir(), Path(__file__).resolve().parent]
    from autograder.store import pinned_dir

    if pinned_dir() is not None:
        found.append(pinned_dir())
    return [p.resolve() for p in found]


def _within(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


@functools.lru_cache(maxsize=None)
def worker_library_dir() -> str:
    """Where the worker's interpreter (``python -I``) finds ``rnnlab``: it may differ from this
    process's, e.g. when the grader runs from an unpacked package with ``PYTHONPATH``."""
    code = ("import importlib.util as u, os; s = u.find_spec('rnnlab'); "
            "print(os.path.dirname(os.path.realpath(s.origin)) if s and s.origin else '')")
    try:
        out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                             timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        out = ""
    if out:
        return out
    import rnnlab

    return str(Path(rnnlab.__file__).resolve().parent)


def _loaded_library_dirs() -> set[str]:
    """Folders of the shared libraries this process has loaded (``/proc/self/maps``).

    The worker runs the same interpreter, which may find its own libraries through an absolute
    RUNPATH outside its prefix (``libpython`` of a relocated or copied pyenv build): without
    them in the view the loader would silently take the system's ``libpython`` instead.
    """
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split(None, 5)
                if len(parts) < 6 or not parts[5].startswith("/"):
                    continue
                path = parts[5].strip()
                if ".so" in os.path.basename(path) and os.path.isfile(path):
                    folder = os.path.dirname(path)
                    if not folder.startswith(("/proc/", "/dev/", "/sys/")):
                        found.add(folder)
    except OSError:
        pass
    return found


def public_view() -> tuple[list[str], list[list[str]], list[str]]:
    """(read-only bind mounts, symlinks, masked paths) of the sandbox's filesystem view."""
    from autograder import paths

    binds, symlinks = [], []
    for p in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(p):
            symlinks.append([p, os.readlink(p)])
        elif os.path.isdir(p):
            binds.append(p)
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parents[1]),
                  worker_library_dir()} | _loaded_library_dirs()
    datasets = paths.course_root() / "datasets"
    if datasets.is_dir():
        candidates.add(str(datasets))
    for var in ("TFDS_DATA_DIR", "RNNLAB_DATASETS_DIR"):
        if os.environ.get(var) and os.path.isdir(os.environ[var]):
            candidates.add(os.environ[var])
    for c in candidates:
        for p in {c, os.path.realpath(c)}:
            if os.path.isdir(p) and p not in binds:
                binds.append(p)
    resolved = {p: Path(os.path.realpath(p)) for p in binds}
    # Keep the outermost paths (a bind inside another one is already visible).
    binds = sorted(p for p in binds
                   if not any(q != p and _within(Path(p), Path(q)) for q in binds))
    masks = sorted({str(s) for s in _secret_paths()
                    if s.exists() and any(_within(s, resolved[b]) or _within(s, Path(b))
                                          for b in binds)})
    return binds, symlinks, masks


def _world_readable(path: Path) -> bool:
    """Whether every user could read ``path`` (every parent traversable, itself readable)."""
    path = path.resolve()
    try:
        for parent in reversed(path.parents):
            if not os.stat(parent).st_mode & stat.S_IXOTH:
                return False
        return bool(os.stat(path).st_mode & stat.S_IROTH)
    except OSError:
        return False


@dataclass
class Launch:
    """How to start one worker: its command line, environment and where its notebook is."""

    cmd: list[str]
    env: dict
    cwd: str
    notebook: str  # the path the worker opens


@dataclass
class Sandbox:
    """Confinement of the worker process beyond resource limits.

    Attributes:
        mode: ``namespace``, ``userns``, ``user`` or ``process`` (see the module docstring).
        notes: protections that were not available here, in plain words (they go into every
            results file).
        uid: the unprivileged uid of this session (``namespace`` and ``user`` modes), set by
            :meth:`acquire`.
        required: the weakest isolation the caller accepted (:meth:`require`), or None.
        reasons: why stronger modes were not used.
    """

    mode: str = "process"
    notes: list[str] = field(default_factory=list)
    uid: int | None = None
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    _lock: object = None
    required: str | None = None
    reasons: list[str] = field(default_factory=list)

    # -- choosing a mode ----------------------------------------------------------------------

    @classmethod
    def detect(cls, mode: str | None = None) -> "Sandbox":
        """The strongest confinement available (or ``mode``, from ``AUTOGRADER_SANDBOX``).

        Never refuses: for code the grader trusts (compiling plans from the solutions). Student
        code goes through :meth:`require`.
        """
        source = "mode" if mode else "AUTOGRADER_SANDBOX"
        wanted = mode or os.environ.get("AUTOGRADER_SANDBOX") or "auto"
        if wanted not in MODES + ("auto",):
            raise SandboxError(f"{source}={wanted!r}: expected one of auto, {', '.join(MODES)}")
        chosen, reasons = _available_mode(wanted)
        return cls(mode=chosen, notes=_notes(chosen, reasons), reasons=list(reasons))

    @classmethod
    def require(cls, isolation: str | None = None) -> "Sandbox":
        """The strongest confinement available, provided it is at least ``isolation``.

        Args:
            isolation: ``auto`` (default: the namespace sandbox, as root or through user
                namespaces), ``namespace``, ``user`` or ``process`` (the weakest accepted);
                None reads ``AUTOGRADER_SANDBOX``.

        Raises:
            SandboxError: the value is unknown, or this machine cannot give student code that
                much isolation; the message says which protections are missing, why, and how
                to accept less.
        """
        source = "--isolation"
        if isolation is None:
            isolation, source = os.environ.get("AUTOGRADER_SANDBOX") or "auto", "AUTOGRADER_SANDBOX"
        if isolation not in LEVELS + ("auto",):
            raise SandboxError(f"{source}={isolation!r} is not an isolation level: expected one of "
                               f"auto, {', '.join(LEVELS)}")
        required = "namespace" if isolation == "auto" else isolation
        mode, reasons = _available_mode("auto")
        if STRENGTH[mode] < STRENGTH[required]:
            raise SandboxError(_refusal(required, isolation == "auto", mode, reasons))
        return cls(mode=mode, notes=_notes(mode, reasons), required=required,
                   reasons=list(reasons))

    def isolation(self) -> dict:
        """What the results files record: the mode, its protections and the missing ones."""
        have = _protections(self.mode)
        return {"mode": self.mode, "required": self.required, "protections": have,
                "missing": [p for p in PROTECTIONS if p not in have],
                "reasons": list(self.reasons)}

    # -- the session's uid ----------------------------------------------------------------------

    def acquire(self) -> None:
        """Reserves an unused uid for this session (``namespace`` and ``user`` modes only)."""
        if self.mode in ("process", "userns") or self.uid is not None:
            return
        self.uid, self._lock = _reserve_uid()
        self.kill_leftovers()  # a previous holder that died may have left processes

    def release(self) -> None:
        if self._lock is not None:
            self.kill_leftovers()
            self._lock.close()
            self._lock, self.uid = None, None

    # -- starting a worker ----------------------------------------------------------------------

    def launch(self, argv: list[str], workdir: Path, notebook: Path, env: dict,
               limits_tmpfs: int = 256 << 20) -> Launch:
        """The command that starts ``argv`` (the worker) confined, with ``notebook`` for it."""
        env = dict(env, AUTOGRADER_SESSION=self.token)
        if self.mode in ("namespace", "userns"):
            binds, symlinks, masks = public_view()
            env.update(HOME=HOME, MPLCONFIGDIR=f"{HOME}/.matplotlib", TMPDIR="/tmp")
            root = workdir / "root"
            root.mkdir(exist_ok=True)
            userns = self.mode == "userns"
            uid = 0 if userns else self.uid  # userns: the namespace's root, with no capability
            config = {"root": str(root), "uid": uid, "gid": uid, "userns": userns,
                      "binds": binds, "symlinks": symlinks, "masks": masks, "home": HOME,
                      "files": {str(notebook): notebook.name}, "tmpfs_bytes": limits_tmpfs,
                      "argv": argv, "env": env}
            cmd = ["unshare", *(USERNS_FLAGS if userns else []), *UNSHARE_FLAGS, "--",
                   sys.executable, "-I", "-S", str(INIT_SCRIPT), json.dumps(config)]
            return Launch(cmd, {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(workdir),
                          f"{HOME}/{notebook.name}")
        home = workdir / "home"
        home.mkdir(exist_ok=True)
        env.update(HOME=str(home), MPLCONFIGDIR=str(home / ".matplotlib"))
        if self.mode == "user":
            for p in (workdir, home, notebook):
                os.chown(p, self.uid, self.uid)
            cmd = [shutil.which("setpriv") or "setpriv", f"--reuid={self.uid}",
                   f"--regid={self.uid}", "--clear-groups", "--no-new-privs",
                   "--inh-caps=-all", "--", *argv]
            return Launch(cmd, env, str(home), str(notebook))
        return Launch(argv, env, str(home), str(notebook))

    def preexec(self) -> None:
        """Runs in the child before exec (after the resource limits are set)."""
        _set_pdeathsig()

    # -- ending it --------------------------------------------------------------------------------

    def survivors(self) -> list[int]:
        """Processes of this session still alive."""
        if self.uid is not None:
            return processes_of_uid(self.uid)
        return processes_with_token(self.token)

    def kill_leftovers(self, timeout: float = 60.0) -> list[int]:
        """Ends every process the student's code may have left; returns any that would not die.

        Waits until they are gone (hundreds of forked TensorFlow processes take a few seconds
        to be torn down on a busy machine).
        """
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            alive = self.survivors()
            if not alive:
                return []
            for pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if time.monotonic() > deadline:
                return self.survivors()
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def peak_memory(self) -> int:
        """The largest peak resident memory among this session's live processes, in bytes."""
        return max([peak_rss_bytes(p) for p in self.survivors()] + [0])


# ---------------------------------------------------------------------------------------------


def _reserve_uid():
    taken = set()
    try:
        taken = {p.pw_uid for p in pwd.getpwall()}
    except Exception:  # noqa: BLE001
        pass
    folder = _lock_dir()
    for uid in _uid_range():
        if uid in taken:
            continue
        handle = open(folder / f"{uid}.lock", "w")  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return uid, handle
    raise SandboxError(f"every sandbox uid in {_uid_range()} is in use")


PROBE = r"""
import os, sys, json, struct, zipfile, ctypes, numpy, rnnlab.cases, rnnlab.wire
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
caps = int(status["CapEff"].strip(), 16)
if caps:
    sys.exit(f"student code would keep capabilities ({caps:#x})")
if sys.argv[1] == "uid" and os.getuid() == 0:
    sys.exit("student code would run as root")
seen = []
for p in json.loads(sys.argv[2]):
    try:
        if (os.listdir(p) if os.path.isdir(p) else open(p, "rb").read(1)):
            seen.append(p)
    except OSError:
        pass
if seen:
    sys.exit("hidden material is readable inside the sandbox: " + ", ".join(seen))
sys.stdout.write("ok")
"""


def _run_probe(sandbox: Sandbox, timeout: float = 60.0) -> str:
    """Starts a tiny confined Python that imports ``rnnlab``; returns "" or what went wrong.

    It also checks what the mode promises: no capability, not root (a uid of its own), and
    (namespace modes) none of the hidden material readable.
    """
    # Modules the worker needs from the standard library (most are not frozen into the
    # interpreter, so they prove its library is readable), numpy and the course library.
    secrets = ([str(p) for p in _secret_paths() if p.exists()]
               if sandbox.mode in ("namespace", "userns") else [])
    args = ["uid" if sandbox.mode in ("namespace", "user") else "-", json.dumps(secrets)]
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755 if sandbox.mode == "user" else 0o700)
        nb = workdir / "probe.txt"
        nb.write_text("")
        try:
            sandbox.acquire()
            launch = sandbox.launch([sys.executable, "-I", "-c", PROBE, *args], workdir, nb,
                                    {"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
            proc = subprocess.run(launch.cmd, env=launch.env, cwd=launch.cwd,
                                  capture_output=True, timeout=timeout,
                                  start_new_session=True)
        except (OSError, subprocess.TimeoutExpired, SandboxError) as exc:
            return str(exc)
        finally:
            sandbox.release()
        if proc.returncode != 0 or proc.stdout != b"ok":
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            return (err[-1] if err else f"exit status {proc.returncode}")[:500]
    return ""


@functools.lru_cache(maxsize=None)
def _available_mode(wanted: str) -> tuple[str, tuple[str, ...]]:
    """(mode, reasons stronger modes were not used); checked once per process."""
    reasons = []
    root = os.geteuid() == 0
    if wanted == "process":
        return "process", ("process mode was asked for",)
    if not root and wanted in ("namespace", "user"):
        raise SandboxError(f"the {wanted!r} sandbox needs the grader to run as root")
    if wanted == "userns" or (wanted == "auto" and not root):
        if not shutil.which("unshare"):
            problem = "the unshare command (util-linux) is missing"
        else:
            problem = _run_probe(Sandbox(mode="userns"))
        if not problem:
            return "userns", ()
        if wanted == "userns":
            raise SandboxError(f"the user-namespace sandbox does not work here: {problem}")
        return "process", ("the grader does not run as root, and unprivileged user namespaces "
                           f"are not available ({problem})",)
    if wanted in ("auto", "namespace"):
        if not shutil.which("unshare"):
            problem = "the unshare command (util-linux) is missing"
        else:
            problem = _run_probe(Sandbox(mode="namespace"))
        if not problem:
            return "namespace", ()
        if wanted == "namespace":
            raise SandboxError(f"the namespace sandbox does not work here: {problem}")
        reasons.append(f"namespaces are not available ({problem})")
    if not shutil.which("setpriv"):
        problem = "the setpriv command (util-linux) is missing"
    else:
        problem = _run_probe(Sandbox(mode="user"))
    if not problem:
        return "user", tuple(reasons)
    if wanted == "user":
        raise SandboxError(f"the unprivileged-user sandbox does not work here: {problem}")
    reasons.append(f"an unprivileged user cannot run this Python ({problem})")
    return "process", tuple(reasons)


def _protections(mode: str) -> list[str]:
    have = list(MODE_PROTECTIONS[mode])
    if mode == "process" and os.geteuid() != 0:
        have.append("no-capabilities")  # the grader's own user, who is not root
    return [p for p in PROTECTIONS if p in have]


def _missing_text(mode: str) -> str:
    have = _protections(mode)
    return "; ".join(PROTECTIONS[p] for p in PROTECTIONS if p not in have)


def _fix_hint() -> str:
    if os.geteuid() == 0:
        return ("install util-linux (unshare, setpriv), or let this container create namespaces, "
                "e.g. docker run --cap-add SYS_ADMIN --security-opt seccomp=unconfined")
    return ("run the grader as root, or allow unprivileged user namespaces: sysctl "
            "kernel.unprivileged_userns_clone=1 (Debian), "
            "kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04), "
            "user.max_user_namespaces > 0")


def _refusal(required: str, default: bool, mode: str, reasons) -> str:
    why = "; ".join(reasons) or "no stronger sandbox works here"
    asked = (f"{LEVEL_NAMES[required]} is required by default" if default
             else f"--isolation={required} ({LEVEL_NAMES[required]}) was asked for")
    weaker = "process" if mode == "process" else "user"
    return (f"refusing to run student code with less isolation than asked: {asked}, but the "
            f"strongest available here is {mode!r}, which lacks: {_missing_text(mode)}. Why: "
            f"{why}. Fix that ({_fix_hint()}), or accept the weaker isolation explicitly with "
            f"--isolation={weaker} (or AUTOGRADER_SANDBOX={weaker}); the results then record it")


def _notes(mode: str, reasons: tuple[str, ...]) -> list[str]:
    why = "; ".join(reasons)
    if mode == "namespace":
        return []
    if mode == "userns":
        return ["student code ran in namespaces of its own (no network, a filesystem view "
                "without the solutions, plans or caches, no capability), but as the grader's "
                "own user outside them: without root there is no uid of its own to give it"]
    if mode == "user":
        notes = [f"student code ran as an unprivileged user but with network access and read "
                 f"access to every world-readable file" + (f" ({why})" if why else "")]
        exposed = [str(p) for p in _secret_paths() if p.exists() and _world_readable(p)]
        if exposed:
            notes.append("WARNING: readable by every user, so by student code: "
                         + ", ".join(exposed))
        return notes
    who = " (as root, with every privilege)" if os.geteuid() == 0 else ""
    return [f"student code ran as the grader's own user, with network access and the "
            f"grader's file access{who}; it was confined to a separate process with resource "
            f"limits, and background processes it started were ended on a best-effort basis "
            f"({why}; run the grader as root, or where user namespaces are allowed, for "
            f"network, filesystem and process isolation)"]
