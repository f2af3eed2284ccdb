"""Disjoint train/validation/test splits drawn from one seeded generator.

This module is imported by file path (see `import_shared` in each builder):
`datasets/` is not a Python package.
"""

from collections.abc import Callable, Hashable, Mapping
from typing import Any

import numpy as np


def sample_disjoint_splits(
    sample_example: Callable[[np.random.Generator, str], dict[str, Any]],
    example_key: Callable[[dict[str, Any]], Hashable],
    split_sizes: Mapping[str, int],
    seed: int,
    max_attempts_per_example: int = 50,
) -> dict[str, list[dict[str, Any]]]:
    """Samples examples until every split is full, never repeating a key.

    Splits are filled in the order of `split_sizes`, so a given seed always
    gives the same examples in the same splits, in every process.

    Args:
        sample_example: draws one example of the named split from the generator
            it is given: `sample_example(rng, split_name)`.
        example_key: what makes two examples the same (for example the source
            text); no key appears twice, within a split or across splits.
        split_sizes: number of examples per split name, e.g.
            `{"train": 1000, "validation": 100, "test": 100}`.
        seed: seed of the `np.random.Generator` that draws every example.
        max_attempts_per_example: how many duplicates in a row mean the space
            of examples is exhausted.

    Returns:
        A dict from split name to its list of examples.

    Raises:
        ValueError: if the example space is too small for the requested sizes.
    """
    rng = np.random.default_rng(seed)
    seen: set[Hashable] = set()
    splits: dict[str, list[dict[str, Any]]] = {}
    for split_name, size in split_sizes.items():
        examples = []
        attempts = 0
        while len(examples) < size:
            example = sample_example(rng, split_name)
            key = example_key(example)
            if key in seen:
                attempts += 1
                if attempts > max_attempts_per_example:
                    raise ValueError(
                        f"expected {size} distinct examples for split {split_name!r}, "
                        f"got only {len(examples)}: the generator repeats itself"
                    )
                continue
            attempts = 0
            seen.add(key)
            examples.append(example)
        splits[split_name] = examples
    return splits
