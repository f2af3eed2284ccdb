"""Hidden tests of the ``captioning`` assignment.

Models are built through their CS231n-style constructor with a small fixed vocabulary and
every entry of ``model.params`` set from the case (``rnnlab/probes/captioning.py``), so the
reference values never depend on initialisers. Weights are ``linspace`` values (CS231n's own
captioning check is reproduced exactly) or seeded normals.

Greedy sampling and inverse-CDF location sampling return integers, compared exactly. Their
inputs are chosen so that no decision is close to a tie: the numpy references below check,
when this module builds its cases, that every argmax wins by a clear margin and that no
uniform number falls near a cumulative weight, so a correct float32 implementation cannot
flip a token by rounding. The attention weights that ``AttentionCaptioningLSTM.sample`` returns
are compared up to each caption's `<END>` only (the probe zeroes the later steps on both
sides): after it they depend on the word fed back, which the docstring leaves open.
"""

from __future__ import annotations

import numpy as np

from autograder.specs import Unit
from autograder.specs.case_builders import call_cases, layer_cases
from rnnlab.cases import Case, linspace, seeded_normal

DTYPES = ("float64", "float32")
VOCAB = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "cat", "dog", "on", "mat"]
WORD_TO_IDX = {w: i for i, w in enumerate(VOCAB)}
NULL, START, END = 0, 1, 2
MARGIN = 1e-3  # smallest accepted gap between the best and second-best word score

# CS231n's captioning sanity check (its vocabulary has no <START> or <END>).
CS231N_WORD_TO_IDX = {"<NULL>": 0, "cat": 2, "dog": 3}


def model_cases(unit: str, model: str, config: dict, weights: dict, inputs: dict,
                outputs: list[str], *, method: str, label: str, grads: bool = False,
                kwargs: dict | None = None, dtypes=DTYPES, upstream_seed: int = 0,
                grad_weights: list[str] | None = None,
                zero_after_end: dict | None = None) -> list[Case]:
    """Cases of the ``captioning.model`` probe, one per dtype.

    ``zero_after_end`` (``{"tokens": ..., "values": [...], "end": END}``) makes the probe zero
    the side outputs of sampling after each caption's first `<END>`, where the docstrings do
    not fix them.
    """
    arrays = dict(inputs)
    weight_keys = {}
    for name, value in weights.items():
        arrays["w:" + name] = value
        weight_keys[name] = "w:" + name
    return [
        Case(unit, f"{label}, {dtype}" + (", with gradients" if grads else ""),
             "captioning.model", arrays,
             {"model": model, "config": config, "weights": weight_keys, "method": method,
              "inputs": list(inputs), "kwargs": kwargs or {}, "outputs": list(outputs),
              "grads": grads, "dtype": dtype, "upstream_seed": upstream_seed,
              **({"grad_weights": grad_weights} if grad_weights else {}),
              **({"zero_after_end": zero_after_end} if zero_after_end else {})})
        for dtype in dtypes
    ]


# ---------------------------------------------------------------------------------------------
# CaptioningRNN and its every-step variant.


def rnn_weight_shapes(V, D, W, H, cell, image="h0") -> dict:
    G = 4 if cell == "lstm" else 1
    image_shapes = ({"W_proj": (D, H), "b_proj": (H,)} if image == "h0"
                    else {"W_img": (D, G * H)})
    return {"W_embed": (V, W), **image_shapes, "Wx": (W, G * H), "Wh": (H, G * H),
            "b": (G * H,), "W_vocab": (H, V), "b_vocab": (V,)}


SCALES = {"W_embed": 1.0, "W_proj": 0.6, "b_proj": 0.3, "W_img": 0.6, "Wx": 0.5, "Wh": 0.4,
          "b": 0.3, "W_vocab": 1.5, "b_vocab": 0.5}


def rnn_weights(V, D, W, H, cell, kind, seed=0, image="h0") -> dict:
    shapes = rnn_weight_shapes(V, D, W, H, cell, image)
    if kind == "linspace":
        return {name: linspace(-1.4, 1.3, shape) for name, shape in shapes.items()}
    return {name: seeded_normal(seed + i, shape, SCALES[name])
            for i, (name, shape) in enumerate(shapes.items())}


