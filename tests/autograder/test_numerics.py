"""Machine independence: plans and fixtures made under one numeric setting hold under the others.

The plans are compiled (and the committed fixtures were generated) under the default setting;
here every float32 case of every plan and every visible check of every notebook run again in
fresh processes under each of :data:`autograder.numerics.SETTINGS` (oneDNN on and off, one and
two intra-op threads, eager and compiled functions; four that cover every pair of levels), on
the solution and on each correct alternative of ``tests/adversarial/alternatives_<a>.py``:
all must pass everywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import numerics, paths
from autograder.examples import write_notebook
from autograder.plan import load_plan
from rnnlab.compare import MARGIN, RTOL

ASSIGNMENTS = paths.available_assignments()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> dict[str, list[Path]]:
    root = tmp_path_factory.mktemp("numerics")
    found = {}
    for a in ASSIGNMENTS:
        load_plan(a)  # compiled here, under the default setting, before any other runs
        found[a] = [write_notebook(numerics.with_cells(a, {}), root / "solution" / f"{a}.ipynb")]
        for name, cells in numerics.alternatives(a).items():
            found[a].append(write_notebook(numerics.with_cells(a, cells), root / name / f"{a}.ipynb"))
    return found


def _run(setting: numerics.Setting, assignment: str, notebooks: list[Path]) -> dict:
    """The solution (first) runs every case of the plan, the alternatives the float32 ones."""
    return numerics.run_under(setting, assignment, notebooks, all_cases=1)


# The settings the alternatives run under too: with the default one, where test_alternatives
# grades them (oneDNN on, two threads, compiled), every level of every switch. (All four for
# the alternatives as well took 3.5 more minutes of the suite.)
ALTERNATIVES_UNDER = {"onednn0-threads2-eager", "onednn1-threads1-eager"}


@pytest.mark.parametrize("setting", numerics.COVERING, ids=lambda s: s.name)
def test_full_marks_and_every_visible_check_under_every_setting(setting, notebooks):
    """Four settings that hold every pair of levels of the three switches (a covering array):
    the solution gets every case and every test cell's visible check passes, for each; the
    alternatives get every float32 case and pass every check under two of them
    (:data:`ALTERNATIVES_UNDER`)."""
    lost = {}
    for a in ASSIGNMENTS:
        runs = notebooks[a] if setting.name in ALTERNATIVES_UNDER else notebooks[a][:1]
        for path, report in _run(setting, a, runs).items():
            who = f"{a}/{Path(path).parent.name}"
            if report["cell_errors"]:
                lost[who] = report["cell_errors"]
            for unit, outcome in report["cases"].items():
                if not outcome["ok"]:
                    lost[f"{who} {unit} (hidden cases)"] = outcome["failures"]
            for unit, outcome in report["checks"].items():
                if not outcome["ok"]:
                    lost[f"{who} {unit} (visible check)"] = outcome["message"]
    assert not lost, f"under {setting.name}:\n" + json.dumps(lost, indent=1)[:8000]


def test_the_solution_keeps_the_margin_under_a_setting_other_than_the_plans(notebooks):
    """The plan refuses a case unless the solution passes at RTOL / MARGIN where it is compiled;
    under another setting its float32 results must still keep most of that margin."""
    setting = numerics.Setting(onednn=False, threads=1, eager=True)
    for a in ASSIGNMENTS:
        report = _run(setting, a, notebooks[a][:1])
        (outcomes,) = (r["cases"] for r in report.values())
        worst = {u: o["worst"] for u, o in outcomes.items()}
        assert outcomes and max(worst.values()) <= RTOL["float32"] / (MARGIN / 2), (a, worst)


def test_settings_cover_every_pair_of_levels():
    names = {s.name: s for s in numerics.COVERING}
    assert ALTERNATIVES_UNDER <= set(names)
    default = numerics.Setting(True, 2, False)  # where test_alternatives grades them
    with_default = [names[n] for n in ALTERNATIVES_UNDER] + [default]
    for switch in ("onednn", "threads", "eager"):
        assert len({getattr(s, switch) for s in with_default}) == 2, switch
    pairs = set()
    for s in numerics.COVERING:
        levels = [("onednn", s.onednn), ("threads", s.threads), ("eager", s.eager)]
        pairs |= {(x, y) for x in levels for y in levels if x[0] < y[0]}
    assert len(pairs) == 12  # 3 pairs of switches x 4 combinations of their levels
    assert len(numerics.SETTINGS) == 8 and len({s.name for s in numerics.SETTINGS}) == 8


@pytest.mark.parametrize("assignment", ["lstm"])
def test_fixtures_made_under_another_setting_are_the_committed_ones(assignment, tmp_path):
    """Plans compiled, through the real worker, under other numeric settings than the committed
    fixtures were made with give fixtures that the freshness rule calls the same (float64
    truths differ by float64 rounding only). lstm: its float32 cases spread the most."""
    from rnnlab.cases import unpack
    from rnnlab.checks import FIXTURES
    from rnnlab.compare import compare_arrays

    for setting in (numerics.Setting(False, 1, True), numerics.Setting(True, 1, False)):
        out = tmp_path / f"{setting.name}.npz"
        env = {**os.environ, **setting.env(), "AUTOGRADER_CACHE": str(tmp_path / setting.name),
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        code = ("import sys; from pathlib import Path; from autograder.fixtures import "
                f"fixture_bytes; Path(sys.argv[1]).write_bytes(fixture_bytes({assignment!r}))")
        proc = subprocess.run([sys.executable, "-c", code, str(out)], env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
        old_cases, old = unpack(str(FIXTURES / f"{assignment}.npz"))
        new_cases, new = unpack(str(out))
        assert [c.header() for c in old_cases] == [c.header() for c in new_cases]
        for case, a, b in zip(new_cases, old, new):
            for key in a:
                c = compare_arrays(key, b[key], a[key], "float64", rtol=1e-9)
                assert c.ok, (setting.name, case.name, c.message)
