"""Test cases: what to run a student's function or layer on, as plain data.

A :class:`Case` names a *probe* (a registered way of exercising student code, see
:mod:`rnnlab.probes`), the input arrays and JSON parameters. Cases travel as data: the
autograder sends them to the process that runs student code, and the visible checks read them
from fixture files, so the same case means the same thing everywhere.

Arrays are stored in ``.npz`` files (read with ``allow_pickle=False``) and the parameters as a
JSON string inside them: nothing is ever unpickled.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

import numpy as np

from rnnlab.compare import LOW_PRECISION


@dataclass
class Case:
    """One check of one graded unit.

    Attributes:
        unit: the graded unit (the nbgrader ``grade_id`` of its test cell), e.g.
            ``"rnn_step_forward"``.
        name: what this case checks, shown in feedback (``"float64, N=3 D=10 H=4"``).
        probe: the registered probe that runs it (``"call"``, ``"backward"``, ``"layer"``,
            ``"rnn.sample"``).
        arrays: the named input arrays.
        params: JSON-serialisable parameters of the probe (which names to call, the dtype...).
    """

    unit: str
    name: str
    probe: str
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def dtype(self) -> str:
        """The floating dtype this case runs in (selects the comparison tolerance)."""
        return self.params.get("dtype", "float64")

    @property
    def truth_of(self) -> str | None:
        """For a float64 case made by :func:`truth_case`, the dtype of the case it is the
        truth of (its inputs are that dtype's values); None otherwise."""
        return self.params.get("truth_of")

    def header(self) -> dict:
        return {"unit": self.unit, "name": self.name, "probe": self.probe, "params": self.params,
                "arrays": sorted(self.arrays)}




def round_to(array: np.ndarray, dtype: str) -> np.ndarray:
    """Float values rounded to ``dtype`` and returned as float64 (other arrays unchanged)."""
    array = np.asarray(array)
    if array.dtype.kind != "f":
        return array
    if dtype == "bfloat16":
        import ml_dtypes

        return array.astype(ml_dtypes.bfloat16).astype(np.float64)
    return array.astype(dtype).astype(np.float64)


def truth_case(case: Case) -> Case:
    """The float64 twin of a low-precision case: the truth its results are compared with.

    Its inputs are the case's inputs *as the low-precision run sees them* (rounded to the
    case's dtype, then widened to float64), and the probes round every value they make up
    themselves (the random upstream gradients) the same way, so the twin computes the exact
    function the low-precision run approximates, in float64. A float64 case is its own truth.
    """
    if case.dtype not in LOW_PRECISION:
        return case
    arrays = {k: round_to(v, case.dtype) for k, v in case.arrays.items()}
    return Case(case.unit, case.name, case.probe, arrays,
                {**case.params, "dtype": "float64", "truth_of": case.dtype})


def pack(cases: list[Case], outputs: list[dict] | None = None) -> bytes:
    """Serialises cases (and optionally their expected outputs) to ``.npz`` bytes."""
    header = [case.header() for case in cases]
    store: dict[str, np.ndarray] = {"__header__": np.array(json.dumps(header, sort_keys=True))}
    for i, case in enumerate(cases):
        for key, value in case.arrays.items():
            store[f"{i}/in/{key}"] = np.asarray(value)
    if outputs is not None:
        for i, out in enumerate(outputs):
            for key, value in out.items():
                store[f"{i}/out/{key}"] = np.asarray(value)
        store["__outputs__"] = np.array(json.dumps([list(o) for o in outputs]))
    return _savez(store)


def _savez(arrays: dict[str, np.ndarray]) -> bytes:
    """Like ``np.savez`` but byte-for-byte reproducible (fixed timestamps, sorted names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asarray(arrays[key]), allow_pickle=False)
    return buffer.getvalue()


def unpack(data: bytes | str) -> tuple[list[Case], list[dict] | None]:
    """Inverse of :func:`pack`; ``data`` is the bytes or a path to an ``.npz`` file."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with np.load(source, allow_pickle=False) as npz:
        header = json.loads(str(npz["__header__"]))
        cases = [
            Case(h["unit"], h["name"], h["probe"],
                 {k: npz[f"{i}/in/{k}"] for k in h["arrays"]}, h["params"])
            for i, h in enumerate(header)
        ]
        outputs = None
        if "__outputs__" in npz.files:
            names = json.loads(str(npz["__outputs__"]))
            outputs = [{k: npz[f"{i}/out/{k}"] for k in keys} for i, keys in enumerate(names)]
    return cases, outputs


def pack_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """Serialises a dict of numeric arrays to ``.npz`` bytes."""
    return _savez(arrays)


def unpack_arrays(data: bytes) -> dict[str, np.ndarray]:
    """Reads arrays written by :func:`pack_arrays`, refusing anything that needs pickle."""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


# ---------------------------------------------------------------------------------------------
# Input builders: fixed and explicit, so expected values never depend on global random state.


def linspace(low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    """``shape``-shaped float64 values evenly spaced from ``low`` to ``high`` (CS231n style)."""
    size = int(np.prod(shape))
    return np.linspace(low, high, num=size, dtype=np.float64).reshape(shape)


def seeded_normal(seed: int, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """Float64 standard normal values from a fixed seed, times ``scale``."""
    return np.random.default_rng(seed).standard_normal(shape) * scale


def seeded_integers(seed: int, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    """Int32 values in ``[low, high)`` from a fixed seed."""
    return np.random.default_rng(seed).integers(low, high, size=shape).astype(np.int32)