def caption_ids(seed: int, N: int, length: int, V: int) -> np.ndarray:
    """`(N, length)` captions: <START>, 1 to length - 2 words, <END>, <NULL> padding."""
    rng = np.random.default_rng(seed)
    out = np.zeros((N, length), dtype=np.int32)
    for n in range(N):
        words = int(rng.integers(1, length - 1))
        out[n, 0] = START
        out[n, 1:1 + words] = rng.integers(3, V, words)
        out[n, 1 + words] = END
    return out


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_cell(x, h, c, Wx, Wh, b, cell):
    a = x @ Wx + h @ Wh + b
    if cell == "rnn":
        return np.tanh(a), c
    H = h.shape[1]
    i, f, o, g = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 2 * H:3 * H]), np.tanh(a[:, 3 * H:])
    c = f * c + i * g
    return o * np.tanh(c), c


def np_rnn_sample(w, features, cell, image, max_length):
    """Greedy sampling in float64 numpy; returns (ids, smallest top-2 score gap)."""
    N, H = features.shape[0], w["Wh"].shape[0]
    if image == "h0":
        h, bias = features @ w["W_proj"] + w["b_proj"], w["b"]
    else:
        h, bias = np.zeros((N, H)), w["b"] + features @ w["W_img"]
    c = np.zeros((N, H))
    word = np.full(N, START)
    done = np.zeros(N, bool)
    ids, margin = [], np.inf
    for _ in range(max_length):
        h, c = np_cell(w["W_embed"][word], h, c, w["Wx"], w["Wh"], bias, cell)
        scores = h @ w["W_vocab"] + w["b_vocab"]
        top2 = np.sort(scores, axis=1)[:, -2:]
        if (~done).any():
            margin = min(margin, float(np.min((top2[:, 1] - top2[:, 0])[~done])))
        word = np.where(done, NULL, np.argmax(scores, axis=1))
        ids.append(word)
        done |= word == END
    return np.stack(ids, axis=1), margin


def _sample_ok(ids, margin) -> bool:
    """No decision near a tie, and some captions end within max_length while others do not."""
    ended = (ids == END).any(axis=1)
    return margin >= MARGIN and ended.any() and not ended.all()


def _favour_end(weights: dict) -> dict:
    """Makes <END> likelier and <NULL> unlikely, as in a trained model."""
    weights = dict(weights)
    b_vocab = weights["b_vocab"].copy()
    b_vocab[END] += 1.0
    b_vocab[NULL] -= 3.0
    weights["b_vocab"] = b_vocab
    return weights


def first_good_seed(make, seed: int, what: str, tries: int = 200):
    """The first seed from `seed` on whose inputs pass `_sample_ok` (deterministic).

    Args:
        make: `seed -> (inputs, ids, margin)`.

    Returns:
        `(seed, inputs)`.
    """
    for s in range(seed, seed + tries):
        inputs, ids, margin = make(s)
        if _sample_ok(ids, margin):
            return s, inputs
    raise ValueError(f"captioning spec: {what}: no seed in [{seed}, {seed + tries}) gives "
                     "clear greedy decisions")


def _rnn_config(D, W, H, cell, word_to_idx=WORD_TO_IDX):
    return {"word_to_idx": word_to_idx, "input_dim": D, "wordvec_dim": W, "hidden_dim": H,
            "cell_type": cell}


