"""The instructors' pre-release page: ``make review`` / ``autograder review [A...]``.

For each assignment, one self-contained HTML page (``build/review/<a>.html``) that a TA reads
before a release:

1. a summary: graded units with their points, targets and cases (public and hidden), the
   known mistakes the feedback can name, and the sandbox this machine gives student code;
2. the mutation audit's result (``autograder/audit/<a>.json``, from ``autograder audit``):
   catch rate and every surviving mutant with its explanation, or a warning if the audit is
   missing or was run on an older solution;
3. a sample feedback report: the bundled partly-correct submission
   (:func:`autograder.examples.partial_recipe`) graded by the real grader;
4. the solution notebook executed top to bottom (hidden-test hooks included) with its
   outputs, plots and the run time of every cell.
"""

from __future__ import annotations

import html
import json
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from rnnlab.notebook import read_notebook

from autograder import paths


def _md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cases(cases) -> str:
    return "<br>".join(f"{html.escape(c.name)} <code>{html.escape(c.probe)}</code>"
                       for c in cases) or "&ndash;"


def units_section(assignment: str, plan) -> str:
    try:
        from autograder.specs import load_units

        specs = {u.name: u for u in load_units(assignment)}
    except Exception:  # noqa: BLE001 - a package without specs: the plan alone
        specs = {}
    rows = []
    for u in plan.units:
        spec = specs.get(u.name)
        public = _cases(spec.public) if spec else "&ndash;"
        hidden = _cases(spec.hidden) if spec else _cases(u.cases)
        rows.append([f"<b>{html.escape(u.name)}</b>", f"{u.points:g}",
                     html.escape(", ".join(u.targets)), public, hidden])
    total = sum(u.points for u in plan.units)
    return (f"<h2>Graded units ({len(plan.units)}, {total:g} points)</h2>"
            "<p>A unit's points require every case, public and hidden, to pass.</p>"
            + _table(["unit", "points", "grades", "public cases (visible check)",
                      "hidden cases"], rows))


def mistakes_section(assignment: str) -> str:
    from autograder.mistakes import declared_mistakes

    mistakes = declared_mistakes(assignment)
    if not mistakes:
        return ("<h2>Known mistakes</h2><p>None declared (see "
                "<code>autograder/mistakes/</code>).</p>")
    rows = [[html.escape(m.title), html.escape(m.cell), html.escape(", ".join(m.units))]
            for m in mistakes]
    return ("<h2>Known mistakes the feedback can name</h2>"
            + _table(["mistake", "solution cell", "units"], rows))


def audit_section(assignment: str) -> str:
    from autograder.audit import AUDIT_DIR, TARGET
    from autograder.plan import plan_key

    path = AUDIT_DIR / f"{assignment}.json"
    if not path.exists():
        return (f"<h2>Mutation audit</h2><p class='warn'>Not run yet: run "
                f"<code>autograder audit {assignment}</code>.</p>")
    data = json.loads(path.read_text())
    parts = ["<h2>Mutation audit</h2>"]
    if data.get("plan_key") and data["plan_key"] != plan_key(assignment):
        parts.append("<p class='warn'>The audit was run on an older version of the solution or "
                     f"of the hidden tests: run <code>autograder audit {assignment}</code> "
                     "again.</p>")
    rate = 100 * data["catch_rate"]
    ok = data["catch_rate"] >= TARGET
    parts.append(f"<p><b class='{'ok' if ok else 'warn'}'>{rate:.1f}%</b> of {data['run']} "
                 f"mutants caught (target {100 * TARGET:.0f}%); {data['survived']} survived; "
                 f"{data['seconds']:.0f} s with {data['jobs']} worker(s).</p>")
    rows = []
    for s in data["survivors"]:
        exp = s.get("explanation")
        verdict = (f"<b>{html.escape(exp['verdict'])}</b>: {html.escape(exp['why'])}" if exp
                   else "<b class='warn'>UNEXPLAINED</b>")
        rows.append([html.escape(s["cell"]), f"<code>{html.escape(s['line'])}</code>",
                     html.escape(s["description"]), verdict])
    if rows:
        parts.append(_table(["cell", "line", "mutation", "explanation"], rows))
    kinds = [[html.escape(k), str(v["mutants"]), str(v["caught"])]
             for k, v in data["by_kind"].items()]
    parts.append("<details><summary>by kind of mutation</summary>"
                 + _table(["kind", "mutants", "caught"], kinds) + "</details>")
    return "\n".join(parts)


