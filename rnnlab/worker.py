"""The process that runs student code for the autograder.

It lives in the public package on purpose: it is what runs with the student's privileges, and
it holds no secret. The grading process sends it a notebook to load and then cases (inputs
only); it answers with numeric arrays. It never sees expected values.

Operations (one JSON header each, see :mod:`rnnlab.wire`):

- ``load``: read the notebook at ``path`` and run its definition cells (``cell`` events, then
  ``loaded`` with the errors of cells that raised);
- ``case``: run the packed case of the payload (``result`` with arrays, or an error);
- ``exec``: delete the names in ``forget``, then run ``cells`` ([index, source] pairs) in the
  namespace, each in its own ``try`` (``executed`` with their errors); the mutation audit
  uses it to swap one solution cell for a mutant without reloading;
- ``exit``.

Usage (by the autograder only): ``python -I -m rnnlab.worker IN_FD OUT_FD``.
"""

from __future__ import annotations

import linecache
import os
import sys


def main(argv: list[str]) -> int:
    in_fd, out_fd = int(argv[0]), int(argv[1])
    for fd in (in_fd, out_fd):  # not inherited by processes the student's code starts
        os.set_inheritable(fd, False)
    commands = os.fdopen(in_fd, "rb", buffering=0)
    replies = os.fdopen(out_fd, "wb", buffering=0)

    # Imported after the fds are taken, so a failing import is still reported on the channel.
    from rnnlab import wire
    from rnnlab.cases import pack_arrays, unpack
    from rnnlab.config import apply_numeric_switches
    from rnnlab.notebook import format_exception, read_notebook, run_definitions

    if os.environ.get("RNNLAB_EAGER"):  # threads and oneDNN: TensorFlow reads their variables
        try:
            apply_numeric_switches()  # before the notebook's code touches TensorFlow
        except Exception:  # noqa: BLE001 - loading the notebook reports a broken TensorFlow
            pass
    namespace: dict = {}
    execs = 0
    while True:
        try:
            header, payload = wire.receive(commands.read)
        except wire.WireError:
            return 0
        op = header.get("op")
        if op == "exit":
            return 0
        if op == "load":
            try:
                nb = read_notebook(header["path"])
                run = run_definitions(
                    nb, on_cell=lambda i: wire.send(replies, {"event": "cell", "index": i})
                )
            except Exception as exc:  # noqa: BLE001
                wire.send(replies, {"event": "loaded", "ok": False, "error": format_exception(exc)})
                continue
            namespace = run.namespace
            wire.send(replies, {"event": "loaded", "ok": True,
                                "errors": [[e.index, e.error] for e in run.errors]})
        elif op == "exec":
            for name in header.get("forget", []):
                namespace.pop(name, None)
            errors = []
            for index, source in header.get("cells", []):
                # A file name of its own, registered like run_definitions does, so that
                # AutoGraph (which reads the source back) converts this code, not the old one.
                execs += 1
                filename = f"<cell {int(index)}, exec {execs}>"
                linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
                try:
                    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:  # noqa: BLE001 - as run_definitions does
                    errors.append([int(index), format_exception(exc)])
            wire.send(replies, {"event": "executed", "errors": errors})
        elif op == "case":
            from rnnlab.probes import run_case

            try:
                (case,), _ = unpack(payload)
                result = run_case(namespace, case)
                data = pack_arrays(result)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - report anything, SystemExit included
                wire.send(replies, {"event": "result", "ok": False, "error": format_exception(exc)})
                continue
            wire.send(replies, {"event": "result", "ok": True, "order": list(result)}, data)
        else:
            wire.send(replies, {"event": "error", "error": f"unknown op {op!r}"})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
