"""Visible checks of the ``captioning`` assignment (one per graded unit)."""

from rnnlab.checks import run_check


def check_captioning_rnn_loss(CaptioningRNN):
    """Checks `CaptioningRNN.loss` and its gradients w.r.t. every weight (rnn and lstm),
    starting with CS231n's own check (loss ~9.8324 for rnn, ~9.8245 for lstm)."""
    run_check("captioning", "captioning_rnn_loss", CaptioningRNN=CaptioningRNN)


def check_captioning_rnn_sample(CaptioningRNN):
    """Checks the greedy captions of `CaptioningRNN.sample` (token ids, exactly)."""
    run_check("captioning", "captioning_rnn_sample", CaptioningRNN=CaptioningRNN)


def check_image_every_step(ImageEveryStepCaptioningRNN):
    """Checks the loss, gradients and greedy captions of the model that sees the image at every
    step (`loss` and `sample` are inherited from `CaptioningRNN`)."""
    run_check("captioning", "image_every_step",
              ImageEveryStepCaptioningRNN=ImageEveryStepCaptioningRNN)


def check_image_encoder(ImageEncoder):
    """Checks `summary` and `grid` of the CNN encoder and their gradients."""
    run_check("captioning", "image_encoder", ImageEncoder=ImageEncoder)


def check_make_train_step(make_train_step):
    """Checks a few SGD steps taken with your training step on a small classifier, and that
    your step overfits a small batch."""
    run_check("captioning", "make_train_step", make_train_step=make_train_step)


def check_attention_weights(attention_weights):
    """Checks `alpha` and its gradients w.r.t. every input."""
    run_check("captioning", "attention_weights", attention_weights=attention_weights)


def check_context_vector(context_vector):
    """Checks the context vector and its gradients."""
    run_check("captioning", "context_vector", context_vector=context_vector)


def check_attention_lstm_step(attention_lstm_step):
    """Checks `next_h, next_c` and their gradients w.r.t. every input."""
    run_check("captioning", "attention_lstm_step", attention_lstm_step=attention_lstm_step)


def check_attention_captioning_loss(AttentionCaptioningLSTM):
    """Checks `forward` (scores and attention weights) and `loss`, with gradients."""
    run_check("captioning", "attention_captioning_loss",
              AttentionCaptioningLSTM=AttentionCaptioningLSTM)


def check_attention_captioning_sample(AttentionCaptioningLSTM):
    """Checks greedy captions (exactly) and the attention weights of every step up to each
    caption's `<END>` (the steps after it are not graded)."""
    run_check("captioning", "attention_captioning_sample",
              AttentionCaptioningLSTM=AttentionCaptioningLSTM)


def check_sample_locations(sample_locations):
    """Checks the sampled locations (exactly) for given uniform numbers."""
    run_check("captioning", "sample_locations", sample_locations=sample_locations)


def check_reinforce_loss(reinforce_loss):
    """Checks the surrogate loss and its gradients (none may flow into rewards or baseline)."""
    run_check("captioning", "reinforce_loss", reinforce_loss=reinforce_loss)


def check_vqa_question_encoder(VQAModel):
    """Checks `VQAModel.encode_question` on padded questions, with gradients."""
    run_check("captioning", "vqa_question_encoder", VQAModel=VQAModel)


def check_vqa_model(VQAModel):
    """Checks the answer scores and attention weights of `VQAModel`, with gradients."""
    run_check("captioning", "vqa_model", VQAModel=VQAModel)
