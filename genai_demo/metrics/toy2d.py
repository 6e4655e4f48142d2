"""What the 2D playground measures about generated points.

- modes covered: a mode counts when at least 1% of the samples lie within 3 sigma of its centre;
- high quality: the fraction of samples within 3 sigma of any centre (both as in Srivastava et
  al. 2017, VEEGAN, section 5.1, and Metz et al. 2017);
- sliced Wasserstein distance: the 1-Wasserstein distance between the two point sets projected on
  evenly spaced directions, averaged (Rabin et al. 2011); defined for every dataset, mixtures or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

COVERAGE_SHARE = 0.01
QUALITY_SIGMAS = 3.0
SLICES = 64


@dataclass(frozen=True)
class Coverage:
    modes_covered: int
    modes: int
    high_quality: float  # fraction in [0, 1]


def mode_coverage(samples: torch.Tensor, centres: np.ndarray, sigma: float) -> Coverage:
    centres = torch.as_tensor(centres, dtype=samples.dtype)
    distances = torch.cdist(samples, centres)  # (N, M)
    nearest, which = distances.min(dim=1)
    close = nearest <= QUALITY_SIGMAS * sigma
    counts = torch.bincount(which[close], minlength=len(centres))
    covered = int((counts >= max(1, math.ceil(COVERAGE_SHARE * len(samples)))).sum())
    return Coverage(covered, len(centres), float(close.float().mean()))


def sliced_wasserstein(first: torch.Tensor, second: torch.Tensor, slices: int = SLICES) -> float:
    """Average over `slices` directions of W1 between the projections; the sets must be the same size."""
    if len(first) != len(second):
        raise ValueError(f"sliced_wasserstein needs sets of one size, got {len(first)} and {len(second)}")
    angles = torch.arange(slices, dtype=first.dtype) * math.pi / slices
    directions = torch.stack([torch.cos(angles), torch.sin(angles)])  # (2, slices)
    first_projected = torch.sort(first @ directions, dim=0).values
    second_projected = torch.sort(second @ directions, dim=0).values
    return float((first_projected - second_projected).abs().mean())
