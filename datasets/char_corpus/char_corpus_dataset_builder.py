"""char_corpus: a character corpus for character-level language models.

By default the text is assembled offline from what every Python 3.11
installation has: the docstrings of a fixed list of standard-library modules
(read from their source with `ast`, never imported), in a fixed order, keeping
only documents of printable ASCII. Each docstring is one document; a seeded
draw sends 10% of them to the validation split. About 0.5 MB of English-like
technical prose with code fragments.

A user's own text file plugs in with `rnnlab.data.load("char_corpus",
text_file=PATH)`: the file is cut into chunks of whole lines, and the last 10%
of the chunks form the validation split. Its config name carries a hash of the
file's contents, so editing the file builds a new dataset.

Each example is one document and its `index` in the split; joined in index
order, the documents give the split's text (tfds stores examples shuffled). The
vocabulary (special tokens, then every character of the corpus in sorted order)
is stored in the dataset's metadata.
"""

import ast
import dataclasses
import hashlib
import importlib.util
import pathlib
import re
import sys
import sysconfig

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

SEED = 27182818
VALIDATION_FRACTION = 0.1
MIN_DOCSTRING_CHARS = 80
CHUNK_CHARS = 2000  # a user's file is cut into chunks of about this many characters
STDLIB_MODULES = (
    "argparse", "ast", "base64", "bisect", "calendar", "cmd", "code", "collections",
    "colorsys", "configparser", "contextlib", "copy", "csv", "dataclasses", "datetime",
    "decimal", "difflib", "dis", "doctest", "enum", "filecmp", "fnmatch", "fractions",
    "ftplib", "functools", "getopt", "gettext", "glob", "graphlib", "gzip", "heapq", "hmac",
    "http.client", "imaplib", "inspect", "ipaddress", "json", "locale", "logging", "lzma",
    "mailbox", "mimetypes", "numbers", "operator", "optparse", "pathlib", "pdb", "pickle",
    "plistlib", "pprint", "queue", "quopri", "random", "re", "reprlib", "sched", "secrets",
    "selectors", "shlex", "shutil", "smtplib", "socketserver", "statistics", "string",
    "subprocess", "tarfile", "tempfile", "textwrap", "threading", "timeit", "tokenize",
    "trace", "traceback", "types", "typing", "unittest", "urllib.parse", "uuid", "warnings",
    "wave", "weakref", "zipfile",
)
_PRINTABLE_ASCII = re.compile(r"^[\n\x20-\x7e]*$")


@dataclasses.dataclass(eq=False)
class CharCorpusConfig(tfds.core.BuilderConfig):
    """Where the text comes from: the standard library, or a user's file."""

    text_file: str | None = None


DEFAULT_CONFIG = CharCorpusConfig(
    name="stdlib_docstrings", description="docstrings of standard-library modules"
)


class Builder(tfds.core.GeneratorBasedBuilder):
    """Builds char_corpus; see the module docstring."""

    VERSION = tfds.core.Version("1.1.0")
    RELEASE_NOTES = {  # noqa: RUF012 (tfds convention)
        "1.0.0": "First release.",
        "1.1.0": "Distinct docstrings only; each document stores its index in the split.",
    }
    BUILDER_CONFIGS = [DEFAULT_CONFIG]  # noqa: RUF012 (tfds convention)

    @classmethod
    def config_from_options(cls, text_file: str | pathlib.Path | None = None) -> CharCorpusConfig:
        """Returns the default corpus, or the corpus of the UTF-8 file `text_file`.

        Raises:
            FileNotFoundError: if `text_file` is not a file.
        """
        if text_file is None:
            return DEFAULT_CONFIG
        path = pathlib.Path(text_file).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"expected a text file for char_corpus, got no file at {path}")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        stem = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "text"
        return CharCorpusConfig(
            name=f"file_{stem}_{digest}", description=f"text of {path}", text_file=str(path),
        )

    def _info(self) -> tfds.core.DatasetInfo:
        features = tfds.features.FeaturesDict({
            "text": tfds.features.Text(),
            "index": tfds.features.Scalar(dtype=np.int32),  # position of the document in its split
        })
        metadata = tfds.core.MetadataDict(level="char", source=self.builder_config.description)
        return tfds.core.DatasetInfo(
            builder=self, description=__doc__, features=features, metadata=metadata,
        )

    def _split_generators(self, dl_manager):
        del dl_manager  # Everything is read locally.
        by_split = make_splits(self.builder_config)
        all_text = "".join(doc for docs in by_split.values() for doc in docs)
        self.info.metadata["vocabulary"] = tokens.make_vocabulary(all_text)
        return {name: self._generate_examples(docs) for name, docs in by_split.items()}

    def _generate_examples(self, documents):
        for index, document in enumerate(documents):
            yield index, {"text": document, "index": np.int32(index)}


def make_splits(config: CharCorpusConfig = DEFAULT_CONFIG) -> dict[str, list[str]]:
    """Returns the documents of each split; joined in order they give the split's text.

    Args:
        config: the default corpus, or a user's file.

    Returns:
        A dict from split name (`train`, `validation`) to a list of strings.

    Raises:
        ValueError: if a user's file is not UTF-8 or is empty.
    """
    if config.text_file is None:
        documents = stdlib_docstrings()
        rng = np.random.default_rng(SEED)
        is_validation = rng.random(len(documents)) < VALIDATION_FRACTION
        return {
            "train": [doc for doc, val in zip(documents, is_validation) if not val],
            "validation": [doc for doc, val in zip(documents, is_validation) if val],
        }
    try:
        text = pathlib.Path(config.text_file).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"expected a UTF-8 text file, got undecodable bytes in {config.text_file}: {error}"
        ) from None
    if not text.strip():
        raise ValueError(f"expected a non-empty text file, got an empty {config.text_file}")
    chunks = _line_chunks(text, CHUNK_CHARS)
    num_validation = max(1, round(VALIDATION_FRACTION * len(chunks)))
    if len(chunks) < 2:  # Too short to split by chunks: split the characters.
        cut = round((1 - VALIDATION_FRACTION) * len(text))
        return {"train": [text[:cut]], "validation": [text[cut:]]}
    return {"train": chunks[:-num_validation], "validation": chunks[-num_validation:]}


def stdlib_docstrings() -> list[str]:
    """Distinct docstrings of `STDLIB_MODULES`, each followed by a blank line, in a fixed order."""
    stdlib = pathlib.Path(sysconfig.get_paths()["stdlib"])
    documents, seen = [], set()
    for module_name in STDLIB_MODULES:
        module_path = stdlib / pathlib.Path(*module_name.split("."))
        source_file = module_path / "__init__.py" if module_path.is_dir() else module_path.with_suffix(".py")
        tree = ast.parse(source_file.read_text(encoding="utf-8"), filename=str(source_file))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            docstring = ast.get_docstring(node, clean=True)
            if docstring is None or len(docstring) < MIN_DOCSTRING_CHARS:
                continue
            docstring = "\n".join(line.rstrip() for line in docstring.expandtabs(4).splitlines())
            document = docstring.strip() + "\n\n"
            if _PRINTABLE_ASCII.match(document) and document not in seen:
                seen.add(document)
                documents.append(document)
    return documents


def _line_chunks(text: str, chunk_chars: int) -> list[str]:
    """Cuts `text` into chunks of whole lines of about `chunk_chars` characters."""
    chunks, current, size = [], [], 0
    for line in text.splitlines(keepends=True):
        current.append(line)
        size += len(line)
        if size >= chunk_chars:
            chunks.append("".join(current))
            current, size = [], 0
    if current:
        chunks.append("".join(current))
    return chunks
