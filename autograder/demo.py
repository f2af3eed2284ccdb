"""``make demo``: regenerate the release, then grade the example submissions of every assignment.

For each assignment that has a solution notebook it grades three submissions: the solution
(full marks), the untouched release (zero) and a partly-correct one (see
:mod:`autograder.examples`), writes a Gradescope results file for each and prints a table.

The demo grades only submissions it generates itself from the course's own notebooks, so it
accepts whatever isolation the machine offers (``isolation="process"``: the strongest available
is still used, the namespace sandbox as root or through user namespaces) and prints which one
was in force; ``autograder grade`` refuses weaker isolation than the namespace sandbox unless
told otherwise (``--isolation``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder import paths
from autograder.api import grade_notebook
from autograder.examples import Recipe, make_submission, partial_recipe, write_notebook
from autograder.plan import load_plan
from autograder.release import generate_release
from autograder.reporters import console_table, write_results_json
from autograder.sandbox import STRENGTH, Sandbox

# Trusted, generated submissions: any isolation will do (the strongest available is used).
DEMO_ISOLATION = "process"


def run_demo(out_dir: Path) -> int:
    out_dir = Path(out_dir)
    assignments = paths.available_assignments()
    if not assignments:
        print("no solution notebooks found under solutions/")
        return 1
    print(f"== regenerating the release of {', '.join(assignments)} with nbgrader")
    for a in assignments:
        print(f"   {generate_release(a)}")
    sandbox = Sandbox.require(DEMO_ISOLATION)
    iso = sandbox.isolation()
    line = f"== isolation of the graded code: {iso['mode']}"
    if iso["missing"]:
        line += f" (missing: {', '.join(iso['missing'])})"
    if STRENGTH[iso["mode"]] < STRENGTH["namespace"]:
        line += (f"; accepted because the demo grades only submissions it generated: "
                 f"`autograder grade` refuses this unless given --isolation={iso['mode']}")
    print(line)
    rows = []
    for a in assignments:
        print(f"== {a}: compiling the grading plan (runs the solution on every hidden case)")
        plan = load_plan(a)
        print(f"   {len(plan.units)} graded units, {plan.max_score:g} points")
        folder = out_dir / a
        if folder.exists():
            shutil.rmtree(folder)
        subs = {
            "solution": write_notebook(make_submission(a, Recipe(solved=["*"])),
                                       folder / "solution.ipynb"),
            "release": write_notebook(make_submission(a, Recipe()), folder / "release.ipynb"),
            "partial": write_notebook(make_submission(a, partial_recipe(a)),
                                      folder / "partial.ipynb"),
        }
        for kind, nb in subs.items():
            print(f"== grading {a} / {kind}")
            result = grade_notebook(nb, a, isolation=DEMO_ISOLATION)
            print(console_table(result, details=(kind == "partial")))
            results = folder / f"{kind}.json"
            write_results_json(result, results)
            lost = [t.name for t in result.tests if not t.passed]
            rows.append((a, kind, result.score, result.max_score, result.execution_time,
                         results, lost))
    print("\n== summary")
    print(f"{'assignment':<12}{'submission':<12}{'score':>12}{'time':>9}  results file")
    for a, kind, score, total, secs, results, lost in rows:
        print(f"{a:<12}{kind:<12}{score:>6g} / {total:<4g}{secs:>7.1f} s  {results}")
    print(f"\nsubmissions and results files are in {out_dir.resolve()}/<assignment>/")
    ok = all((kind != "solution" or score == total) and (kind != "release" or score == 0)
             for _, kind, score, total, *_ in rows)
    if not ok:
        print("UNEXPECTED: the solution should get full marks and the release zero")
    return 0 if ok else 1
