"""Batch grading of a folder: finding each student's notebook, and a batch that survives broken
submissions and a grader failure (one small folder, graded with --jobs 2)."""

import csv
import json
import os
import subprocess
import sys

import pytest

from autograder.batch import find_submissions
from autograder.examples import Recipe, make_submission, write_notebook
from autograder.plan import load_plan

A = "rnn"


def test_one_submission_per_file_or_folder(tmp_path):
    (tmp_path / "alice.ipynb").write_text("{}")
    (tmp_path / "bob" / "work").mkdir(parents=True)
    (tmp_path / "bob" / "work" / "rnn.ipynb").write_text("{}")
    (tmp_path / "carol").mkdir()
    (tmp_path / "dave").mkdir()
    (tmp_path / "dave" / "a.ipynb").write_text("{}")
    (tmp_path / "dave" / "b.ipynb").write_text("{}")
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "rnn.ipynb").write_text("{}")
    (tmp_path / "erin" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "erin" / ".ipynb_checkpoints" / "rnn-checkpoint.ipynb").write_text("{}")
    (tmp_path / "_results").mkdir()
    subs = {s.student: s for s in find_submissions(tmp_path, "rnn")}
    assert sorted(subs) == ["alice", "bob", "carol", "dave", "erin"]
    assert subs["alice"].notebook.name == "alice.ipynb"
    assert subs["bob"].notebook.name == "rnn.ipynb"
    assert "no notebook" in subs["carol"].problem
    assert "several notebooks" in subs["dave"].problem
    assert subs["erin"].notebook.parent.name == "erin"


@pytest.mark.slow
def test_a_folder_is_graded_in_parallel_and_survives_failures(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    write_notebook(make_submission(A, Recipe(solved=["rnn_step_forward_code"])),
                   folder / "ann" / f"{A}.ipynb")
    (folder / "ben").mkdir(parents=True)
    (folder / "ben" / f"{A}.ipynb").write_text("{broken")
    (folder / "cat").mkdir()
    (folder / "dan.ipynb").write_text(json.dumps({"nbformat": 4, "cells": [], "metadata": {}}))
    env = dict(os.environ, AUTOGRADER_UID_BASE=str(66000 + 8 * (os.getpid() % 200)),
               AUTOGRADER_UID_COUNT="8")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--jobs", "2",
                           "--out-dir", str(out), "--timeout", "20"], env=env,
                          capture_output=True, text=True, timeout=1200)
    # dan's notebook says nothing about its assignment: that row cannot be graded (exit 2) ...
    assert proc.returncode == 2, proc.stdout + proc.stderr
    with open(out / "gradebook.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == ["ann", "ben", "cat", "dan"]
    # ... and every other student still has a grade and a results file
    plan = load_plan(A)
    assert rows["ann"]["status"] == "graded" and float(rows["ann"]["score"]) == \
        plan.unit("rnn_step_forward").points
    assert rows["ann"]["rnn_step_forward"] == f"{plan.unit('rnn_step_forward').points:g}"
    assert float(rows["ann"]["peak_memory_mb"]) > 100
    assert rows["ben"]["status"] == "graded" and rows["ben"]["score"] == "0"
    assert rows["cat"]["score"] == "0" and "no notebook" in rows["cat"]["message"]
    assert rows["dan"]["status"] == "error"
    for student in rows:
        data = json.loads((out / f"{student}.json").read_text())
        assert set(data) >= {"score", "tests", "output"}
    assert "not valid JSON" in json.loads((out / "ben.json").read_text())["output"]
