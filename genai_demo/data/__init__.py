"""Datasets: embedded offline defaults, Hub datasets when reachable -> tensors."""

from __future__ import annotations

from pathlib import Path

from genai_demo.data.fashion_mnist import load_fashion_mnist
from genai_demo.data.images import ImageDataset
from genai_demo.data.mnist import hub_cache_only, load_mnist
from genai_demo.data.user_images import load_user_images
from genai_demo.errors import DatasetError

IMAGE_DATASETS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}


def load_image_dataset(
    name: str, split: str = "train", source: str = "auto", image_size: int = 28, channels: int = 1
) -> ImageDataset:
    """Load a named image dataset, or a user's folder / .zip of images given by its path
    (converted to `channels` and resized to `image_size`)."""
    if name in IMAGE_DATASETS:
        return IMAGE_DATASETS[name](split=split, source=source)
    if Path(name).is_dir() or name.lower().endswith(".zip"):
        if split != "train":
            raise DatasetError(f"user images have no {split!r} split: evaluate against a named dataset")
        return load_user_images(name, image_size=image_size, channels=channels)
    raise DatasetError(
        f"unknown image dataset {name!r}: choose one of {', '.join(IMAGE_DATASETS)}, or give a folder or .zip of images"
    )


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
    "load_user_images",
]
