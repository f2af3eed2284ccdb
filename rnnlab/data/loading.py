"""`load` and `load_numpy`: one call from a dataset name to ready data and its vocabulary."""

import contextlib
import pathlib
import re

import numpy as np

from rnnlab.data import builders, catalog
from rnnlab.data.errors import CorruptDataError
from rnnlab.data.vocabulary import ClassLabels, Vocabulary

COCO_CS231N = "cs231n_coco"
DATASET_NAMES = (*builders.SYNTHETIC_DATASETS, *catalog.CATALOG_DATASETS, COCO_CS231N)

# Options that shape the pipeline rather than the stored data, with defaults.
PIPELINE_OPTIONS = {
    "shapes_captions": {"task": "captions"},
    "char_corpus": {"seq_length": 100},
    "tiny_shakespeare": {"seq_length": 100},
    "ted_hrlr_translate/pt_to_en": {"max_length": 40, "max_vocab_size": 8000},
    "coco_captions": {"image_size": 64, "max_length": 20, "max_vocab_size": 2000},
    COCO_CS231N: {"base_dir": None, "max_train": None, "pca_features": True},
}
SHUFFLE_BUFFER = 1024


def load(name: str, split: str = "train", batch_size: int | None = 64,
         shuffle: bool | None = None, seed: int = 0,
         data_dir: str | pathlib.Path | None = None, drop_remainder: bool = False, **options):
    """Returns a ready `tf.data` pipeline of a dataset and its vocabulary.

    Synthetic datasets are built into `data_dir` on first use (offline, in
    seconds); real ones are read only if already on this machine.

    Elements are dicts of tensors. With batch size `N`:

    - `shapes_captions` (options `image_size=64`, `task="captions"`):
      `image (N, 64, 64, 3) float32` in [0, 1]; `captions (N, T) int32` the
      canonical caption, `T = 20`, `<START>` ... `<END>` padded with `<NULL>`;
      `references (N, 3, T) int32` (canonical first); `caption_text (N,)`,
      `reference_text (N, 3)` strings; `token_objects (N, T) int32` the object
      (index into `boxes`, objects left to right) that caption token `t` names,
      or -1; `token_boxes (N, T, 4) int32` its box `(y0, x0, y1, x1)`, y1 and x1
      exclusive, or -1s; `boxes (N, 3, 4) int32` (-1 rows past
      `num_objects (N,) int32`); `segmentation (N, 64, 64) int32`, 0 for
      background and k + 1 on object k.
      With `task="vqa"`, one element per question: `image`; `question (N, 10)
      int32` word ids padded with `<NULL>`; `answer (N,) int32` an index into
      `vocab.labels`; `question_text`, `answer_text (N,)` strings.
    - `dates`: `source (N, 32) int32` characters padded with `<NULL>`;
      `target (N, 12) int32` `<START>` YYYY-MM-DD `<END>`; `source_text`,
      `target_text (N,)` strings. One character vocabulary for both.
    - `sentiment`: `tokens (N, 16) int32` words padded with `<NULL>`;
      `length (N,) int32`; `label (N,) int32` (`vocab.labels` is
      `["negative", "positive"]`); `text`, `construction (N,)` strings.
    - `moving_shapes` (options `num_frames=16`, `image_size=32`):
      `frames (N, 16, 32, 32, 1) float32` in [0, 1]; `labels (N, 16) int32`;
      `boxes (N, 16, 4) int32`. `vocab` is a `ClassLabels` of
      `["still", "left", "right", "up", "down"]`.
    - `long_range` (option `distance=60`): `tokens (N, distance + 6) int32`;
      `label (N,) int32` (`vocab.labels` is `["a", "b"]`);
      `marker_position (N,) int32`.
    - `char_corpus` (options `text_file=None`, `seq_length=100`) and
      `tiny_shakespeare` (option `seq_length=100`): `inputs (N, T) int32` and
      `targets (N, T) int32`, the next characters.
    - `ted_hrlr_translate/pt_to_en` (options `max_length=40`,
      `max_vocab_size=8000`): `source (N, 40)` Portuguese and `target (N, 40)`
      English word ids (`<START>` ... `<END>`), and their texts.
    - `coco_captions` (options `image_size=64`, `max_length=20`,
      `max_vocab_size=2000`): `image`, `captions (N, 20)`, `caption_text`.
    - `cs231n_coco` (options `base_dir`, `max_train=None`,
      `pca_features=True`; splits `train`, `val`): `features (N, 512) float32`,
      `captions (N, 17) int32`, `image_idxs (N,) int32`, `urls (N,)` strings.

    Args:
        name: one of `DATASET_NAMES`.
        split: `"train"`, `"validation"` or `"test"` (tfds slices such as
            `"train[:10%]"` work too).
        batch_size: `N`; `None` for unbatched elements.
        shuffle: whether to shuffle (reshuffled every epoch, from `seed`);
            default: only the train split.
        seed: seed of the shuffle.
        data_dir: where datasets are built and read; default `$TFDS_DATA_DIR`,
            else `<repo>/.data/tfds`, else `~/.cache/rnnlab/tfds`.
        drop_remainder: drop the last, smaller batch.
        **options: dataset options, listed above.

    Returns:
        `(dataset, vocab)`: a `tf.data.Dataset`, and a `Vocabulary` (with
        `encode`, `decode`, `token_to_idx`, `idx_to_token`, `labels`) or, for
        moving_shapes, a `ClassLabels`.

    Raises:
        ValueError: for an unknown dataset name or split.
        TypeError: for an option the dataset does not take.
        FileNotFoundError: for a missing file (`DatasetNotFoundError` for a real
            dataset that is not on this machine).
        CorruptDataError: for a built dataset whose files are damaged.

    Example:

    >>> dataset, vocab = load("shapes_captions", split="train", batch_size=64)
    >>> batch = next(iter(dataset))
    >>> vocab.decode(batch["captions"][0].numpy())
    'a small red circle left of a large blue square'
    """
    import tensorflow as tf

    with _traced_as_graphs():
        elements, vocab, num_examples = _elements(name, split, data_dir, options)
    if shuffle is None:
        shuffle = split.startswith("train")
    if shuffle:
        elements = elements.shuffle(min(SHUFFLE_BUFFER, max(num_examples, 1)), seed=seed,
                                    reshuffle_each_iteration=True)
    if batch_size is not None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"expected batch_size a positive int or None, got {batch_size!r}")
        elements = elements.batch(batch_size, drop_remainder=drop_remainder)
    return elements.prefetch(tf.data.AUTOTUNE), vocab


