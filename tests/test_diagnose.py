"""Naming a mistake from how the values differ (:mod:`rnnlab.diagnose`), and the notes that
pass a used unit's diagnosis on (:func:`rnnlab.evaluate.link_dependencies`)."""

import numpy as np
import pytest

from rnnlab.cases import Case
from rnnlab.evaluate import CaseRaised, UnitOutcome, evaluate_unit, link_dependencies

RNG = np.random.default_rng(7)
X = RNG.normal(size=(3, 5, 4))   # a batch of N=3 sequences of T=5 steps
E = RNG.normal(size=(3, 5, 4))   # the expected values of some (N, T, H) output


def _case(dtype="float64", **arrays):
    return Case("unit", f"a case in {dtype}", "call", arrays or {"x": X}, {"dtype": dtype})


def _hints(got, expected=E, key="h", case=None, extra=None):
    """The hints for one wrong case whose value ``key`` came back as ``got``."""
    case = case or _case()
    want = {key: expected, **(extra or {})}
    values = {key: got, **(extra or {})}
    outcome = evaluate_unit("unit", [case], [want], lambda c, timeout: values)
    assert not outcome.ok
    return outcome.hint or ""


def _sig(z):
    return 1 / (1 + np.exp(-z))


RELATIONS = {
    "a mean for a sum": (E / 3, None, "divided by 3 (3 is the batch size)"),
    "a sum for a mean": (E * 5, None, "multiplied by 5 (5 is the number of time steps)"),
    "a sign": (-E, None, "opposite sign"),
    "no tanh": (np.arctanh(np.tanh(E)), np.tanh(E), "the tanh is likely missing"),
    "tanh twice": (np.tanh(np.tanh(E)), np.tanh(E), "a tanh is applied once too often"),
    "sigmoid for tanh": (_sig(E), np.tanh(E), "a sigmoid where a tanh belongs"),
    "relu for tanh": (np.maximum(E, 0), np.tanh(E), "a ReLU where a tanh belongs"),
    "no relu": (E, np.maximum(E, 0), "the ReLU is likely missing"),
    "no softmax": (E, np.exp(E) / np.exp(E).sum(-1, keepdims=True), "softmax is likely missing"),
    "extra softmax": (np.exp(E) / np.exp(E).sum(-1, keepdims=True), E, "a softmax is applied"),
    "softmax axis": (np.exp(E) / np.exp(E).sum(0, keepdims=True),
                     np.exp(E) / np.exp(E).sum(-1, keepdims=True), "over the wrong axis"),
    "reversed in time": (E[:, ::-1], None, "reverse order along axis 1 (time)"),
    "one step late": (np.concatenate([E[:, :1] * 0 + 9, E[:, :-1]], 1), None, "one step late"),
    "state not carried": (np.concatenate([E[:, :2], E[:, 2:] + 1], 1), None,
                          "right at the first 2 time step(s)"),
    "gradient from later steps": (np.concatenate([E[:, :3] - 1, E[:, 3:]], 1), None,
                                  "right at the last 2 time step(s)"),
    "gates in another order": (np.concatenate([E[..., 2:], E[..., :2]], -1), None,
                               "blocks of 2 along its last axis in another order"),
    "overflow": (np.where(E > 1, np.inf, E), None, "inf or NaN"),
    "nothing flows": (np.zeros_like(E), None, "all zeros"),
    "time-major reshape": (E.transpose(1, 0, 2).reshape(3, 5, 4), None, "in other places"),
    "axes swapped": (E.transpose(1, 0, 2), None, "axes in the wrong order"),
    "an axis missing": (E.sum(1), None, "an axis missing"),
}


@pytest.mark.parametrize("name", sorted(RELATIONS))
def test_a_relation_is_named(name):
    got, expected, words = RELATIONS[name]
    hint = _hints(got, E if expected is None else expected)
    assert words in hint, hint
    assert hint.startswith("Hint: your `h` ")


@pytest.mark.parametrize("name", ["a mean for a sum", "no tanh", "reversed in time",
                                  "state not carried", "gates in another order"])
def test_float32_values_get_the_same_hint(name):
    got, expected, words = RELATIONS[name]
    expected = E if expected is None else expected
    assert words in _hints(got.astype(np.float32), expected, case=_case("float32"))


def test_values_that_are_just_wrong_get_no_hint():
    assert _hints(E + RNG.normal(size=E.shape) * 0.1) == ""
    assert _hints(E * (1 + 1e-3 * RNG.normal(size=E.shape))) == ""


