"""The sandbox on its own, with small confined Python processes (no TensorFlow): what student
code can see, reach and leave behind; and how payloads from it are read."""

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import paths
from autograder.sandbox import Sandbox, processes_of_uid, public_view
from rnnlab import wire
from rnnlab.cases import pack_arrays

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="the namespace sandbox needs root")

PROBE = r"""
import json, os, socket, sys
secrets = json.loads(sys.argv[1])
report = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "pid": os.getpid(),
          "readable": [], "root": sorted(os.listdir("/"))}
for p in secrets:
    try:
        os.listdir(p) if os.path.isdir(p) else open(p, "rb").read(1)
        report["readable"].append(p)
    except OSError:
        pass
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    report["network"] = "connected"
except OSError as exc:
    report["network"] = type(exc).__name__
for path in ("/etc/hostname_x", "/usr/evil"):
    try:
        open(path, "w").write("x")
        report.setdefault("wrote", []).append(path)
    except OSError:
        pass
report["home"] = os.getcwd()
import rnnlab
report["rnnlab"] = True
try:
    import autograder
    report["autograder"] = True
except ImportError:
    report["autograder"] = False
print(json.dumps(report))
"""


def _secrets():
    root = paths.course_root()
    return [str(paths.solution_notebook("rnn")), str(root / "autograder" / "specs"),
            str(paths.cache_dir()), str(root / ".git"), str(root / "solutions"),
            str(root / "tests"), "/work/devtools", "/root/.bash_history", "/etc/shadow"]


