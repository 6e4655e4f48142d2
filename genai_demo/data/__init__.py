"""Datasets: embedded offline defaults, Hub datasets when reachable -> tensors."""

from __future__ import annotations

from genai_demo.data.fashion_mnist import load_fashion_mnist
from genai_demo.data.images import ImageDataset
from genai_demo.data.mnist import hub_cache_only, load_mnist
from genai_demo.errors import DatasetError

IMAGE_DATASETS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}


def load_image_dataset(name: str, split: str = "train", source: str = "auto") -> ImageDataset:
    """Load a named image dataset; a clear error lists the names that exist."""
    if name not in IMAGE_DATASETS:
        raise DatasetError(f"unknown image dataset {name!r}: choose one of {', '.join(IMAGE_DATASETS)}")
    return IMAGE_DATASETS[name](split=split, source=source)


def dataset_availability() -> list[tuple[str, bool, str]]:
    """(name, usable here, where from or why not) for every image dataset; never downloads."""
    rows = []
    with hub_cache_only():
        for name, loader in IMAGE_DATASETS.items():
            try:
                rows.append((name, True, loader(split="train", source="auto").source))
            except DatasetError as error:
                rows.append((name, False, str(error)))
    return rows


__all__ = [
    "IMAGE_DATASETS",
    "ImageDataset",
    "dataset_availability",
    "load_fashion_mnist",
    "load_image_dataset",
    "load_mnist",
]
