"""Helpers the correct-alternatives corpora share (``alternatives_<a>.py``)."""


def compiled(source: str, *signatures: str) -> str:
    """``source`` with ``@tf.function`` put on the lines that start with ``signatures``."""
    for signature in signatures:
        indent = signature[:len(signature) - len(signature.lstrip())]
        assert source.count(signature) == 1, signature
        source = source.replace(signature, f"{indent}@tf.function\n{signature}")
    return source
