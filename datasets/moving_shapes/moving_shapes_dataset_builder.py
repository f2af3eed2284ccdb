"""moving_shapes: short clips of one moving shape, labelled frame by frame.

Each clip is `T` grey frames (16 frames of 32x32 by default) of one white shape
on black that moves 2 pixels a frame left, right, up or down, pauses, and turns
at random (and always before leaving the image). The label of frame `t` is the
motion from frame `t-1` to frame `t`: still, left, right, up or down. One frame
alone cannot tell the direction, so a per-frame classifier is stuck near the
frequency of the commonest class, while a recurrent model that remembers the
previous frame gets it right (many-to-many video frame classification). Frame 0
has no previous frame and is labelled `still` by convention.
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


splits = import_shared("splits")
drawing = import_shared("drawing")

SEED = 4242
LABELS = ("still", "left", "right", "up", "down")
STEPS = {"still": (0, 0), "left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}
SPEED = 2  # pixels per frame
TURN_PROBABILITY = 0.2
EXTENT_FRACTIONS = (0.2, 0.3)  # side of the shape's window over the image side


@dataclasses.dataclass(eq=False)
class MovingShapesConfig(tfds.core.BuilderConfig):
    """Clip length, frame side and split sizes of moving_shapes."""

    num_frames: int = 16
    image_size: int = 32
    num_train: int = 2000
    num_validation: int = 200
    num_test: int = 200


DEFAULT_CONFIG = MovingShapesConfig(name="16x32px", description="16 frames of 32x32")


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds moving_shapes; see the module docstring."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "First release."}  # noqa: RUF012 (tfds convention)
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls, num_frames: int = 16, image_size: int = 32) -> MovingShapesConfig:
        """Returns the config for clips of `num_frames` frames of `image_size` pixels."""
        if not isinstance(num_frames, int) or not 2 <= num_frames <= 64:
            raise ValueError(f"expected num_frames an int in [2, 64], got {num_frames!r}")
        if not isinstance(image_size, int) or not 16 <= image_size <= 128:
            raise ValueError(f"expected image_size an int in [16, 128], got {image_size!r}")
        if (num_frames, image_size) == (DEFAULT_CONFIG.num_frames, DEFAULT_CONFIG.image_size):
            return DEFAULT_CONFIG
        return MovingShapesConfig(
            name=f"{num_frames}x{image_size}px",
            description=f"{num_frames} frames of {image_size}x{image_size}",
            num_frames=num_frames, image_size=image_size,
        )

    def _info(self) -> tfds.core.DatasetInfo:
        frames, size = self.builder_config.num_frames, self.builder_config.image_size
        features = tfds.features.FeaturesDict({
            "frames": tfds.features.Tensor(shape=(frames, size, size, 1), dtype=np.uint8,
                                           encoding=tfds.features.Encoding.BYTES),
            "labels": tfds.features.Tensor(shape=(frames,), dtype=np.int32),
            "boxes": tfds.features.Tensor(shape=(frames, 4), dtype=np.int32),
        })
        metadata = tfds.core.MetadataDict(labels=list(LABELS))
        return tfds.core.DatasetInfo(
            builder=self, description=__doc__, features=features, metadata=metadata,
            supervised_keys=("frames", "labels"),
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Everything is generated locally.
        by_split = make_splits(self.builder_config)
        return {name: self._generate_examples(examples) for name, examples in by_split.items()}

    def _generate_examples(self, examples):
        yield from enumerate(examples)


def make_splits(config: MovingShapesConfig = DEFAULT_CONFIG) -> dict[str, list[dict]]:
    """Generates every example of every split, as the builder stores them.

    Args:
        config: clip length, frame side and split sizes.

    Returns:
        A dict from split name to a list of feature dicts.
    """
    sizes = {"train": config.num_train, "validation": config.num_validation,
             "test": config.num_test}

    def clip_key(example):
        return hashlib.sha1(example["frames"].tobytes()).digest()

    return splits.sample_disjoint_splits(
        lambda rng, split: sample_clip(rng, config.num_frames, config.image_size), clip_key, sizes,
        seed=SEED,
    )


def sample_clip(rng: np.random.Generator, num_frames: int, image_size: int) -> dict:
    """Draws one clip with its per-frame labels and boxes."""
    kind = drawing.SHAPE_KINDS[rng.integers(len(drawing.SHAPE_KINDS))]
    low, high = EXTENT_FRACTIONS
    extent = int(rng.integers(round(low * image_size), round(high * image_size) + 1))
    top = int(rng.integers(0, image_size - extent + 1))
    left = int(rng.integers(0, image_size - extent + 1))
    # Draw the shape once in a window, then paste it at every position.
    window = drawing.shape_mask(kind, 0, 0, extent, extent)
    direction = LABELS[1 + rng.integers(len(LABELS) - 1)]
    frames = np.zeros((num_frames, image_size, image_size, 1), dtype=np.uint8)
    labels = np.zeros((num_frames,), dtype=np.int32)
    boxes = np.zeros((num_frames, 4), dtype=np.int32)
    for t in range(num_frames):
        if t > 0:
            if rng.random() < TURN_PROBABILITY:
                direction = LABELS[rng.integers(len(LABELS))]
            allowed = [name for name in LABELS
                       if _fits(top, left, extent, image_size, STEPS[name])]
            if direction not in allowed:
                direction = allowed[rng.integers(len(allowed))]
            step_y, step_x = STEPS[direction]
            top, left = top + SPEED * step_y, left + SPEED * step_x
            labels[t] = LABELS.index(direction)
        frames[t, top : top + extent, left : left + extent, 0][window] = 255
        mask = np.zeros((image_size, image_size), dtype=bool)
        mask[top : top + extent, left : left + extent] = window
        boxes[t] = drawing.mask_box(mask)
    return {"frames": frames, "labels": labels, "boxes": boxes}


def _fits(top: int, left: int, extent: int, image_size: int, step: tuple[int, int]) -> bool:
    """Whether the window stays inside the image after one step."""
    new_top, new_left = top + SPEED * step[0], left + SPEED * step[1]
    return 0 <= new_top <= image_size - extent and 0 <= new_left <= image_size - extent
