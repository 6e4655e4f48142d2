"""What every class-conditional generator offers the app: a row per class, and labels that cycle."""

from __future__ import annotations

import torch


class ClassConditional:
    """Mixin for generators whose `generate(latents, labels)` takes class labels."""

    is_conditional = True

    @property
    def num_classes(self) -> int:
        raise NotImplementedError

    def class_rows(self, row_latents: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latents and labels for a grid with one row per class, the same latents in every row
        (style stays, class changes): lay it out with len(row_latents) columns."""
        num_classes, per_class = self.num_classes, len(row_latents)
        labels = torch.arange(num_classes, device=row_latents.device).repeat_interleave(per_class)
        return row_latents.repeat(num_classes, *([1] * (row_latents.dim() - 1))), labels

    def default_labels(self, num_samples: int) -> torch.Tensor:
        """0, 1, ..., num_classes - 1, 0, 1, ...: every class shows up."""
        return torch.arange(num_samples) % self.num_classes

    def check_labels(self, labels: torch.Tensor) -> None:
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(f"class labels must be in 0..{self.num_classes - 1}")
