"""Fashion-MNIST (Xiao et al. 2017): Debian's `dataset-fashion-mnist` IDX files when installed,
else the Hub dataset `zalando-datasets/fashion_mnist` (or its cache)."""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

import numpy as np
import torch

from genai_demo.data.images import ImageDataset
from genai_demo.data.mnist import hub_dataset_file, read_image_parquet
from genai_demo.errors import DatasetError

logger = logging.getLogger(__name__)

DEBIAN_DIR = Path(os.environ.get("GENAI_DEMO_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
HUB_DATASET_ID = "zalando-datasets/fashion_mnist"
HUB_PARQUET_FILES = {"train": "fashion_mnist/train-00000-of-00001.parquet",
                     "test": "fashion_mnist/test-00000-of-00001.parquet"}
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SOURCES = ("auto", "debian", "hub")
UNAVAILABLE_HINT = "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or go online"


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """An IDX file (LeCun's MNIST format): big-endian magic, dimension sizes, then uint8 data."""
    try:
        with gzip.open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DatasetError(f"cannot read {path}: {error}") from error
    if len(raw) < 8 or int.from_bytes(raw[:4], "big") != expected_magic:
        raise DatasetError(f"{path} is not an IDX file of the expected kind (magic {expected_magic})")
    num_dimensions = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(num_dimensions))
    offset = 4 + 4 * num_dimensions
    if len(raw) - offset != int(np.prod(shape)):
        raise DatasetError(f"{path} is truncated: {len(raw) - offset} bytes of data for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=offset).reshape(shape)


def _load_debian(split: str) -> ImageDataset:
    image_name, label_name = IDX_FILES[split]
    if not (DEBIAN_DIR / image_name).is_file():
        raise DatasetError(f"Fashion-MNIST IDX files are not in {DEBIAN_DIR}: {UNAVAILABLE_HINT}")
    images = read_idx(DEBIAN_DIR / image_name, 2051)
    labels = read_idx(DEBIAN_DIR / label_name, 2049)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DatasetError(f"{DEBIAN_DIR}: {images.shape} images do not match {labels.shape} labels")
    return ImageDataset(
        name="fashion-mnist",
        split=split,
        images=torch.from_numpy(images.copy()).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
        class_names=CLASS_NAMES,
        source=f"Debian dataset-fashion-mnist ({len(images):,} images)",
        hub_dataset_id=HUB_DATASET_ID,
    )


def load_fashion_mnist(split: str = "train", source: str = "auto") -> ImageDataset:
    """source: "debian", "hub", or "auto" (Debian's files first, then the Hub or its cache)."""
    if split not in IDX_FILES:
        raise DatasetError(f"unknown Fashion-MNIST split {split!r}: use one of {sorted(IDX_FILES)}")
    if source == "embedded":
        raise DatasetError(f"Fashion-MNIST has no embedded copy: {UNAVAILABLE_HINT}")
    if source not in SOURCES:
        raise DatasetError(f"unknown dataset source {source!r}: use one of {', '.join(SOURCES)}")
    if source in ("auto", "debian"):
        try:
            return _load_debian(split)
        except DatasetError:
            if source == "debian":
                raise
    path = hub_dataset_file(HUB_DATASET_ID, HUB_PARQUET_FILES[split], f"or {UNAVAILABLE_HINT.split(' or ')[0]}")
    return read_image_parquet(path, split, "fashion-mnist", CLASS_NAMES, HUB_DATASET_ID)
