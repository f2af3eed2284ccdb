"""Measurement: how far correct float32 results land from the float64 truth, against the tolerance.

For every float32 case of every assignment's plan, the solution (and every correct alternative
of ``tests/adversarial/alternatives_<a>.py``) runs in a fresh process under each numeric
setting of :data:`autograder.numerics.SETTINGS` (oneDNN on and off, one and two intra-op
threads, eager and compiled functions). Each result is scored by the tolerance policy's own
rule (:func:`rnnlab.compare.relative_errors`, the largest value per case); the script prints
the worst score per assignment and unit, and the ratio of the float32 tolerance to it: the
margin the policy keeps over the measured spread of correct implementations (target: at least
10x, :data:`rnnlab.compare.MARGIN`).

Usage: ``python benchmarks/float32_spread.py [--no-alternatives] [--settings all|covering] [A...]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from autograder import numerics, paths
    from autograder.plan import load_plan
    from rnnlab.compare import MARGIN, RTOL

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=paths.available_assignments())
    parser.add_argument("--no-alternatives", action="store_true")
    parser.add_argument("--settings", choices=("all", "covering"), default="all")
    args = parser.parse_args()
    settings = numerics.SETTINGS if args.settings == "all" else numerics.COVERING

    tol = RTOL["float32"]
    print(f"float32 tolerance {tol:g}; target margin {MARGIN:g}x; {len(settings)} settings")
    overall = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for a in args.assignments:
            load_plan(a)
            books = {"solution": numerics.with_cells(a, {})}
            if not args.no_alternatives:
                books.update({k: numerics.with_cells(a, v)
                              for k, v in numerics.alternatives(a).items()})
            written = []
            for name, nb in books.items():
                path = Path(tmp) / a / name / f"{a}.ipynb"
                path.parent.mkdir(parents=True)
                path.write_text(json.dumps(nb))
                written.append(path)
            worst: dict[str, tuple[float, str]] = {}
            failures = []
            for setting in settings:
                try:
                    report_of = numerics.run_under(setting, a, written)
                except RuntimeError as exc:
                    print(exc, file=sys.stderr)
                    return 1
                for path, report in report_of.items():
                    who = Path(path).parent.name
                    for unit, o in report["cases"].items():
                        if o["worst"] > worst.get(unit, (0.0, ""))[0]:
                            worst[unit] = (o["worst"], f"{who}, {setting.name}")
                        if not o["ok"]:
                            failures.append(f"{a}/{unit} {who} {setting.name}: {o['failures'][:1]}")
            top = max(w for w, _ in worst.values())
            overall = max(overall, top)
            print(f"\n{a}: worst {top:.2e}, tolerance / worst = {tol / top:.0f}x "
                  f"({len(written)} implementations)")
            for unit, (w, where) in sorted(worst.items(), key=lambda kv: -kv[1][0]):
                print(f"  {unit:28s} {w:.2e}  {tol / w if w else float('inf'):8.0f}x  ({where})")
            for f in failures:
                print(f"  FAILED {f}")
    print(f"\nall: worst {overall:.2e}; the float32 tolerance is {tol / overall:.0f}x that "
          f"(target {MARGIN:g}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
