"""Length-prefixed messages between the autograder and the process running student code.

A message is a JSON header and an optional binary payload (``.npz`` bytes of numeric arrays,
read with ``allow_pickle=False``): nothing that crosses the boundary is ever unpickled. The
grader reads payloads with :func:`unpack_arrays_safely`, which bounds sizes before allocating,
since the other side may be hostile.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile

import numpy as np

_LEN = struct.Struct(">Q")
MAX_HEADER = 1 << 20
MAX_PAYLOAD = 256 << 20
MAX_ARRAYS = 1000


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


def unpack_arrays_safely(data: bytes) -> dict[str, np.ndarray]:
    """Reads ``.npz`` bytes of numeric arrays from an untrusted sender.

    Only uncompressed members, at most :data:`MAX_ARRAYS` of them, each holding a numeric
    (bool, int, float) array whose declared size fits in the member: nothing is decompressed
    or allocated beyond the payload's own size, and nothing is unpickled.

    Raises:
        ValueError: the payload is not such an archive.
    """
    arrays = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = zf.infolist()
        if len(members) > MAX_ARRAYS:
            raise ValueError(f"{len(members)} arrays (at most {MAX_ARRAYS})")
        for info in members:
            if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
                raise ValueError(f"{info.filename}: compressed members are not accepted")
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename}: not an .npy member")
            with zf.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                if dtype.kind not in "biuf" or dtype.hasobject:
                    raise ValueError(f"{info.filename}: dtype {dtype} is not numeric")
                count = int(np.prod(shape, dtype=np.int64)) if shape else 1
                if count < 0 or count * dtype.itemsize > info.file_size:
                    raise ValueError(f"{info.filename}: declares more data than it holds")
                body = f.read(count * dtype.itemsize)
                if len(body) != count * dtype.itemsize:
                    raise ValueError(f"{info.filename}: truncated")
                array = np.frombuffer(body, dtype=dtype).reshape(shape, order="F" if fortran else "C")
                arrays[info.filename[:-4]] = np.array(array)
    return arrays