def captioning_rnn_loss() -> Unit:
    unit, model = "captioning_rnn_loss", "CaptioningRNN"
    public, hidden = [], []
    # CS231n's checks: N=10 D=20 W=30 H=40, linspace weights; loss 9.83235591003 (rnn,
    # features from -1.5 to 0.3) and 9.82445935443 (lstm, features from -0.5 to 1.7).
    N, D, W, H, T = 10, 20, 30, 40, 13
    V = len(CS231N_WORD_TO_IDX)
    for cell, low, high in (("rnn", -1.5, 0.3), ("lstm", -0.5, 1.7)):
        public += model_cases(
            unit, model, _rnn_config(D, W, H, cell, CS231N_WORD_TO_IDX),
            rnn_weights(V, D, W, H, cell, "linspace"),
            {"features": linspace(low, high, (N, D)),
             "captions": (np.arange(N * T) % V).reshape(N, T).astype(np.int32)},
            ["loss"], method="loss", grads=True, dtypes=("float64",),
            label=f"CS231n's check, {cell}, N=10 D=20 W=30 H=40 T=13")
    for cell, seed in (("rnn", 10), ("lstm", 20)):
        N, D, W, H, T1 = 4, 5, 3, 6, 7
        V = len(VOCAB)
        public += model_cases(
            unit, model, _rnn_config(D, W, H, cell), rnn_weights(V, D, W, H, cell, "normal", seed),
            {"features": seeded_normal(seed + 50, (N, D)), "captions": caption_ids(seed, N, T1, V)},
            ["loss"], method="loss", grads=True, dtypes=("float32",), upstream_seed=1,
            label=f"random, {cell}, N=4 D=5 W=3 H=6 T=6, padded")
        hidden += model_cases(
            unit, model, _rnn_config(D, W, H, cell), rnn_weights(V, D, W, H, cell, "normal", seed),
            {"features": seeded_normal(seed + 50, (N, D)), "captions": caption_ids(seed, N, T1, V)},
            ["loss"], method="loss", grads=True, dtypes=("float64",), upstream_seed=1,
            label=f"random, {cell}, N=4 D=5 W=3 H=6 T=6, padded")
    # Large word scores (W_vocab scaled up: scores ~1e3): the log of a softmax is -inf there,
    # where the softmax underflows to 0; tf.nn.log_softmax is exact.
    N, D, W, H, T1 = 3, 4, 3, 5, 6
    V = len(VOCAB)
    weights = rnn_weights(V, D, W, H, "rnn", "normal", 60)
    weights["W_vocab"] = 1000.0 * weights["W_vocab"]
    public += model_cases(
        unit, model, _rnn_config(D, W, H, "rnn"), weights,
        {"features": seeded_normal(110, (N, D)), "captions": caption_ids(60, N, T1, V)},
        ["loss"], method="loss", grads=True, dtypes=("float64",), upstream_seed=1,
        label="large scores (~1e3: the softmax underflows), rnn, N=3 D=4 W=3 H=5 T=5")
    for cell, seed in (("rnn", 30), ("lstm", 40)):
        N, D, W, H, T1 = 3, 2, 4, 5, 10
        V = len(VOCAB)
        captions = caption_ids(seed, N, T1, V)
        captions[1, 1:] = [END] + [NULL] * (T1 - 2)  # an empty caption
        hidden += model_cases(
            unit, model, _rnn_config(D, W, H, cell), rnn_weights(V, D, W, H, cell, "normal", seed),
            {"features": seeded_normal(seed + 50, (N, D), 2.0), "captions": captions},
            ["loss"], method="loss", grads=True, upstream_seed=2,
            label=f"random, {cell}, N=3 D=2 W=4 H=5 T=9, one empty caption")
    return Unit(unit, [model], public=public, hidden=hidden)


def _sample_cases(unit, model, cell, image, seed, N, D, W, H, max_length, label, dtypes):
    V = len(VOCAB)

    def make(s):
        weights = _favour_end(rnn_weights(V, D, W, H, cell, "normal", s, image))
        features = seeded_normal(s + 50, (N, D), 1.5)
        ids, margin = np_rnn_sample(weights, features, cell, image, max_length)
        return (weights, features), ids, margin

    seed, (weights, features) = first_good_seed(make, seed, f"{unit} {cell}")
    return model_cases(unit, model, _rnn_config(D, W, H, cell), weights,
                       {"features": features}, ["captions"], method="sample",
                       kwargs={"max_length": {"value": max_length}}, dtypes=dtypes,
                       label=f"{label}, {cell}, N={N} D={D} W={W} H={H} max_length={max_length}")


def captioning_rnn_sample() -> Unit:
    unit, model = "captioning_rnn_sample", "CaptioningRNN"
    return Unit(
        unit, [model],
        public=_sample_cases(unit, model, "rnn", "h0", 100, 5, 4, 3, 6, 10, "random", ("float64",))
        + _sample_cases(unit, model, "lstm", "h0", 110, 5, 4, 3, 6, 10, "random", ("float32",)),
        hidden=_sample_cases(unit, model, "rnn", "h0", 120, 6, 3, 5, 4, 12, "random", DTYPES)
        + _sample_cases(unit, model, "lstm", "h0", 130, 6, 3, 5, 4, 12, "random", DTYPES),
    )


