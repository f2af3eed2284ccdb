"""The mutation audit on a slice of the rnn solution, the committed audit report, and the
instructors' review page."""

import json

import pytest

from autograder import paths
from autograder.audit import AUDIT_DIR, TARGET, load_explanations, run_audit, write_report

A = "rnn"


@pytest.mark.slow
def test_the_audit_catches_mutants_and_reports_survivors_with_their_explanation(tmp_path):
    report = run_audit(A, jobs=1, cells=["temporal_softmax_loss_code"], limit=8, progress=None)
    assert len(report.outcomes) == 8
    assert all(o.status in ("caught", "survived") for o in report.outcomes)
    caught = [o for o in report.outcomes if o.status == "caught"]
    assert caught and all(o.caught_by.startswith("temporal_softmax_loss") for o in caught)
    # dropping axis=-1 from log_softmax changes nothing (it is the default): a survivor,
    # explained as equivalent in the instructor notes
    drop_axis = next(o for o in report.outcomes if "log_softmax" in o.line
                     and o.description == "drop axis=")
    assert drop_axis.status == "survived"
    assert report.explanations[drop_axis.key]["verdict"] == "equivalent"
    md, js = write_report(report, tmp_path)
    data = json.loads(js.read_text())
    assert data["caught"] == len(caught) and data["survivors"][0]["explanation"]
    assert "Mutation audit of `rnn`" in md.read_text()


@pytest.mark.parametrize("assignment", paths.available_assignments())
def test_committed_audits_meet_the_target_and_explain_every_survivor(assignment):
    path = AUDIT_DIR / f"{assignment}.json"
    if not path.exists():
        pytest.skip(f"no audit report for {assignment} yet (autograder audit {assignment})")
    data = json.loads(path.read_text())
    assert data["catch_rate"] >= TARGET, data["catch_rate"]
    explained = load_explanations(assignment)
    unexplained = [s["key"] for s in data["survivors"] if s["key"] not in explained]
    assert not unexplained
    for s in explained.values():
        assert s["verdict"] in ("equivalent", "tested", "accepted") and s["why"].strip()


@pytest.mark.slow
def test_the_review_page_shows_units_audit_feedback_and_the_executed_solution(tmp_path):
    from autograder.review import write_review

    page = write_review(A, tmp_path).read_text()
    for text in ("Pre-release review", "Graded units", "rnn_step_forward", "hidden cases",
                 "Mutation audit", "Sample feedback", "Likely mistake",
                 "The solution, executed", "cell ran in", "data:image/png;base64"):
        assert text in page, text
