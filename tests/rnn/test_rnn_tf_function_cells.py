"""tf.function in notebook cells behaves under the grader as in Jupyter: AutoGraph can read the
cell's source, so Python control flow over tensors (a student's own clipping, say) converts."""

import pytest

from rnnlab.notebook import format_exception, run_definitions

CELL = '''
import tensorflow as tf

@tf.function
def clip(g, max_norm):
    norm = tf.norm(g)
    if norm > max_norm:
        g = g * max_norm / norm
    return g
'''


def notebook(*sources):
    return {"cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": []}
                      for s in sources], "nbformat": 4}


def test_tensor_dependent_if_in_a_tf_function_cell_converts():
    run = run_definitions(notebook(CELL))
    assert run.errors == []
    import tensorflow as tf

    assert float(tf.norm(run.namespace["clip"](tf.constant([3.0, 4.0]), 1.0))) == 1.0


def test_two_notebooks_in_one_process_keep_their_own_sources():
    first = run_definitions(notebook(CELL))
    second = run_definitions(notebook(CELL.replace("max_norm / norm", "0.0")))
    import tensorflow as tf

    g = tf.constant([3.0, 4.0])
    assert float(tf.norm(second.namespace["clip"](g, 1.0))) == 0.0
    assert float(tf.norm(first.namespace["clip"](g, 1.0))) == 1.0


def test_error_locations_still_name_the_cell():
    run = run_definitions(notebook("x = 1", "raise ValueError('boom')"))
    assert run.errors[0].index == 1
    assert run.errors[0].error == "ValueError: boom (line 1 of that cell)"
    try:
        exec(compile("1/0", "<cell 7, run 3>", "exec"), {})  # noqa: S102
    except ZeroDivisionError as exc:
        assert format_exception(exc).endswith("(line 1 of that cell)")
    # Inside a function, the place is the function, as a student finds it in Jupyter
    # (whose cells are files of ipykernel's); a line number alone would not say which cell.
    for filename in ("<cell 3, run 1>", "/tmp/ipykernel_41/2270.py"):
        ns = {}
        exec(compile("class Stack:\n    def call(self):\n        return 1/0\n", filename,  # noqa: S102
                     "exec"), ns)
        try:
            ns["Stack"]().call()
        except ZeroDivisionError as exc:
            assert format_exception(exc).endswith("(in `Stack.call`, line 3 of its cell)"), filename


def test_a_stub_inside_a_tf_function_still_reads_not_implemented():
    stub = "import tensorflow as tf\n\n@tf.function\ndef step(x):\n    raise NotImplementedError()\n"
    run = run_definitions(notebook(stub))
    import tensorflow as tf

    with pytest.raises(NotImplementedError) as info:
        run.namespace["step"](tf.constant(1.0))
    assert "in user code" in str(info.value)  # AutoGraph converted and wrapped it
    assert format_exception(info.value).startswith("NotImplementedError: not implemented yet")
