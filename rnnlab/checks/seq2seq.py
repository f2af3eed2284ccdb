"""Visible checks of the ``seq2seq`` assignment (one per graded unit)."""

from rnnlab.checks import run_check


def check_encoder(Encoder):
    """Checks `states, h, c` of `Encoder` on padded sources, with gradients w.r.t. every
    weight, in float64 and float32."""
    run_check("seq2seq", "encoder", Encoder=Encoder)


def check_decoder(Decoder):
    """Checks one `Decoder.step` and the teacher-forced `Decoder.call`, with gradients."""
    run_check("seq2seq", "decoder", Decoder=Decoder)


def check_seq2seq_loss(seq2seq_loss):
    """Checks the masked, teacher-forced loss and its gradients, on small stand-in models."""
    run_check("seq2seq", "seq2seq_loss", seq2seq_loss=seq2seq_loss)


def check_train_step(make_train_step):
    """Runs a few SGD steps made by `make_train_step` on stand-in models; checks the losses,
    the gradient norms and the weights afterwards."""
    run_check("seq2seq", "train_step", make_train_step=make_train_step)


def check_greedy_decode(greedy_decode):
    """Checks the tokens `greedy_decode` picks on a stand-in decoder (exact match)."""
    run_check("seq2seq", "greedy_decode", greedy_decode=greedy_decode)


def check_beam_search(beam_search):
    """Checks the tokens (exact match) and scores of every beam on a stand-in decoder."""
    run_check("seq2seq", "beam_search", beam_search=beam_search)


def check_attend(attend):
    """Checks `context` and `weights` (masked softmax) and their gradients."""
    run_check("seq2seq", "attend", attend=attend)


def check_additive_attention(AdditiveAttention):
    """Checks `AdditiveAttention.score` and its gradients w.r.t. inputs and weights."""
    run_check("seq2seq", "additive_attention", AdditiveAttention=AdditiveAttention)


def check_dot_product_attention(DotProductAttention):
    """Checks `DotProductAttention.score`, plain and general, with gradients."""
    run_check("seq2seq", "dot_product_attention", DotProductAttention=DotProductAttention)


def check_attention_decoder(AttentionDecoder):
    """Checks one `AttentionDecoder.step` (with a stand-in attention layer) and its
    gradients."""
    run_check("seq2seq", "attention_decoder", AttentionDecoder=AttentionDecoder)


def check_bidirectional_encoder(BidirectionalEncoder):
    """Checks `states, h, c` of `BidirectionalEncoder` (forward first) on sources with rows of
    different lengths, with gradients w.r.t. every weight, in float64 and float32."""
    run_check("seq2seq", "bidirectional_encoder", BidirectionalEncoder=BidirectionalEncoder)