def _run_confined(sandbox, code, *args, tmp_path, timeout=120):
    sandbox.acquire()
    nb = tmp_path / "submission.ipynb"
    nb.write_text("{}")
    launch = sandbox.launch([sys.executable, "-I", "-c", code, *args], tmp_path, nb,
                            {"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    return subprocess.run(launch.cmd, env=launch.env, cwd=launch.cwd, capture_output=True,
                          text=True, timeout=timeout, start_new_session=True)


@needs_root
def test_root_gets_the_namespace_sandbox_with_no_missing_protection():
    sandbox = Sandbox.detect()
    assert sandbox.mode == "namespace"
    assert sandbox.notes == []


@needs_root
def test_student_code_runs_unprivileged_offline_and_cannot_read_hidden_material(tmp_path):
    sandbox = Sandbox.detect()
    try:
        proc = _run_confined(sandbox, PROBE, json.dumps(_secrets()), tmp_path=tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        report = json.loads(proc.stdout)
        assert report["uid"] == sandbox.uid != 0 and report["gid"] != 0 and report["groups"] == []
        assert report["pid"] <= 3  # its own PID namespace (PID 1 is the sandbox's init)
        assert report["readable"] == []
        assert report["network"] != "connected"
        assert "wrote" not in report
        assert report["rnnlab"] and not report["autograder"]
        assert report["home"] == "/home/student"
        assert "root" in report["root"]  # a traversable stand-in, not the host's /root
    finally:
        sandbox.release()


@needs_root
def test_a_detached_daemon_does_not_survive(tmp_path):
    daemon = ("import os, time\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    if os.fork() == 0:\n"
              "        os.execv('/bin/sleep', ['sleep', '4242'])\n"
              "    os._exit(0)\n"
              "time.sleep(0.5)\n")
    sandbox = Sandbox.detect()
    try:
        proc = _run_confined(sandbox, daemon, tmp_path=tmp_path)
        assert proc.returncode == 0, proc.stderr
        time.sleep(0.2)
        # the worker (PID 1 of its namespace) is gone, so the kernel ended the daemon ...
        deadline = time.monotonic() + 10
        while processes_of_uid(sandbox.uid) and time.monotonic() < deadline:
            time.sleep(0.1)
        # ... and the grader's own sweep by uid finds nothing either
        assert sandbox.kill_leftovers() == []
        assert processes_of_uid(sandbox.uid) == []
    finally:
        sandbox.release()


@needs_root
def test_every_session_gets_its_own_uid():
    a, b = Sandbox.detect(), Sandbox.detect()
    a.acquire(), b.acquire()
    try:
        assert a.uid != b.uid and a.uid is not None
    finally:
        a.release(), b.release()
    assert a.uid is None


def test_without_root_protections_the_notes_say_what_is_missing():
    sandbox = Sandbox.detect("process")
    assert sandbox.mode == "process"
    text = " ".join(sandbox.notes)
    assert "network access" in text and "grader's own user" in text


def test_the_filesystem_view_holds_no_hidden_material():
    binds, _, masks = public_view()
    root = paths.course_root().resolve()
    for hidden in (root / "solutions", root / "autograder", paths.cache_dir(), root / ".git",
                   root / "tests"):
        for b in binds:
            b = Path(b)
            assert not (hidden == b or b in hidden.parents) or str(hidden) in masks, (hidden, b)


# ---------------------------------------------------------------------------------------------
# Payloads from the worker are read as untrusted data.


def _zip(members: dict, compress=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
    return buffer.getvalue()


def test_payloads_round_trip():
    arrays = {"h": np.arange(6.0).reshape(2, 3), "ids": np.array([1, 2], np.int32),
              "ok": np.array(True)}
    got = wire.unpack_arrays_safely(pack_arrays(arrays))
    assert set(got) == set(arrays)
    for k in arrays:
        assert got[k].dtype == arrays[k].dtype and np.array_equal(got[k], arrays[k])


@pytest.mark.parametrize("payload,message", [
    (_zip({"a.npy": _npy(np.zeros(3))}, zipfile.ZIP_DEFLATED), "compressed"),
    (_zip({"a.npy": _npy(np.array([{"x": 1}], dtype=object))}), "not numeric"),
    (_zip({"a.txt": b"hello"}), "not an .npy"),
    (_zip({f"{i}.npy": _npy(np.zeros(1)) for i in range(wire.MAX_ARRAYS + 1)}), "arrays"),
])
def test_hostile_payloads_are_refused(payload, message):
    with pytest.raises(ValueError, match=message):
        wire.unpack_arrays_safely(payload)


def test_a_payload_claiming_a_huge_array_allocates_nothing():
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**6, 10**6)})
    payload = _zip({"a.npy": header.getvalue() + b"\0" * 64})
    with pytest.raises(ValueError, match="declares more data"):
        wire.unpack_arrays_safely(payload)


# ---------------------------------------------------------------------------------------------
# Limits and modes, end to end through the worker (tiny notebooks: no TensorFlow is imported).