def image_every_step() -> Unit:
    unit, model = "image_every_step", "ImageEveryStepCaptioningRNN"
    public, hidden = [], []
    for cell, seed in (("rnn", 200), ("lstm", 210)):
        N, D, W, H, T1 = 4, 5, 3, 6, 7
        V = len(VOCAB)
        cases = model_cases(
            unit, model, _rnn_config(D, W, H, cell),
            rnn_weights(V, D, W, H, cell, "normal", seed, image="every_step"),
            {"features": seeded_normal(seed + 50, (N, D)), "captions": caption_ids(seed, N, T1, V)},
            ["loss"], method="loss", grads=True, upstream_seed=3,
            label=f"random, {cell}, N=4 D=5 W=3 H=6 T=6")
        public.append(cases[0] if cell == "rnn" else cases[1])
        hidden.append(cases[1] if cell == "rnn" else cases[0])
    # The inherited `sample` too: the visible check must catch sampling mistakes as well.
    public += _sample_cases(unit, model, "lstm", "every_step", 240, 4, 3, 5, 4, 10, "random",
                            ("float64",))
    # A vanilla one as well: the LSTM case above samples the same words when <START> is fed at
    # every step, so the visible check could not name that mistake.
    public += _sample_cases(unit, model, "rnn", "every_step", 250, 4, 3, 5, 4, 10, "random",
                            ("float64",))
    hidden += _sample_cases(unit, model, "rnn", "every_step", 220, 6, 3, 5, 4, 12, "random",
                            DTYPES)
    hidden += _sample_cases(unit, model, "lstm", "every_step", 230, 6, 3, 5, 4, 12, "random",
                            DTYPES)
    return Unit(unit, [model], public=public, hidden=hidden)


# ---------------------------------------------------------------------------------------------
# The CNN encoder and the training step.


def _encoder_case(unit, filters, strides, N, S, seed, label, dtypes):
    weights, channels = {}, 5
    for i, f in enumerate(filters):
        weights[f"conv{i + 1}/kernel"] = seeded_normal(seed + 2 * i, (3, 3, channels, f),
                                                       (9 * channels) ** -0.5 * 1.5)
        weights[f"conv{i + 1}/bias"] = seeded_normal(seed + 2 * i + 1, (f,), 0.1)
        channels = f
    images = np.random.default_rng(seed + 99).random((N, S, S, 3))
    return layer_cases(unit, "ImageEncoder", {"filters": list(filters), "strides": list(strides)},
                       weights, {"images": images}, ["summary", "grid"], grad_inputs=["images"],
                       dtypes=dtypes, upstream_seed=seed, label=label)


def image_encoder() -> Unit:
    unit = "image_encoder"
    return Unit(
        unit, ["ImageEncoder"],
        public=_encoder_case(unit, (3, 4), (2, 1), 2, 8, 300,
                             "filters (3, 4), strides (2, 1), N=2 S=8 -> L=16 D=4", DTYPES),
        hidden=_encoder_case(unit, (2, 3, 4), (2, 2, 1), 3, 12, 310,
                             "filters (2, 3, 4), strides (2, 2, 1), N=3 S=12 -> L=9 D=4", DTYPES)
        + _encoder_case(unit, (5,), (1,), 1, 5, 320,
                        "filters (5,), strides (1,), N=1 S=5 -> L=25 D=5", ("float64",)),
    )


def _train_case(unit, label, dtype, optimizer, steps, clip_norm=None, report="trajectory",
                seed=400, threshold=None, N=6, D=5, hidden=8, classes=4, scale=1.0):
    """A case of the ``captioning.train_step`` probe (a small classifier on a fixed batch)."""
    arrays = {"x": seeded_normal(seed, (N, D), scale),
              "y": np.random.default_rng(seed + 1).integers(0, classes, N).astype(np.int32),
              "w:W1": seeded_normal(seed + 2, (D, hidden), D**-0.5),
              "w:b1": seeded_normal(seed + 3, (hidden,), 0.1),
              "w:W2": seeded_normal(seed + 4, (hidden, classes), hidden**-0.5),
              "w:b2": seeded_normal(seed + 5, (classes,), 0.1)}
    params = {"fn": "make_train_step", "optimizer": optimizer, "clip_norm": clip_norm,
              "steps": steps, "report": report, "dtype": dtype}
    if report == "overfit":
        params["threshold"] = threshold
    return Case(unit, f"{label}, {dtype}", "captioning.train_step", arrays, params)