def test_a_few_numbers_are_not_called_a_multiple_of_the_right_ones():
    """Any scalar is some multiple of another: only a factor the case explains is named."""
    loss = np.float64(2.5)
    assert _hints(loss * 1.37, loss, key="loss") == ""
    assert "divided by 3 (3 is the batch size)" in _hints(loss / 3, loss, key="loss")


def test_the_relation_must_hold_on_every_failed_case():
    cases = [_case(), _case(x=RNG.normal(size=(4, 5, 4)))]
    e2 = RNG.normal(size=(4, 5, 4))
    both = evaluate_unit("unit", cases, [{"h": E}, {"h": e2}],
                         lambda c, timeout: {"h": (E / 3) if c is cases[0] else (e2 / 4)})
    assert "divided by" in both.hint and "the batch size" in both.hint  # 3 and 4: both N
    one = evaluate_unit("unit", cases, [{"h": E}, {"h": e2}],
                        lambda c, timeout: {"h": (E / 3) if c is cases[0] else (e2 + 1)})
    assert one.hint is None


def test_a_wrong_mask_is_named():
    mask = np.ones((3, 5), bool)
    mask[0, 3:] = mask[2, 4:] = False
    got = E.copy()
    got[~mask] += 1.0
    case = _case(x=X, mask=mask)
    assert "only at the padded positions (where `mask` is 0)" in _hints(got, case=case)
    scores = np.exp(E[..., 0])
    weights = np.where(mask, scores, 0.0) / np.where(mask, scores, 0.0).sum(1, keepdims=True)
    leaked = scores / scores.sum(1, keepdims=True)  # a softmax that ignores the mask
    assert "not zero at the padded positions" in _hints(leaked, weights, key="alpha",
                                                        case=case)


def test_tokens_that_differ_only_at_one_id_are_named():
    captions = np.array([[4, 5, 2, 0, 0], [4, 6, 7, 2, 0]])
    got = np.where(captions == 2, 0, captions)
    case = _case(x=X)
    assert "differs only where the expected id is 2, and holds 0" in _hints(
        got, captions, key="captions", case=case)


def test_two_results_swapped_are_named():
    h, c = E, RNG.normal(size=E.shape)
    case = _case()
    outcome = evaluate_unit("unit", [case], [{"h": h, "c": c}],
                            lambda cs, timeout: {"h": c, "c": h})
    assert "has the values expected for `c`" in outcome.hint


def test_a_declared_mistake_or_the_no_gradient_hint_comes_first():
    case = _case()
    outcome = evaluate_unit("unit", [case], [{"h": E}], lambda c, timeout: {"h": E / 3},
                            diagnose=lambda failures: "the declared one")
    assert outcome.mistake == "the declared one" and outcome.hint is None
    assert "Likely mistake: the declared one." in outcome.render()
    flows = evaluate_unit("unit", [case], [{"h": E, "dx": X}],
                          lambda c, timeout: {"h": E, "dx": np.zeros_like(X)})
    assert flows.hint.startswith("Likely mistake: every value that is off is exactly zero")


def test_cases_that_raise_get_no_hint():
    def run(case, timeout):
        raise CaseRaised("ValueError: shapes")
    assert evaluate_unit("unit", [_case()], [{"h": E}], run).hint is None


def _failed(name, mistake=None, hint=None):
    outcome = UnitOutcome(name, [], mistake=mistake, hint=hint)
    return outcome


def test_a_unit_repeats_the_diagnosis_of_the_unit_it_uses():
    """step -> forward -> layer: the layer's feedback names the step's mistake, through the
    forward pass that has no diagnosis of its own."""
    outcomes = {"step": _failed("step", mistake="the tanh is missing"),
                "forward": _failed("forward", hint="Hint: your `h` is off at step 2."),
                "layer": _failed("layer"),
                "other": _failed("other", hint="Hint: your `y` is all zeros.\nmore")}
    link_dependencies(["step", "forward", "other", "layer"], outcomes,
                      {"forward": ["step"], "layer": ["forward", "other"]},
                      {"step": "`step`", "forward": "`forward`", "other": "`other`"})
    assert outcomes["step"].depends == []
    forward = "\n".join(outcomes["forward"].depends)
    assert "this unit uses `step`, which fails its own checks too" in forward
    assert "(`step`: Likely mistake: the tanh is missing)" in forward
    assert outcomes["forward"].hint is None  # its own values' relations say little now
    layer = "\n".join(outcomes["layer"].depends)
    assert "uses `forward`, `other`, which fail their own checks too" in layer
    assert "(`forward`: Likely mistake: the tanh is missing)" in layer
    assert "(`other`: Hint: your `y` is all zeros.)" in layer