def _notebook(tmp_path, source: str) -> Path:
    nb = {"nbformat": 4, "nbformat_minor": 4, "metadata": {"rnnlab": {"assignment": "rnn"}},
          "cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                     "execution_count": None}]}
    path = tmp_path / "rnn.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _load(tmp_path, source, **limits):
    from autograder.runner import Limits, WorkerSession

    with WorkerSession(_notebook(tmp_path, source), Limits(load_timeout=60, **limits)) as s:
        report = s.start()
        return report, s.output()


def test_cpu_time_is_limited(tmp_path):
    report, _ = _load(tmp_path, "while True:\n    pass\n", cpu_seconds=2)
    assert not report.ok and "SIGXCPU" in report.error


def test_memory_is_limited(tmp_path):
    code = ("import os\ntry:\n    block = bytearray(3 << 30)\nexcept MemoryError:\n"
            "    os._exit(42)\nos._exit(1)\n")
    report, _ = _load(tmp_path, code, memory_bytes=1 << 30)
    assert "exited with status 42" in report.error


def test_file_size_is_limited(tmp_path):
    code = ("import os\ntry:\n    open('big.bin', 'wb').write(b'0' * (4 << 20))\n"
            "except OSError:\n    os._exit(43)\nos._exit(1)\n")
    report, _ = _load(tmp_path, code, file_bytes=1 << 20)
    assert "exited with status 43" in report.error


@needs_root
def test_processes_are_limited(tmp_path):
    code = ("import os, time\nn = 0\ntry:\n    while n < 1000:\n        if os.fork() == 0:\n"
            "            time.sleep(600)\n        n += 1\nexcept OSError:\n    os._exit(min(n, 200))\n")
    report, _ = _load(tmp_path, code, processes=16)
    status = int(report.error.split("status ")[1].split()[0])
    assert 0 < status < 16


def test_output_is_truncated_to_its_start_and_end(tmp_path):
    code = ("import sys, os\nprint('FIRST')\nfor i in range(20000):\n    print('x' * 100)\n"
            "print('LAST', flush=True)\nos._exit(5)\n")
    report, output = _load(tmp_path, code, output_bytes=4096)
    assert "exited with status 5" in report.error
    assert output.startswith("FIRST") and "LAST" in output and len(output) < 6000
    assert "bytes of output left out" in output


def test_laptop_mode_grades_and_says_which_protections_were_missing(tmp_path):
    from autograder.api import grade_notebook

    result = grade_notebook(_notebook(tmp_path, "import os\nos._exit(3)\n"), "rnn",
                            sandbox=Sandbox.detect("process"), hints=False)
    assert result.score == 0
    assert "exited with status 3" in result.output
    assert "Note: student code ran as the grader's own user, with network access" in result.output


# ---------------------------------------------------------------------------------------------
# Isolation policy: grading refuses weaker isolation than asked, and the results record it.


def test_the_isolation_level_must_be_known(monkeypatch):
    from autograder.sandbox import SandboxError

    with pytest.raises(SandboxError, match=r"--isolation='strong' is not an isolation level: "
                                           r"expected one of auto, namespace, user, process"):
        Sandbox.require("strong")
    monkeypatch.setenv("AUTOGRADER_SANDBOX", "bogus")
    with pytest.raises(SandboxError, match=r"AUTOGRADER_SANDBOX='bogus' is not an isolation"):
        Sandbox.require()


@needs_root
def test_root_requires_and_records_the_namespace_sandbox():
    sandbox = Sandbox.require()
    iso = sandbox.isolation()
    assert iso == {"mode": "namespace", "required": "namespace",
                   "protections": ["separate-process", "no-capabilities", "own-uid",
                                   "private-filesystem", "no-network", "own-pid-namespace"],
                   "missing": [], "reasons": []}
    # accepting less still gives the strongest available
    assert Sandbox.require("process").mode == "namespace"


@needs_root
def test_the_namespace_sandbox_does_not_depend_on_the_graders_umask():
    """A cause of "namespaces are not available (exit status 122)": the parents of the bind
    mounts were made with the grader's umask (077: mode 700), so the sandbox user could not
    reach the interpreter."""
    from autograder.sandbox import _run_probe

    old = os.umask(0o077)
    try:
        assert _run_probe(Sandbox(mode="namespace")) == ""
    finally:
        os.umask(old)


@needs_root
def test_the_user_namespace_sandbox_hides_the_same_material(tmp_path):
    """The non-root sandbox (user namespaces), forced here as root: no capability, the same
    view (no hidden material, read-only system), no network, its own PID namespace."""
    sandbox = Sandbox.detect("userns")
    assert sandbox.mode == "userns" and "no uid of its own" in sandbox.notes[0]
    code = PROBE + ("\nst = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
                    "print(json.dumps({'caps': st['CapEff'].strip(),\n"
                    "                  'bnd': st['CapBnd'].strip()}))\n")
    # Forced as root, its uid 0 is the host's root (without a capability), which owns
    # /etc/shadow; without root (the real case, tested in test_isolation_private_course.py) it
    # is the grader's user. Everything else hidden must be out of reach either way.
    secrets = [p for p in _secrets() if p != "/etc/shadow"]
    proc = _run_confined(sandbox, code, json.dumps(secrets), tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report, caps = (json.loads(line) for line in proc.stdout.splitlines()[-2:])
    assert int(caps["caps"], 16) == 0 and int(caps["bnd"], 16) == 0
    assert report["readable"] == [] and report["network"] != "connected"
    assert "wrote" not in report and report["pid"] <= 3
    assert report["rnnlab"] and not report["autograder"]
    iso = sandbox.isolation()
    assert iso["missing"] == ["own-uid"] and "private-filesystem" in iso["protections"]


def _cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def _no_sandbox_env(**extra):
    """No unshare or setpriv on PATH: neither namespace sandbox can be had."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    env.update(PATH="/nonexistent", TF_CPP_MIN_LOG_LEVEL="2", **extra)
    return env


def test_grading_stops_rather_than_run_student_code_with_less_isolation(tmp_path):
    nb = _notebook(tmp_path, "import os\nos._exit(3)\n")
    out = tmp_path / "results.json"
    proc = _cli("grade", str(nb), "--json", str(out), env=_no_sandbox_env())
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert f"cannot grade {nb}: refusing to run student code with less isolation" in err
    assert "the namespace sandbox is required by default" in err
    assert "strongest available here is 'process'" in err
    assert "a filesystem view without the solutions" in err and "no network" in err
    assert "unshare command (util-linux) is missing" in err
    assert "--isolation=process" in err
    assert not out.exists()
    # a folder: refused once, before anything is graded
    folder = tmp_path / "subs"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "rnn.ipynb").write_bytes(nb.read_bytes())
    proc = _cli("grade", str(folder), "--out-dir", str(tmp_path / "out"), env=_no_sandbox_env())
    assert proc.returncode == 2 and "refusing to run student code" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()
    # asking for a user of its own is refused as well
    proc = _cli("grade", str(nb), "--isolation", "user", env=_no_sandbox_env())
    assert proc.returncode == 2
    assert "--isolation=user (an unprivileged user of its own) was asked for" in proc.stderr


@pytest.mark.parametrize("how", ["flag", "env"])
def test_weaker_isolation_accepted_explicitly_is_recorded(tmp_path, how):
    nb = _notebook(tmp_path, "import os\nos._exit(3)\n")
    out = tmp_path / "results.json"
    if how == "flag":
        proc = _cli("grade", str(nb), "--json", str(out), "--isolation=process",
                    env=_no_sandbox_env())
    else:
        proc = _cli("grade", str(nb), "--json", str(out),
                    env=_no_sandbox_env(AUTOGRADER_SANDBOX="process"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    assert set(data) >= {"score", "execution_time", "output", "tests", "isolation"}
    assert data["score"] == 0 and "exited with status 3" in data["output"]
    iso = data["isolation"]
    assert iso["mode"] == "process" and iso["required"] == "process"
    assert {"private-filesystem", "no-network", "own-uid"} <= set(iso["missing"])
    assert iso["protections"][0] == "separate-process"
    assert any("unshare" in r for r in iso["reasons"])
    assert "Note: student code ran as the grader's own user" in data["output"]


def test_the_gradebook_records_the_isolation(tmp_path):
    nb = _notebook(tmp_path, "import os\nos._exit(3)\n")
    folder = tmp_path / "subs"
    for student in ("alice", "bob"):
        (folder / student).mkdir(parents=True)
        (folder / student / "rnn.ipynb").write_bytes(nb.read_bytes())
    out = tmp_path / "out"
    proc = _cli("grade", str(folder), "--out-dir", str(out), "--jobs", "2", "--isolation",
                "process", "--load-timeout", "60", env=_no_sandbox_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import csv

    with open(out / "gradebook.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["isolation"] for r in rows] == ["process", "process"]
    assert all("private-filesystem" in r["isolation_missing"].split() for r in rows)