def make_train_step() -> Unit:
    unit = "make_train_step"
    sgd = {"kind": "sgd", "learning_rate": 0.1, "momentum": 0.9}
    return Unit(
        unit, ["make_train_step"],
        public=[
            _train_case(unit, "4 steps of SGD with momentum on a small classifier", "float64",
                        sgd, 4),
            _train_case(unit, "3 steps of SGD with momentum, gradients clipped to norm 0.5",
                        "float64", sgd, 3, clip_norm=0.5, seed=440, scale=3.0),
            _train_case(unit, "a small batch overfits (8 examples, Adam, 100 steps, loss < 0.05)",
                        "float32", {"kind": "adam", "learning_rate": 0.05}, 100,
                        report="overfit", threshold=0.05, seed=420, N=8, hidden=16),
        ],
        hidden=[
            _train_case(unit, "4 steps of SGD with momentum, gradients clipped to norm 0.5",
                        "float32", sgd, 4, clip_norm=0.5, seed=410, scale=3.0),
            _train_case(unit, "4 steps of SGD with momentum, clip norm 100 (not reached)",
                        "float64", sgd, 4, clip_norm=100.0, seed=430),
        ],
    )


# ---------------------------------------------------------------------------------------------
# Soft attention.


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attention_weights() -> Unit:
    unit = fn = "attention_weights"

    def inputs(N, L, H, A, seed):
        return {"prev_h": seeded_normal(seed, (N, H)), "keys": seeded_normal(seed + 1, (N, L, A)),
                "W_att_h": seeded_normal(seed + 2, (H, A), 0.5),
                "w_att": seeded_normal(seed + 3, (A,), 1.0)}

    grads = ["prev_h", "keys", "W_att_h", "w_att"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, inputs(3, 4, 5, 6, 500), ["alpha"], grad_wrt=grads,
                          label="random N=3 L=4 H=5 A=6"),
        hidden=call_cases(unit, fn, inputs(2, 9, 3, 4, 510), ["alpha"], grad_wrt=grads,
                          label="random N=2 L=9 H=3 A=4", upstream_seed=4)
        + call_cases(unit, fn, inputs(1, 1, 2, 2, 520), ["alpha"], grad_wrt=grads,
                     label="random N=1 L=1 H=2 A=2 (one location: alpha = 1)",
                     dtypes=("float64",)),
    )


def context_vector() -> Unit:
    unit = fn = "context_vector"

    def inputs(N, L, D, seed):
        return {"alpha": _softmax(seeded_normal(seed, (N, L), 2.0)),
                "grid": seeded_normal(seed + 1, (N, L, D))}

    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, inputs(3, 4, 5, 600), ["context"], grad_wrt=["alpha", "grid"],
                          label="random N=3 L=4 D=5"),
        hidden=call_cases(unit, fn, inputs(2, 16, 3, 610), ["context"],
                          grad_wrt=["alpha", "grid"], label="random N=2 L=16 D=3",
                          upstream_seed=5),
    )


def attention_lstm_step() -> Unit:
    unit = fn = "attention_lstm_step"

    def inputs(N, W, H, D, seed):
        return {"x": seeded_normal(seed, (N, W)), "prev_h": seeded_normal(seed + 1, (N, H)),
                "prev_c": seeded_normal(seed + 2, (N, H)),
                "context": seeded_normal(seed + 3, (N, D)),
                "Wx": seeded_normal(seed + 4, (W, 4 * H), 0.4),
                "Wh": seeded_normal(seed + 5, (H, 4 * H), 0.4),
                "Wz": seeded_normal(seed + 6, (D, 4 * H), 0.4),
                "b": seeded_normal(seed + 7, (4 * H,), 0.3)}

    grads = ["x", "prev_h", "prev_c", "context", "Wx", "Wh", "Wz", "b"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, inputs(3, 4, 5, 6, 700), ["next_h", "next_c"],
                          grad_wrt=grads, label="random N=3 W=4 H=5 D=6"),
        hidden=call_cases(unit, fn, inputs(2, 3, 2, 7, 710), ["next_h", "next_c"],
                          grad_wrt=grads, label="random N=2 W=3 H=2 D=7", upstream_seed=6),
    )


ATT_SCALES = {"W_init_h": 0.6, "b_init_h": 0.3, "W_init_c": 0.6, "b_init_c": 0.3,
              "W_embed": 1.0, "Wx": 0.5, "Wh": 0.4, "Wz": 0.5, "b": 0.3, "W_att_feat": 0.6,
              "b_att": 0.3, "W_att_h": 0.6, "w_att": 1.0, "W_vocab": 1.5, "W_vocab_z": 0.8,
              "b_vocab": 0.5}