def feedback_section(assignment: str) -> str:
    from autograder.api import grade_notebook
    from autograder.examples import make_submission, partial_recipe, write_notebook
    from autograder.reporters import console_table

    recipe = partial_recipe(assignment)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_notebook(make_submission(assignment, recipe), Path(tmp) / f"{assignment}.ipynb")
        result = grade_notebook(path, assignment)
    text = console_table(result).replace(str(path), f"partial/{assignment}.ipynb")
    bugs = "; ".join(f"{cell}: {old!r} &rarr; {new!r}" for cell, pairs in recipe.bugs.items()
                     for old, new in pairs)
    return ("<h2>Sample feedback: the bundled partly-correct submission</h2>"
            f"<p>Solved: {html.escape(', '.join(recipe.solved) or 'every other cell')}. "
            f"Deliberate bug: {html.escape(bugs) if bugs else 'none'}. "
            f"Score {result.score:g} / {result.max_score:g}.</p>"
            f"<pre>{html.escape(text)}</pre>")


def execute_solution(assignment: str, timeout: int = 3600) -> tuple[dict, float, str]:
    """The solution notebook executed top to bottom (a copy); (notebook, seconds, error)."""
    import nbformat
    from nbclient import NotebookClient

    source = paths.solution_notebook(assignment)
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            record_timing=True,
                            resources={"metadata": {"path": str(source.parent)}})
    t0 = time.monotonic()
    error = ""
    try:
        client.execute()
    except Exception as exc:  # noqa: BLE001 - the page shows it
        error = f"{type(exc).__name__}: {exc}"
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not error:
                error = f"{out.get('ename')}: {out.get('evalue')}"
    return nb, time.monotonic() - t0, error


def _cell_seconds(cell) -> float | None:
    timing = (cell.get("metadata") or {}).get("execution") or {}
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return None
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def write_review(assignment: str, out_dir: Path, execute: bool = True) -> Path:
    """Writes ``<out_dir>/<assignment>.html``; returns its path."""
    import nbformat
    from nbconvert import HTMLExporter

    from autograder.plan import load_plan
    from autograder.sandbox import Sandbox

    plan = load_plan(assignment)
    sandbox = Sandbox.detect()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    intro = (f"<h1>Pre-release review: <code>{assignment}</code></h1>"
             f"<p>Generated {stamp} by <code>autograder review</code>. Sandbox on this machine: "
             f"<b>{sandbox.mode}</b>{' &ndash; ' + html.escape('; '.join(sandbox.notes)) if sandbox.notes else ' (unprivileged user, no network, private filesystem, own PID namespace)'}.</p>")
    sections = [intro, units_section(assignment, plan), mistakes_section(assignment),
                audit_section(assignment), feedback_section(assignment)]
    if execute:
        nb, seconds, error = execute_solution(assignment)
        head = (f"<h2>The solution, executed</h2><p>Ran top to bottom in {seconds:.0f} s"
                + (" (RNNLAB_FAST=1: experiments shrunk)" if _fast() else "") + ".</p>")
        if error:
            head += f"<p class='warn'>It raised: {html.escape(error)}</p>"
    else:
        nb = nbformat.from_dict(read_notebook(paths.solution_notebook(assignment)))
        head = "<h2>The solution (not executed: --no-execute)</h2>"
    cells = [_md(s) for s in sections] + [_md(head)]
    for cell in nb.cells:
        cells.append(cell)
        if cell.get("cell_type") == "code":
            secs = _cell_seconds(cell)
            if secs is not None:
                cells.append(_md(f"<p class='timing'>cell ran in {secs:.2f} s</p>"))
    review = nbformat.v4.new_notebook()
    review.metadata = nb.metadata
    review.cells = [nbformat.from_dict(c) for c in cells]
    exporter = HTMLExporter(template_name="classic")
    exporter.embed_images = True
    body, _ = exporter.from_notebook_node(review)
    style = ("<style>.warn{color:#b00020}.ok{color:#1b7f3b}.timing{color:#777;font-size:85%;"
             "text-align:right;margin:0} table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;font-size:90%}"
             "</style>")
    body = body.replace("</head>", style + "</head>", 1)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{assignment}.html"
    path.write_text(body)
    return path


def _fast() -> bool:
    from rnnlab.config import fast_mode

    return fast_mode()
