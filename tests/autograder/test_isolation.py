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