def load_numpy(name: str, split: str = "train", data_dir: str | pathlib.Path | None = None,
               **options) -> tuple[dict[str, np.ndarray], Vocabulary | ClassLabels]:
    """Returns a whole split as a dict of numpy arrays, in a fixed order, and its vocabulary.

    Same names, keys, shapes and options as `load` (the leading axis holds the
    whole split); strings come back as `bytes` objects.

    Raises:
        CorruptDataError: if a record file cannot be read to the end.
    """
    import tensorflow as tf

    with _traced_as_graphs():
        elements, vocab, _ = _elements(name, split, data_dir, options)
    try:
        batches = list(elements.batch(4096).as_numpy_iterator())
    except tf.errors.DataLossError as error:
        raise CorruptDataError(
            f"expected readable records for {name} split {split!r}, got a damaged file: "
            f"{error.message.splitlines()[0]}; rebuild with `python -m rnnlab.data build {name} --force`"
        ) from None
    if not batches:
        raise ValueError(f"expected examples in {name} split {split!r}, got none")
    return {key: np.concatenate([b[key] for b in batches]) for key in batches[0]}, vocab


@contextlib.contextmanager
def _traced_as_graphs():
    """Builds a pipeline with ``tf.config.run_functions_eagerly`` off, if it was on.

    ``tf.data`` traces its ``map`` functions as graphs whatever that switch says, and warns
    that the switch does not apply to them when they are traced with it on (a notebook in
    fast mode runs its functions eagerly). Turning it off while the pipeline is built
    changes nothing but the warning.
    """
    import tensorflow as tf

    eager = tf.config.functions_run_eagerly()
    if eager:
        tf.config.run_functions_eagerly(False)
    try:
        yield
    finally:
        if eager:
            tf.config.run_functions_eagerly(True)


