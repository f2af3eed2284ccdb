"""Visible checks of the ``rnn`` assignment (one per graded unit)."""

from rnnlab.checks import run_check


def check_rnn_step_forward(rnn_step_forward):
    """Checks `next_h` and its gradients w.r.t. every input, in float64 and float32."""
    run_check("rnn", "rnn_step_forward", rnn_step_forward=rnn_step_forward)


def check_rnn_step_backward(rnn_step_backward):
    """Checks `dx, dprev_h, dWx, dWh, db` from your hand-written backward pass."""
    run_check("rnn", "rnn_step_backward", rnn_step_backward=rnn_step_backward)


def check_rnn_forward(rnn_forward):
    """Checks the hidden states `h` of a whole sequence and their gradients."""
    run_check("rnn", "rnn_forward", rnn_forward=rnn_forward)


def check_temporal_softmax_loss(temporal_softmax_loss):
    """Checks the masked loss (summed over time, averaged over the batch) and `dx`."""
    run_check("rnn", "temporal_softmax_loss", temporal_softmax_loss=temporal_softmax_loss)


def check_rnn_backward(rnn_backward):
    """Checks `dx, dh0, dWx, dWh, db` from your backpropagation through time."""
    run_check("rnn", "rnn_backward", rnn_backward=rnn_backward)


def check_word_embedding_forward(word_embedding_forward):
    """Checks the looked-up vectors and the gradient w.r.t. `W_embed` (repeated ids add up)."""
    run_check("rnn", "word_embedding_forward", word_embedding_forward=word_embedding_forward)


def check_temporal_affine_forward(temporal_affine_forward):
    """Checks the per-step affine outputs and their gradients w.r.t. `x`, `w` and `b`."""
    run_check("rnn", "temporal_affine_forward", temporal_affine_forward=temporal_affine_forward)


def check_VanillaRNN(VanillaRNN):
    """Builds your layer, sets `Wx`, `Wh`, `b` by name, and checks outputs and gradients
    (with and without `return_sequences`, from zeros and from an `initial_state`)."""
    run_check("rnn", "VanillaRNN", VanillaRNN=VanillaRNN)


def check_MultilayerRNN(MultilayerRNN):
    """Sets `rnn_0/Wx`, `rnn_1/Wx`, ... by name and checks the top layer's states."""
    run_check("rnn", "MultilayerRNN", MultilayerRNN=MultilayerRNN)


def check_CharRNN(CharRNN):
    """Sets the model's six weights by name and checks its scores and gradients."""
    run_check("rnn", "CharRNN", CharRNN=CharRNN)


def check_train_step(train_step):
    """Runs one step with SGD on a model with fixed weights; checks the loss, the gradient norm
    and every weight after the update."""
    run_check("rnn", "train_step", train_step=train_step)


def check_sample(sample):
    """Samples from a model with fixed weights; the ids must match exactly."""
    run_check("rnn", "sample", sample=sample)


def check_train_tbptt(train_tbptt):
    """Runs truncated BPTT with SGD on a fixed stream; checks every chunk's loss and carried
    state, and the weights after the last chunk."""
    run_check("rnn", "train_tbptt", train_tbptt=train_tbptt)


def check_SentimentClassifier(SentimentClassifier):
    """Sets the weights by name; checks the scores of padded sentences and their gradients."""
    run_check("rnn", "SentimentClassifier", SentimentClassifier=SentimentClassifier)


def check_FrameClassifier(FrameClassifier):
    """Sets the weights by name; checks the per-frame scores and their gradients."""
    run_check("rnn", "FrameClassifier", FrameClassifier=FrameClassifier)
