"""The ``autograder`` command line: a thin layer over the API and the instructor tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import paths


def _grade(args) -> int:
    from autograder.api import GradingError, grade_notebook
    from autograder.reporters import console_table, write_results_json
    from autograder.runner import Limits

    if args.json and len(args.notebooks) > 1:
        print("autograder: --json takes one notebook; grade several with --out-dir",
              file=sys.stderr)
        return 2
    limits = Limits(case_timeout=args.timeout)
    status = 0
    for nb in args.notebooks:
        try:
            result = grade_notebook(nb, args.assignment, limits)
        except GradingError as exc:
            print(f"autograder: cannot grade {nb}: {exc}", file=sys.stderr)
            status = 2
            continue
        print(console_table(result, details=not args.quiet))
        if args.json:
            write_results_json(result, args.json)
            print(f"results written to {args.json}")
        elif args.out_dir:
            out = Path(args.out_dir) / f"{Path(nb).stem}.json"
            write_results_json(result, out)
            print(f"results written to {out}")
    return status


def _release(args) -> int:
    from autograder.release import generate_release

    for a in args.assignments:
        print(f"released {generate_release(a)}")
    return 0


def _fixtures(args) -> int:
    from autograder.fixtures import write_fixtures

    for a in args.assignments:
        print(f"wrote {write_fixtures(a)}")
    return 0


def _plan(args) -> int:
    from autograder.plan import load_plan

    for a in args.assignments:
        plan = load_plan(a, progress=lambda u, c: print(f"  {u}: {c}") if args.verbose else None)
        n = sum(len(u.cases) for u in plan.units)
        print(f"{a}: {len(plan.units)} units, {n} cases, {plan.max_score:g} points")
    return 0


def _bundle(args) -> int:
    from autograder.bundle import write_student_bundle

    folder, archive = write_student_bundle(Path(args.output))
    print(f"student bundle: {folder}\n         zip: {archive}")
    return 0


def _demo(args) -> int:
    from autograder.demo import run_demo

    return run_demo(Path(args.output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade notebooks against the hidden tests")
    g.add_argument("notebooks", nargs="+")
    g.add_argument("--assignment", choices=paths.ASSIGNMENTS)
    g.add_argument("--json", help="write a Gradescope results.json here (one notebook)")
    g.add_argument("--out-dir", help="write one results file per notebook here")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds per case (default 30)")
    g.add_argument("--quiet", action="store_true", help="scores only, no feedback")
    g.set_defaults(func=_grade)

    for name, func, text in (("release", _release, "generate assignments/ with nbgrader"),
                             ("fixtures", _fixtures, "write the public check fixtures"),
                             ("plan", _plan, "compile (and cache) the grading plans")):
        p = sub.add_parser(name, help=text)
        p.add_argument("assignments", nargs="*", choices=[[]] + list(paths.ASSIGNMENTS),
                       help="default: every assignment that has a solution notebook")
        p.add_argument("-v", "--verbose", action="store_true")
        p.set_defaults(func=func)

    b = sub.add_parser("student-bundle", help="write the folder and zip students get")
    b.add_argument("-o", "--output", default="build/student-bundle")
    b.set_defaults(func=_bundle)

    d = sub.add_parser("demo", help="release, then grade the bundled example submissions")
    d.add_argument("-o", "--output", default="demo-results")
    d.set_defaults(func=_demo)

    args = parser.parse_args(argv)
    if getattr(args, "assignments", None) == []:
        args.assignments = paths.available_assignments()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