def attention_weight_shapes(V, D, W, H, A) -> dict:
    return {"W_init_h": (D, H), "b_init_h": (H,), "W_init_c": (D, H), "b_init_c": (H,),
            "W_embed": (V, W), "Wx": (W, 4 * H), "Wh": (H, 4 * H), "Wz": (D, 4 * H),
            "b": (4 * H,), "W_att_feat": (D, A), "b_att": (A,), "W_att_h": (H, A),
            "w_att": (A,), "W_vocab": (H, V), "W_vocab_z": (D, V), "b_vocab": (V,)}


def attention_model_weights(V, D, W, H, A, seed) -> dict:
    return {name: seeded_normal(seed + i, shape, ATT_SCALES[name])
            for i, (name, shape) in enumerate(attention_weight_shapes(V, D, W, H, A).items())}


def np_attention_sample(w, grid, max_length):
    """Greedy sampling with soft attention in float64 numpy: (ids, alphas, smallest gap)."""
    N = grid.shape[0]
    mean = grid.mean(axis=1)
    h, c = mean @ w["W_init_h"] + w["b_init_h"], mean @ w["W_init_c"] + w["b_init_c"]
    keys = grid @ w["W_att_feat"] + w["b_att"]
    word = np.full(N, START)
    done = np.zeros(N, bool)
    ids, alphas, margin = [], [], np.inf
    for _ in range(max_length):
        alpha = _softmax(np.tanh(keys + (h @ w["W_att_h"])[:, None, :]) @ w["w_att"])
        context = np.einsum("nl,nld->nd", alpha, grid)
        h, c = np_cell(w["W_embed"][word], h, c, w["Wx"], w["Wh"], w["b"] + context @ w["Wz"],
                       "lstm")
        scores = h @ w["W_vocab"] + context @ w["W_vocab_z"] + w["b_vocab"]
        top2 = np.sort(scores, axis=1)[:, -2:]
        if (~done).any():
            margin = min(margin, float(np.min((top2[:, 1] - top2[:, 0])[~done])))
        word = np.where(done, NULL, np.argmax(scores, axis=1))
        ids.append(word)
        alphas.append(alpha)
        done |= word == END
    return np.stack(ids, axis=1), np.stack(alphas, axis=1), margin


def _attention_config(D, W, H, A):
    return {"word_to_idx": WORD_TO_IDX, "input_dim": D, "wordvec_dim": W, "hidden_dim": H,
            "attention_dim": A}


def _attention_loss_cases(unit, seed, N, L, D, W, H, A, T1, label, dtypes, upstream_seed=0):
    V = len(VOCAB)
    weights = attention_model_weights(V, D, W, H, A, seed)
    grid = np.abs(seeded_normal(seed + 50, (N, L, D)))
    captions = caption_ids(seed, N, T1, V)
    config = _attention_config(D, W, H, A)
    model = "AttentionCaptioningLSTM"
    shape = f"N={N} L={L} D={D} W={W} H={H} A={A} T={T1 - 1}"
    return (model_cases(unit, model, config, weights,
                        {"grid": grid, "captions_in": captions[:, :-1]}, ["scores", "alphas"],
                        method="forward", grads=True, dtypes=dtypes, upstream_seed=upstream_seed,
                        label=f"forward, {label}, {shape}")
            + model_cases(unit, model, config, weights, {"grid": grid, "captions": captions},
                          ["loss"], method="loss", grads=True, dtypes=dtypes,
                          upstream_seed=upstream_seed, label=f"loss, {label}, {shape}"))


def attention_captioning_loss() -> Unit:
    unit = "attention_captioning_loss"
    return Unit(
        unit, ["AttentionCaptioningLSTM"],
        public=_attention_loss_cases(unit, 800, 3, 4, 5, 3, 6, 4, 6, "random", DTYPES),
        hidden=_attention_loss_cases(unit, 810, 2, 9, 3, 4, 5, 3, 9, "random", DTYPES,
                                     upstream_seed=7),
    )


