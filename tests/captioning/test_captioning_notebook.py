"""The captioning notebook's structure, and its optional COCO section on CS231n-layout data."""

import json

import h5py
import numpy as np
import pytest
from conftest import INLINE, execute_fast, notebook_problems

from autograder.api import load_definitions
from autograder.paths import release_notebook, solution_notebook
from autograder.plan import notebook_points
from autograder.specs import load_units
from rnnlab.notebook import cell_source, is_experiment_cell, read_notebook

A = "captioning"
WORDS = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog", "on", "mat"]


def test_every_spec_unit_has_one_test_cell_and_points():
    points = notebook_points(read_notebook(solution_notebook(A)))
    assert set(points) == {u.name for u in load_units(A)}
    assert all(p > 0 for p in points.values())


def test_notebook_is_stripped_and_tagged():
    nb = read_notebook(solution_notebook(A))
    assert nb["metadata"]["rnnlab"]["assignment"] == A
    for cell in nb["cells"]:
        assert "id" not in cell
        if cell["cell_type"] == "code":
            assert not cell.get("outputs")
            source = cell_source(cell)
            # Training and data loading only in experiment cells: grading never runs them.
            if not is_experiment_cell(cell):
                assert "train(" not in source and "data.load" not in source


def test_release_hides_solutions_and_hidden_tests():
    text = release_notebook(A).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "tf.clip_by_global_norm(grads, clip_norm)" not in text  # make_train_step's solution
    assert text.count("raise NotImplementedError()") >= 14


def _executed_in_fast_mode(tmp_path):
    return execute_fast(A, tmp_path, timeout=600,
                        env={"MPLBACKEND": INLINE,
                             "CS231N_COCO_DIR": str(tmp_path / "no coco here")})


@pytest.mark.slow
def test_solution_runs_top_to_bottom_in_fast_mode(tmp_path):
    """Every check passes and every experiment runs (a smoke test: a few steps each)."""
    nb = _executed_in_fast_mode(tmp_path)
    problems = notebook_problems(nb)  # no error, nothing on stderr
    assert not problems, "\n".join(problems)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    for unit in load_units(A):
        assert f"{unit.name}: all " in text, unit.name
    for line in ("final loss", "image -> h0: BLEU-4", "image at every step: BLEU-4",
                 "s of CPU time); held-out BLEU-4", "grounding score (soft attention)",
                 "leave-one-out, K=4", "from random weights", "hard, 4 steps",
                 "targets (BLEU-4 >= 0.8, grounding >= 80%)", "VQA accuracy on held-out images",
                 "what is ...", "targets (90% overall, 85% on every kind)",
                 "skipping this section"):
        assert line in text, line
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    # data, overfit, image entry, soft loss, captions, 4 attention rows; hard: reward and
    # variance (one figure), where each looks; VQA: loss, answered examples
    assert len(images) >= 13


def write_coco_folder(base_dir):
    """A tiny folder in CS231n's COCO layout: 4 train and 2 val images, 2 captions each."""
    rng = np.random.default_rng(0)
    base_dir.mkdir(parents=True)
    arrays = {}
    for split, num_images in (("train", 4), ("val", 2)):
        captions = np.zeros((2 * num_images, 17), np.int32)
        captions[:, 0], captions[:, 4] = 1, 2
        captions[:, 1:4] = rng.integers(4, len(WORDS), (2 * num_images, 3))
        arrays[f"{split}_captions"] = captions
        arrays[f"{split}_image_idxs"] = np.repeat(np.arange(num_images), 2).astype(np.int32)
        arrays[f"{split}_features"] = rng.normal(size=(num_images, 512)).astype(np.float32)
        (base_dir / f"{split}2014_urls.txt").write_text(
            "".join(f"http://images.example/{split}/{i}.jpg\n" for i in range(num_images)))
    with h5py.File(base_dir / "coco2014_captions.h5", "w") as h5:
        for key, value in arrays.items():
            h5[key] = value
    (base_dir / "coco2014_vocab.json").write_text(json.dumps(
        {"idx_to_word": WORDS, "word_to_idx": {w: i for i, w in enumerate(WORDS)}}))


def coco_cell_source() -> str:
    nb = read_notebook(solution_notebook(A))
    (source,) = [cell_source(c) for c in nb["cells"]
                 if is_experiment_cell(c) and "load_coco_data" in cell_source(c)]
    return source


@pytest.mark.slow
def test_coco_section_trains_captioning_rnn_on_cs231n_features(tmp_path, monkeypatch, capsys):
    import itertools

    import matplotlib.pyplot as plt

    from rnnlab import data
    from rnnlab.config import scaled
    from rnnlab.training import train

    write_coco_folder(tmp_path / "coco")
    monkeypatch.setenv("CS231N_COCO_DIR", str(tmp_path / "coco"))
    ns = load_definitions(solution_notebook(A))
    assert not ns["__cell_errors__"]
    ns.update(itertools=itertools, plt=plt, data=data, scaled=scaled, train=train)
    exec(compile(coco_cell_source(), "<coco cell>", "exec"), ns)  # noqa: S102
    printed = capsys.readouterr().out
    assert printed.count("sampled:") == 5 and "http://images.example/train/" in printed
    plt.close("all")


def test_coco_section_skips_without_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CS231N_COCO_DIR", str(tmp_path / "nothing here"))
    exec(compile(coco_cell_source(), "<coco cell>", "exec"), {})  # noqa: S102
    assert "skipping" in capsys.readouterr().out
