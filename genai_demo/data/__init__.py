"""Datasets: embedded offline defaults, Hub datasets when reachable -> tensors."""

from __future__ import annotations

from genai_demo.data.images import ImageDataset
from genai_demo.data.mnist import load_mnist
from genai_demo.errors import DatasetError

IMAGE_DATASETS = {"mnist": load_mnist}


def load_image_dataset(name: str, split: str = "train", source: str = "auto") -> ImageDataset:
    """Load a named image dataset; a clear error lists the names that exist."""
    if name not in IMAGE_DATASETS:
        raise DatasetError(f"unknown image dataset {name!r}: choose one of {', '.join(IMAGE_DATASETS)}")
    return IMAGE_DATASETS[name](split=split, source=source)


__all__ = ["IMAGE_DATASETS", "ImageDataset", "load_image_dataset", "load_mnist"]
