"""shapes_captions: scenes of 1 to 3 coloured shapes with captions, grounding and questions.

Each scene is an RGB image (64x64 by default) of 1 to 3 non-overlapping shapes
that vary in kind (circle, square, triangle), colour, size (small, large) and
position. Objects are ordered left to right (by the centre of their window), and
the canonical caption is a deterministic function of that ordering:

    "a small red circle left of a large blue square"

Two paraphrases follow the canonical caption as extra references for BLEU
("there is a small red circle left of a large blue square", and the right-to-left
"a large blue square right of a small red circle"). For every token of the
canonical caption, `token_objects` says which object it names (or -1) and
`token_boxes` gives that object's box; `segmentation` holds every object's mask.
Each scene also has 4 question/answer pairs for a small VQA task
("what colour is the triangle ?" -> "green").

Boxes are `(y0, x0, y1, x1)` in pixels with `y1` and `x1` exclusive.
"""

import dataclasses
import hashlib
import importlib.util
import pathlib
import sys

import numpy as np
import tensorflow_datasets as tfds


def import_shared(module_name: str):
    """Imports `datasets/shared/<module_name>.py` by path (datasets/ is no package)."""
    full_name = f"rnnlab_datasets_shared.{module_name}"
    if full_name not in sys.modules:
        path = pathlib.Path(__file__).resolve().parent.parent / "shared" / f"{module_name}.py"
        spec = importlib.util.spec_from_file_location(full_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[full_name] = module
        spec.loader.exec_module(module)
    return sys.modules[full_name]


tokens = import_shared("tokens")
splits = import_shared("splits")
drawing = import_shared("drawing")

SEED = 20240531
MAX_OBJECTS = 3
NUM_REFERENCES = 3
CAPTION_LENGTH = 20  # `T`: <START>, up to 18 words, <END>
QUESTIONS_PER_SCENE = 4
QUESTION_LENGTH = 10  # `Tq`: up to 8 words, padded with <NULL>
BACKGROUND_RGB = (40, 40, 40)
COLOURS = {
    "red": (220, 50, 50),
    "green": (50, 180, 70),
    "blue": (60, 100, 235),
    "yellow": (235, 210, 50),
    "purple": (165, 75, 205),
}
COLOUR_NAMES = tuple(COLOURS)
KINDS = drawing.SHAPE_KINDS
# Side of an object's window as a fraction of the image side, per size word.
SIZE_FRACTIONS = {"small": (0.14, 0.19), "large": (0.27, 0.33)}
SIZE_NAMES = tuple(SIZE_FRACTIONS)
COUNT_WORDS = ("zero", "one", "two", "three")
ANSWERS = ("no", "yes", "one", "two", "three", "nothing", *KINDS, *COLOURS, *SIZE_FRACTIONS)
CAPTION_WORDS = ("a", "left", "right", "of", "there", "is", "that")
QUESTION_WORDS = ("what", "colour", "shape", "size", "is", "the", "how", "many", "shapes",
                  "are", "there", "a", "one", "left", "of", "?")
VOCABULARY = tokens.make_vocabulary(
    [*CAPTION_WORDS, *QUESTION_WORDS, *ANSWERS, *KINDS, *COLOURS, *SIZE_FRACTIONS]
)
TOKEN_TO_IDX = {token: idx for idx, token in enumerate(VOCABULARY)}


@dataclasses.dataclass(eq=False)
class ShapesCaptionsConfig(tfds.core.BuilderConfig):
    """Image side and split sizes of shapes_captions."""

    image_size: int = 64
    num_train: int = 5000
    num_validation: int = 500
    num_test: int = 500


DEFAULT_CONFIG = ShapesCaptionsConfig(name="64px", description="64x64 RGB scenes")


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds shapes_captions; see the module docstring."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}  # noqa: RUF012 (tfds convention)
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls, image_size: int = 64) -> ShapesCaptionsConfig:
        """Returns the config for an image side of `image_size` pixels (32 to 256)."""
        if not isinstance(image_size, int) or not 32 <= image_size <= 256:
            raise ValueError(f"expected image_size an int in [32, 256], got {image_size!r}")
        if image_size == DEFAULT_CONFIG.image_size:
            return DEFAULT_CONFIG
        return ShapesCaptionsConfig(
            name=f"{image_size}px", description=f"{image_size}x{image_size} RGB scenes",
            image_size=image_size,
        )

    def _info(self) -> tfds.core.DatasetInfo:
        size = self.builder_config.image_size
        raw_bytes = tfds.features.Encoding.BYTES
        features = tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(size, size, 3), dtype=np.uint8, encoding=raw_bytes),
            "segmentation": tfds.features.Tensor(shape=(size, size), dtype=np.uint8, encoding=raw_bytes),
            "captions": tfds.features.Tensor(shape=(NUM_REFERENCES, CAPTION_LENGTH), dtype=np.int32),
            "caption_text": tfds.features.Tensor(shape=(NUM_REFERENCES,), dtype=np.str_),
            "token_objects": tfds.features.Tensor(shape=(CAPTION_LENGTH,), dtype=np.int32),
            "token_boxes": tfds.features.Tensor(shape=(CAPTION_LENGTH, 4), dtype=np.int32),
            "boxes": tfds.features.Tensor(shape=(MAX_OBJECTS, 4), dtype=np.int32),
            "num_objects": tfds.features.Scalar(dtype=np.int32),
            "questions": tfds.features.Tensor(shape=(QUESTIONS_PER_SCENE, QUESTION_LENGTH), dtype=np.int32),
            "question_text": tfds.features.Tensor(shape=(QUESTIONS_PER_SCENE,), dtype=np.str_),
            "answers": tfds.features.Tensor(shape=(QUESTIONS_PER_SCENE,), dtype=np.int32),
        })
        metadata = tfds.core.MetadataDict(
            vocabulary=VOCABULARY, level="word", labels=list(ANSWERS),
            caption_length=CAPTION_LENGTH, question_length=QUESTION_LENGTH,
        )
        return tfds.core.DatasetInfo(
            builder=self, description=__doc__, features=features, metadata=metadata,
            homepage="https://github.com/ (course repository: datasets/shapes_captions)",
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Everything is generated locally.
        config = self.builder_config
        by_split = make_splits(config)
        return {name: self._generate_examples(examples) for name, examples in by_split.items()}

    def _generate_examples(self, examples):
        yield from enumerate(examples)


def make_splits(config: ShapesCaptionsConfig = DEFAULT_CONFIG) -> dict[str, list[dict]]:
    """Generates every example of every split, as the builder stores them.

    Args:
        config: image side and split sizes.

    Returns:
        A dict from split name to a list of feature dicts.
    """
    sizes = {"train": config.num_train, "validation": config.num_validation,
             "test": config.num_test}

    def image_key(example):
        return hashlib.sha1(example["image"].tobytes()).digest()

    return splits.sample_disjoint_splits(
        lambda rng, split: sample_scene(rng, config.image_size), image_key, sizes, seed=SEED,
    )


def sample_scene(rng: np.random.Generator, image_size: int) -> dict:
    """Draws one scene and its captions, grounding and questions."""
    objects = _sample_objects(rng, image_size)
    image = np.empty((image_size, image_size, 3), dtype=np.uint8)
    image[:] = BACKGROUND_RGB
    segmentation = np.zeros((image_size, image_size), dtype=np.uint8)
    boxes = np.full((MAX_OBJECTS, 4), -1, dtype=np.int32)
    for index, obj in enumerate(objects):
        mask = drawing.shape_mask(obj["kind"], obj["top"], obj["left"], obj["extent"], image_size)
        image[mask] = COLOURS[obj["colour"]]
        segmentation[mask] = index + 1
        boxes[index] = drawing.mask_box(mask)

    references, grounding = _caption_references(objects)
    captions = np.stack([
        tokens.to_padded_ids(words, TOKEN_TO_IDX, CAPTION_LENGTH, add_start_end=True)
        for words in references
    ])
    token_objects = np.full((CAPTION_LENGTH,), -1, dtype=np.int32)
    token_objects[1 : 1 + len(grounding)] = grounding  # position 0 holds <START>
    token_boxes = np.full((CAPTION_LENGTH, 4), -1, dtype=np.int32)
    grounded = token_objects >= 0
    token_boxes[grounded] = boxes[token_objects[grounded]]

    questions = _sample_questions(rng, objects)
    return {
        "image": image,
        "segmentation": segmentation,
        "captions": captions,
        "caption_text": np.array([" ".join(words) for words in references], dtype=object),
        "token_objects": token_objects,
        "token_boxes": token_boxes,
        "boxes": boxes,
        "num_objects": np.int32(len(objects)),
        "questions": np.stack([
            tokens.to_padded_ids(words, TOKEN_TO_IDX, QUESTION_LENGTH) for words, _ in questions
        ]),
        "question_text": np.array([" ".join(words) for words, _ in questions], dtype=object),
        "answers": np.array([ANSWERS.index(answer) for _, answer in questions], dtype=np.int32),
    }


def _sample_objects(rng: np.random.Generator, image_size: int) -> list[dict]:
    """Places 1 to 3 shapes whose windows neither overlap nor share a column centre."""
    margin = 2
    min_centre_gap = max(3, round(0.1 * image_size))
    while True:
        num_objects = int(rng.integers(1, MAX_OBJECTS + 1))
        objects: list[dict] = []
        for _ in range(200):
            kind, colour, size = (options[rng.integers(len(options))]
                                  for options in (KINDS, COLOUR_NAMES, SIZE_NAMES))
            low, high = SIZE_FRACTIONS[size]
            extent = int(rng.integers(round(low * image_size), round(high * image_size) + 1))
            top = int(rng.integers(0, image_size - extent + 1))
            left = int(rng.integers(0, image_size - extent + 1))
            candidate = {
                "kind": kind, "colour": colour, "size": size, "top": top, "left": left, "extent": extent,
                "centre_x": left + (extent - 1) / 2.0,
            }
            if all(_apart(candidate, other, margin, min_centre_gap) for other in objects):
                objects.append(candidate)
                if len(objects) == num_objects:
                    return sorted(objects, key=lambda obj: obj["centre_x"])
        # Could not fit them all: draw a new scene.


def _apart(first: dict, second: dict, margin: int, min_centre_gap: int) -> bool:
    """Whether two windows are `margin` pixels apart and their centres distinct in x."""
    if abs(first["centre_x"] - second["centre_x"]) < min_centre_gap:
        return False
    rows_apart = (first["top"] + first["extent"] + margin <= second["top"]
                  or second["top"] + second["extent"] + margin <= first["top"])
    cols_apart = (first["left"] + first["extent"] + margin <= second["left"]
                  or second["left"] + second["extent"] + margin <= first["left"])
    return rows_apart or cols_apart


def _caption_references(objects: list[dict]) -> tuple[list[list[str]], list[int]]:
    """Returns the reference captions (canonical first) and the canonical grounding.

    The grounding lists, for each word of the canonical caption, the index of
    the object that the word describes (its size, colour and kind), or -1.
    """
    canonical: list[str] = []
    grounding: list[int] = []
    for index, obj in enumerate(objects):
        if index > 0:
            canonical += ["left", "of"]
            grounding += [-1, -1]
        canonical += ["a", obj["size"], obj["colour"], obj["kind"]]
        grounding += [-1, index, index, index]
    there_is = ["there", "is", *canonical]
    if len(objects) == 1:
        obj = objects[0]
        paraphrase = ["a", obj["colour"], obj["kind"], "that", "is", obj["size"]]
    else:
        paraphrase = []
        for index, obj in enumerate(reversed(objects)):
            if index > 0:
                paraphrase += ["right", "of"]
            paraphrase += ["a", obj["size"], obj["colour"], obj["kind"]]
    return [canonical, there_is, paraphrase], grounding


def _sample_questions(rng: np.random.Generator, objects: list[dict]) -> list[tuple[list[str], str]]:
    """Samples distinct (question words, answer word) pairs about the scene."""
    def count(**attributes):
        return sum(all(obj[k] == v for k, v in attributes.items()) for obj in objects)

    candidates = [(["how", "many", "shapes", "are", "there", "?"], COUNT_WORDS[len(objects)])]
    for index, obj in enumerate(objects):
        kind, colour = obj["kind"], obj["colour"]
        if count(kind=kind) == 1:
            candidates.append((["what", "colour", "is", "the", kind, "?"], colour))
        if count(colour=colour) == 1:
            candidates.append((["what", "shape", "is", "the", colour, "one", "?"], kind))
        if count(kind=kind, colour=colour) == 1:
            candidates.append((["what", "size", "is", "the", colour, kind, "?"], obj["size"]))
            left_kind = objects[index - 1]["kind"] if index > 0 else "nothing"
            candidates.append((["what", "is", "left", "of", "the", colour, kind, "?"], left_kind))
    # Existence questions, as many "yes" as "no".
    present = sorted({(obj["colour"], obj["kind"]) for obj in objects})
    absent = [(c, k) for c in COLOURS for k in KINDS if (c, k) not in present]
    for i in rng.choice(len(present), size=min(2, len(present)), replace=False):
        colour, kind = present[i]
        candidates.append((["is", "there", "a", colour, kind, "?"], "yes"))
    for i in rng.choice(len(absent), size=2, replace=False):
        colour, kind = absent[i]
        candidates.append((["is", "there", "a", colour, kind, "?"], "no"))
    distinct = list({" ".join(words): (words, answer) for words, answer in candidates}.values())
    chosen = rng.choice(len(distinct), size=QUESTIONS_PER_SCENE, replace=False)
    return [distinct[i] for i in sorted(chosen)]
