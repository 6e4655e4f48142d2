"""How good a repair is: does the frozen classifier still read the same class, and how close are the
repaired pixels to the original ones where the damage was (PSNR, SSIM); the class comes from
`classifier_fid.predicted_classes`."""

from __future__ import annotations

import torch
from torchmetrics.functional.image import structural_similarity_index_measure


def psnr(repaired: torch.Tensor, original: torch.Tensor, region: torch.Tensor | None = None) -> torch.Tensor:
    """Per image, in dB for pixels in [0, 1] (images given in [-1, 1]), over `region` (1 = counted)."""
    error = ((repaired - original) / 2).pow(2)
    region = torch.ones_like(error) if region is None else region.expand_as(error)
    mean_error = (error * region).flatten(1).sum(1) / region.flatten(1).sum(1).clamp_min(1)
    return 10 * torch.log10(1 / mean_error.clamp_min(1e-10))


def ssim(repaired: torch.Tensor, original: torch.Tensor, region: torch.Tensor | None = None) -> torch.Tensor:
    """Per image, the structural similarity (Wang et al. 2004; torchmetrics, 11x11 Gaussian window)
    averaged over `region`."""
    _, similarity = structural_similarity_index_measure(
        ((repaired + 1) / 2).clamp(0, 1).float(), ((original + 1) / 2).clamp(0, 1).float(), data_range=1.0,
        reduction="none", return_full_image=True)
    region = torch.ones_like(similarity) if region is None else region.expand_as(similarity)
    return (similarity * region).flatten(1).sum(1) / region.flatten(1).sum(1).clamp_min(1)