def _attention_sample_cases(unit, seed, N, L, D, W, H, A, max_length, dtypes):
    V = len(VOCAB)

    def make(s):
        weights = _favour_end(attention_model_weights(V, D, W, H, A, s))
        grid = np.abs(seeded_normal(s + 50, (N, L, D), 1.5))
        ids, _, margin = np_attention_sample(weights, grid, max_length)
        return (weights, grid), ids, margin

    seed, (weights, grid) = first_good_seed(make, seed, unit)
    return model_cases(unit, "AttentionCaptioningLSTM", _attention_config(D, W, H, A), weights,
                       {"grid": grid}, ["captions", "alphas"], method="sample",
                       kwargs={"max_length": {"value": max_length}}, dtypes=dtypes,
                       # The weights of the steps after a caption's <END> depend on the word
                       # fed back after it, which the docstring leaves open: not compared.
                       zero_after_end={"tokens": "captions", "values": ["alphas"], "end": END},
                       label=f"random, N={N} L={L} D={D} W={W} H={H} A={A} "
                             f"max_length={max_length}, weights up to each <END>")


def attention_captioning_sample() -> Unit:
    unit = "attention_captioning_sample"
    return Unit(
        unit, ["AttentionCaptioningLSTM"],
        public=_attention_sample_cases(unit, 900, 5, 4, 5, 3, 6, 4, 10, ("float64",)),
        hidden=_attention_sample_cases(unit, 910, 6, 9, 3, 4, 5, 3, 12, DTYPES),
    )


# ---------------------------------------------------------------------------------------------
# Hard attention.


def _location_inputs(N, L, seed, one_hot_rows=0):
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        alpha = _softmax(rng.standard_normal((N, L)) * 1.5)
        for n in range(one_hot_rows):
            alpha[n] = 0.0
            alpha[n, rng.integers(L)] = 1.0
        u = rng.random(N)
        cdf = np.cumsum(alpha, axis=1)
        if np.min(np.abs(cdf - u[:, None])) > 1e-3:
            return {"alpha": alpha, "u": u}
    raise ValueError("captioning spec: could not draw location inputs away from ties")


def np_sample_locations(alpha, u):
    return np.minimum((np.cumsum(alpha, axis=1) <= u[:, None]).sum(axis=1), alpha.shape[1] - 1)


def sample_locations() -> Unit:
    unit = fn = "sample_locations"
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _location_inputs(6, 5, 1000), ["locations"],
                          label="random N=6 L=5"),
        hidden=call_cases(unit, fn, _location_inputs(40, 16, 1010, one_hot_rows=4),
                          ["locations"], label="random N=40 L=16, 4 one-hot rows")
        + call_cases(unit, fn, _location_inputs(3, 1, 1020), ["locations"],
                     label="N=3 L=1", dtypes=("float32",))
        # u exactly on a cumulative weight (dyadic, so exact in both dtypes): the first
        # location whose cumulative weight is strictly greater than u.
        + call_cases(unit, fn, {"alpha": np.array([[0.25, 0.25, 0.5], [0.5, 0.25, 0.25],
                                                   [0.125, 0.375, 0.5]]),
                                "u": np.array([0.25, 0.75, 0.5])}, ["locations"],
                     label="N=3 L=3, u equal to a cumulative weight")
        # Rows that sum to a little less than 1 (as rounded softmax rows can) and u above their
        # total: the location stays L - 1 (and N < L, so a guard with N - 1 is caught).
        + call_cases(unit, fn, {"alpha": np.array([[0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.099999],
                                                   [0.05, 0.05, 0.4, 0.2, 0.1, 0.1, 0.099999]]),
                                "u": np.array([0.9999995, 0.42])}, ["locations"],
                     label="N=2 L=7, a row summing to 1 - 1e-6 and u above it"),
    )


def _reinforce_inputs(N, T, seed, p=0.7):
    rng = np.random.default_rng(seed)
    mask = rng.random((N, T)) < p
    mask[:, 0] = True
    return {"log_probs": np.log(rng.uniform(0.05, 1.0, (N, T))),
            "rewards": -rng.uniform(0.5, 20.0, N),
            "baseline": np.array(-8.0 + rng.standard_normal()),
            "mask": mask}


def reinforce_loss() -> Unit:
    unit = fn = "reinforce_loss"
    grads = ["log_probs", "rewards", "baseline"]
    return Unit(
        unit, [fn],
        public=call_cases(unit, fn, _reinforce_inputs(4, 5, 1100), ["loss"], grad_wrt=grads,
                          label="random N=4 T=5, 30% masked"),
        hidden=call_cases(unit, fn, _reinforce_inputs(7, 3, 1110, p=0.4), ["loss"],
                          grad_wrt=grads, label="random N=7 T=3, 60% masked", upstream_seed=8)
        + call_cases(unit, fn, _reinforce_inputs(2, 6, 1120, p=1.0), ["loss"], grad_wrt=grads,
                     label="random N=2 T=6, no mask", dtypes=("float64",)),
    )