def _split_options(name: str, options: dict) -> tuple[dict, dict]:
    """Separates pipeline options (with defaults filled in) from builder options."""
    if name not in DATASET_NAMES:
        raise ValueError(f"expected a dataset name in {DATASET_NAMES}, got {name!r}")
    defaults = PIPELINE_OPTIONS.get(name, {})
    pipeline = {key: options.get(key, value) for key, value in defaults.items()}
    builder = {key: value for key, value in options.items() if key not in defaults}
    if name not in builders.SYNTHETIC_DATASETS and builder:
        raise TypeError(f"expected options of {name} among {list(defaults)}, got {sorted(builder)}")
    return pipeline, builder


def _elements(name: str, split: str, data_dir, options: dict):
    """Unbatched, unshuffled elements, the vocabulary and the number of elements."""
    pipeline_options, builder_options = _split_options(name, options)
    if name in builders.SYNTHETIC_DATASETS:
        return _synthetic_elements(name, split, data_dir, builder_options, pipeline_options)
    if name == COCO_CS231N:
        from rnnlab.data import coco

        return coco.cs231n_elements(split=split, **pipeline_options)
    from rnnlab.data import catalog_pipelines

    return catalog_pipelines.catalog_elements(name, split, data_dir, **pipeline_options)


def _synthetic_elements(name, split, data_dir, builder_options, pipeline_options):
    from rnnlab.data import pipelines

    builder = builders.make_builder(name, data_dir, **builder_options)
    with builders.quiet_tfds():
        prepared = builder.is_prepared()
    if not prepared:
        builders.build(name, data_dir, **builder_options)
        builder = builders.make_builder(name, data_dir, **builder_options)
    check_split(builder, split)
    check_record_files(builder, split)
    metadata = builder.info.metadata
    if name == "moving_shapes":
        vocab = ClassLabels(metadata["labels"])
    else:
        vocab = Vocabulary(metadata["vocabulary"], level=metadata["level"],
                           labels=metadata.get("labels", ()))
    with builders.quiet_tfds():
        # No auto-cache: a training loop that stops mid-epoch (a step budget, `.take()`) would
        # make tf.data throw the partial cache away with a warning on every run. The datasets
        # are small local files; reading them again is cheap.
        examples = builder.as_dataset(split=split, shuffle_files=False,
                                      read_config=_read_config())
    num_examples = builder.info.splits[split].num_examples
    if name == "shapes_captions":
        task = pipeline_options["task"]
        elements = pipelines.shapes_captions_elements(examples, task, vocab.labels)
        if task == "vqa":
            num_examples *= int(examples.element_spec["answers"].shape[0])
    elif name == "char_corpus":
        documents = sorted((int(e["index"]), e["text"].decode("utf-8"))
                           for e in examples.as_numpy_iterator())
        text = "".join(document for _, document in documents)
        windows = pipelines.char_windows(text, vocab, pipeline_options["seq_length"])
        import tensorflow as tf

        elements = tf.data.Dataset.from_tensor_slices(windows)
        num_examples = len(windows["inputs"])
    else:
        elements = getattr(pipelines, f"{name}_elements")(examples)
    return elements, vocab, num_examples


def check_split(builder, split: str) -> None:
    """Raises ValueError naming the available splits when `split` is not one of them."""
    match = re.fullmatch(r"(\w+)(\[.*\])?", split) if isinstance(split, str) else None
    available = list(builder.info.splits.keys())
    if match is None or match.group(1) not in available:
        raise ValueError(f"expected a split of {builder.name} in {available}, got {split!r}")


def check_record_files(builder, split: str) -> None:
    """Checks that a split's record files exist and have the size recorded at build time.

    Raises:
        CorruptDataError: naming the missing or truncated file.
    """
    split_info = builder.info.splits[re.match(r"\w+", split).group(0)]
    paths = [pathlib.Path(str(path)) for path in split_info.filepaths]
    missing = [path for path in paths if not path.is_file()]
    rebuild = f"rebuild with `python -m rnnlab.data build {builder.name} --force`"
    if missing:
        raise CorruptDataError(f"expected record file {missing[0]}, got no such file; {rebuild}")
    expected = int(split_info.num_bytes) + 16 * split_info.num_examples  # 16 framing bytes each
    actual = sum(path.stat().st_size for path in paths)
    if expected != actual:
        raise CorruptDataError(
            f"expected {expected} bytes in {', '.join(map(str, paths))}, got {actual}: "
            f"the file is damaged; {rebuild}"
        )


def _read_config():
    import tensorflow_datasets as tfds

    return tfds.ReadConfig(try_autocache=False)
