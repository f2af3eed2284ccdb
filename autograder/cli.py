"""The ``autograder`` command line: a thin layer over the API and the instructor tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import paths


def _limits(args):
    from autograder.runner import Limits

    limits = Limits(case_timeout=args.timeout)
    if args.load_timeout:
        limits.load_timeout = args.load_timeout
    if args.budget:
        limits.grade_timeout = args.budget
    if args.memory_mb:
        limits.memory_bytes = int(args.memory_mb) << 20
    return limits


def _grade(args) -> int:
    from autograder.api import GradingError, grade_notebook
    from autograder.reporters import console_table, write_results_json

    folders = [p for p in args.notebooks if Path(p).is_dir()]
    if folders:
        return _grade_folders(args, folders)
    if args.json and len(args.notebooks) > 1:
        print("autograder: --json takes one notebook; grade several with --out-dir",
              file=sys.stderr)
        return 2
    limits = _limits(args)
    status = 0
    for nb in args.notebooks:
        try:
            result = grade_notebook(nb, args.assignment, limits, hints=not args.no_hints,
                                    isolation=args.isolation)
        except GradingError as exc:
            print(f"autograder: cannot grade {nb}: {exc}", file=sys.stderr)
            status = 2
            continue
        except Exception:  # noqa: BLE001 - a grader bug: say so, keep grading the others
            import traceback

            traceback.print_exc()
            print(f"autograder: cannot grade {nb}: internal error (above)", file=sys.stderr)
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


def _grade_folders(args, folders: list[str]) -> int:
    from autograder.batch import grade_folder

    if len(folders) != len(args.notebooks) or args.json:
        print("autograder: grade either notebooks or folders of submissions (with --out-dir, "
              "not --json)", file=sys.stderr)
        return 2
    # Refuse the whole batch up front, rather than one error row per student, when student code
    # cannot get the isolation asked for (each grading process checks again).
    from autograder.sandbox import Sandbox, SandboxError

    try:
        sandbox = Sandbox.require(args.isolation)
    except SandboxError as exc:
        print(f"autograder: cannot grade {', '.join(folders)}: {exc}", file=sys.stderr)
        return 2
    print(f"isolation: {sandbox.mode}"
          + (f" (missing: {', '.join(sandbox.isolation()['missing'])})"
             if sandbox.isolation()["missing"] else ""))
    limits = _limits(args)
    status = 0
    for folder in folders:
        folder = Path(folder)
        out = Path(args.out_dir) if args.out_dir else folder.with_name(folder.name + "-results")
        if len(folders) > 1 and args.out_dir:
            out = out / folder.name
        print(f"grading {folder}/ with {args.jobs} job(s) -> {out}/")
        rows = grade_folder(folder, out, jobs=args.jobs, assignment=args.assignment,
                            limits=limits, hints=not args.no_hints, isolation=args.isolation,
                            wall_timeout=args.wall_timeout)
        errors = [r for r in rows if r.status != "graded"]
        print(f"{len(rows)} submission(s), {len(rows) - len(errors)} graded, "
              f"{len(errors)} could not be graded; gradebook: {out / 'gradebook.csv'}")
        if errors:
            status = 2
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
    from autograder.mistakes import load_known_mistakes
    from autograder.plan import load_plan

    for a in args.assignments:
        plan = load_plan(a, progress=lambda u, c: print(f"  {u}: {c}") if args.verbose else None)
        n = sum(len(u.cases) for u in plan.units)
        # The known mistakes' values too, so that the first submission graded does not pay
        # for compiling them.
        known = load_known_mistakes(a, plan)
        hints = "" if known is None else (
            f", {known.declared} known mistakes and {len(known.titles) - known.declared} "
            "generated ones" if known.declared is not None else f", {len(known.titles)} known "
            "mistakes")
        print(f"{a}: {len(plan.units)} units, {n} cases, {plan.max_score:g} points{hints}")
    return 0


def _audit(args) -> int:
    from autograder.audit import AUDIT_DIR, TARGET, run_audit, write_report

    status = 0
    for a in args.assignments:
        report = run_audit(a, jobs=args.jobs, budget=args.budget, verify=args.verify,
                           cells=args.cells.split(",") if args.cells else None,
                           limit=args.limit, progress=print if args.verbose else None)
        md, js = write_report(report, Path(args.out) if args.out else AUDIT_DIR)
        print(f"{a}: {len(report.outcomes)} mutants, {report.caught} caught, "
              f"{len(report.survivors)} survived ({len(report.equivalent)} equivalent, "
              f"{len(report.unexplained)} unexplained): {100 * report.catch_rate:.1f}% of the "
              f"mutants that change the program ({100 * report.raw_catch_rate:.1f}% of all); "
              f"{report.seconds:.0f} s\n"
              f"   report: {md}")
        for o in report.survivors:
            exp = report.explanations.get(o.key)
            print(f"   survivor: {o.key}\n             "
                  + (f"{exp['verdict']}: {exp['why']}" if exp else "UNEXPLAINED"))
        if args.check and (report.catch_rate < TARGET or report.unexplained):
            status = 1
    return status


def _gradescope(args) -> int:
    from autograder.gradescope import write_package

    out = Path(args.output or f"build/gradescope/{args.assignment}-autograder.zip")
    print(f"Gradescope autograder package: {write_package(args.assignment, out)}")
    return 0


def _review(args) -> int:
    from autograder.review import write_review

    for a in args.assignments:
        print(f"{a}: {write_review(a, Path(args.output), execute=not args.no_execute)}")
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
    g.add_argument("notebooks", nargs="+", metavar="NOTEBOOK_OR_FOLDER",
                   help="notebooks, or folders of submissions (one notebook or sub-folder per "
                        "student: graded in parallel, with a gradebook)")
    g.add_argument("--assignment", choices=paths.ASSIGNMENTS)
    g.add_argument("--json", help="write a Gradescope results.json here (one notebook)")
    g.add_argument("--out-dir", help="write one results file per notebook (or student) here; "
                                     "for a folder the default is FOLDER-results/")
    g.add_argument("--jobs", "-j", type=int, default=1,
                   help="submissions graded at the same time (folders; default 1)")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds per case (default 30)")
    g.add_argument("--load-timeout", type=float, default=None,
                   help="seconds to run a notebook's definition cells (default 120)")
    g.add_argument("--budget", type=float, default=None,
                   help="seconds for all the cases of one submission (default 900)")
    g.add_argument("--memory-mb", type=int, default=None,
                   help="address-space limit of the process running student code, in MiB "
                        "(default 6144; TensorFlow needs about 2000)")
    g.add_argument("--wall-timeout", type=float, default=1800.0,
                   help="folders: seconds before one submission's grading is abandoned")
    g.add_argument("--isolation", "--sandbox", choices=["auto", "namespace", "user", "process"],
                   default=None,
                   help="the weakest confinement of student code accepted; the strongest "
                        "available is used. Default auto (or AUTOGRADER_SANDBOX): the namespace "
                        "sandbox (as root, or through user namespaces); grading stops rather "
                        "than run student code with less. 'user': at least an unprivileged uid "
                        "of its own (root); 'process': a separate process with resource limits "
                        "only")
    g.add_argument("--no-hints", action="store_true", help="do not name known mistakes")
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

    au = sub.add_parser("audit", help="mutation audit: which mutants of the solution do the "
                                       "hidden tests miss?")
    au.add_argument("assignments", nargs="*", choices=[[]] + list(paths.ASSIGNMENTS),
                    help="default: every assignment that has a solution notebook")
    au.add_argument("--jobs", "-j", type=int, default=2, help="workers (default 2)")
    au.add_argument("--budget", type=float, default=None, help="wall-time limit, seconds")
    au.add_argument("--verify", action="store_true",
                    help="re-grade every survivor from scratch, as a submission")
    au.add_argument("--cells", help="only these solution cells (grade_ids, comma-separated)")
    au.add_argument("--limit", type=int, help="only the first N mutants")
    au.add_argument("--out", help="report folder (default autograder/audit/)")
    au.add_argument("--check", action="store_true",
                    help="exit 1 below the 95%% target or with unexplained survivors")
    au.add_argument("-v", "--verbose", action="store_true", help="print every mutant")
    au.set_defaults(func=_audit)

    gs = sub.add_parser("gradescope", help="write a Gradescope autograder package (zip)")
    gs.add_argument("assignment", choices=paths.ASSIGNMENTS)
    gs.add_argument("-o", "--output", help="default build/gradescope/<a>-autograder.zip")
    gs.set_defaults(func=_gradescope)

    rv = sub.add_parser("review", help="render the instructors' pre-release page (HTML) of each "
                                       "assignment")
    rv.add_argument("assignments", nargs="*", choices=[[]] + list(paths.ASSIGNMENTS),
                    help="default: every assignment that has a solution notebook")
    rv.add_argument("-o", "--output", default="build/review")
    rv.add_argument("--no-execute", action="store_true",
                    help="do not execute the solution notebook (the page says so)")
    rv.set_defaults(func=_review)

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
