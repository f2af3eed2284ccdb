"""Length-prefixed messages between the autograder and the process running student code.

A message is a JSON header and an optional binary payload (``.npz`` bytes of numeric arrays,
read with ``allow_pickle=False``): nothing that crosses the boundary is ever unpickled.
"""

from __future__ import annotations

import json
import struct

_LEN = struct.Struct(">Q")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 1 << 30


class WireError(Exception):
    """The other side closed the channel or sent something that is not a message."""


def send(stream, header: dict, payload: bytes = b"") -> None:
    data = json.dumps(header).encode()
    stream.write(_LEN.pack(len(data)) + data + _LEN.pack(len(payload)) + payload)
    stream.flush()


def _read_exact(read, n: int) -> bytes:
    chunks, remaining = [], n
    while remaining:
        chunk = read(remaining)
        if not chunk:
            raise WireError("channel closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(read) -> tuple[dict, bytes]:
    """Reads one message with ``read(n) -> bytes`` (a file's read or a timed reader)."""
    (n,) = _LEN.unpack(_read_exact(read, _LEN.size))
    if n > MAX_HEADER:
        raise WireError(f"header of {n} bytes is too large")
    try:
        header = json.loads(_read_exact(read, n))
    except ValueError:
        raise WireError("header is not JSON") from None
    if not isinstance(header, dict):
        raise WireError("header is not a JSON object")
    (m,) = _LEN.unpack(_read_exact(read, _LEN.size))
    if m > MAX_PAYLOAD:
        raise WireError(f"payload of {m} bytes is too large")
    return header, _read_exact(read, m)