# ---------------------------------------------------------------------------------------------
# Visual question answering.


VQA_SCALES = {"W_embed": 1.0, "Wx": 0.5, "Wh": 0.4, "b": 0.3, "W_att_feat": 0.6, "b_att": 0.3,
              "W_att_h": 0.6, "w_att": 1.0, "W_q": 0.5, "W_z": 0.5, "b_hidden": 0.3,
              "W_answer": 1.0, "b_answer": 0.5}


def vqa_weights(V, K, D, W, H, A, seed) -> dict:
    shapes = {"W_embed": (V, W), "Wx": (W, 4 * H), "Wh": (H, 4 * H), "b": (4 * H,),
              "W_att_feat": (D, A), "b_att": (A,), "W_att_h": (H, A), "w_att": (A,),
              "W_q": (H, H), "W_z": (D, H), "b_hidden": (H,), "W_answer": (H, K),
              "b_answer": (K,)}
    return {name: seeded_normal(seed + i, shape, VQA_SCALES[name])
            for i, (name, shape) in enumerate(shapes.items())}


def question_ids(seed, N, Tq, V, empty_row=False):
    """`(N, Tq)` questions of 1 to Tq words (ids >= 3), padded with <NULL> at the end."""
    rng = np.random.default_rng(seed)
    out = np.zeros((N, Tq), dtype=np.int32)
    for n in range(N):
        words = int(rng.integers(1, Tq + 1))
        out[n, :words] = rng.integers(3, V, words)
    if empty_row:
        out[-1] = 0
    return out


def _vqa_cases(unit, method, outputs, seed, N, L, D, W, H, A, Tq, label, dtypes,
               upstream_seed=0, empty_row=False):
    V, K = len(VOCAB), 5
    config = {"vocab_size": V, "num_answers": K, "input_dim": D, "wordvec_dim": W,
              "hidden_dim": H, "attention_dim": A}
    inputs = {"questions": question_ids(seed, N, Tq, V, empty_row)}
    if method == "__call__":
        inputs = {"grid": np.abs(seeded_normal(seed + 50, (N, L, D))), **inputs}
    grad_weights = ["W_embed", "Wx", "Wh", "b"] if method == "encode_question" else None
    return model_cases(unit, "VQAModel", config, vqa_weights(V, K, D, W, H, A, seed), inputs,
                       outputs, method=method, grads=True, dtypes=dtypes,
                       upstream_seed=upstream_seed, grad_weights=grad_weights,
                       label=f"{label}, N={N} L={L} D={D} W={W} H={H} A={A} Tq={Tq}")


def vqa_question_encoder() -> Unit:
    unit = "vqa_question_encoder"
    return Unit(
        unit, ["VQAModel"],
        public=_vqa_cases(unit, "encode_question", ["q"], 1200, 4, 4, 5, 3, 6, 4, 6,
                          "padded questions", DTYPES),
        hidden=_vqa_cases(unit, "encode_question", ["q"], 1210, 5, 4, 5, 4, 3, 4, 8,
                          "padded questions, one empty", DTYPES, upstream_seed=9,
                          empty_row=True),
    )


def vqa_model() -> Unit:
    unit = "vqa_model"
    return Unit(
        unit, ["VQAModel"],
        public=_vqa_cases(unit, "__call__", ["scores", "alpha"], 1300, 3, 4, 5, 3, 6, 4, 5,
                          "scores and attention", DTYPES),
        hidden=_vqa_cases(unit, "__call__", ["scores", "alpha"], 1310, 4, 9, 3, 4, 5, 3, 7,
                          "scores and attention", DTYPES, upstream_seed=10),
    )


def units() -> list[Unit]:
    return [captioning_rnn_loss(), captioning_rnn_sample(), image_every_step(), image_encoder(),
            make_train_step(), attention_weights(), context_vector(), attention_lstm_step(),
            attention_captioning_loss(), attention_captioning_sample(), sample_locations(),
            reinforce_loss(), vqa_question_encoder(), vqa_model()]
