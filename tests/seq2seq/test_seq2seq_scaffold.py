"""The release's scaffolding (issue #14): beam search shows its loop and what each step keeps,
its eight rules are a numbered list that the TODOs refer to, and the sections whose checks run
on stand-ins say that they need none of the earlier units."""

import re

from autograder.paths import release_notebook, solution_notebook
from rnnlab.notebook import read_notebook

A = "seq2seq"


def _cell(nb, grade_id):
    (cell,) = [c for c in nb["cells"]
               if ((c.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") == grade_id]
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_beam_search_release_shows_the_loop_and_four_regions():
    code = _cell(read_notebook(release_notebook(A)), "beam_search_code")
    body = code[code.index('    """', code.index("def beam_search")):]
    for line in ("    for _ in range(max_length):",
                 "        step_scores, state = decoder.step(previous, state)",
                 "    history = []",
                 "    return tokens, scores"):
        assert line in body, line
    assert body.count("raise NotImplementedError()") == 4
    # every region is introduced by a TODO naming the rules it implements
    todos = re.findall(r"# TODO \(rules ([0-9, -]+)\)", body)
    assert len(todos) == 4
    named = {int(n) for t in todos for n in re.findall(r"\d", t)}
    assert named >= {1, 2, 3, 5, 6, 7, 8}
    # no code of the answer is visible (the TODO comments may name functions, as the
    # markdown does): the selection and the bookkeeping are in the regions
    visible = "\n".join(line for line in body.split('"""')[-1].splitlines()
                         if not line.strip().startswith("#"))
    for answer in ("top_k", "tf.gather", "log_softmax", "tf.repeat", "** alpha"):
        assert answer not in visible, answer


def test_beam_search_rules_are_a_numbered_list():
    nb = read_notebook(release_notebook(A))
    md = _cell(nb, "md_17")
    numbers = [int(n) for n in re.findall(r"^(\d)\. \*\*", md, flags=re.M)]
    assert numbers == list(range(1, 9))


def test_solution_beam_search_has_the_same_skeleton():
    code = _cell(read_notebook(solution_notebook(A)), "beam_search_code")
    assert code.count("### BEGIN SOLUTION") == code.count("### END SOLUTION") == 4


def test_sections_with_stand_in_checks_say_they_need_no_earlier_unit():
    nb = read_notebook(release_notebook(A))
    for grade_id in ("md_17", "md_20"):
        assert "needs none of your earlier units" in _cell(nb, grade_id), grade_id
