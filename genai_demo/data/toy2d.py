"""2D distributions for the playground: the ones the GAN literature uses to show mode collapse.

ring8 and grid25 are mixtures of Gaussians with known centres, so coverage can be counted
(Metz et al. 2017, Unrolled GANs; Srivastava et al. 2017, VEEGAN): a mode is covered when at
least 1% of the samples fall within 3 sigma of its centre. moons and spiral are curves with
noise; "drawn" is whatever the user drew, as points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from genai_demo.errors import InvalidInputError

MODE_SIGMA = 0.05  # each Gaussian's standard deviation in ring8 and grid25
EXTENT = 3.0  # every dataset lies within [-EXTENT, EXTENT]^2: the view and the drawing canvas
MIN_DRAWN_POINTS = 10


@dataclass(frozen=True)
class Toy2D:
    """A 2D distribution to sample from; `centres` (M, 2) and `sigma` when it is a Gaussian mixture."""

    name: str
    points_or_centres: np.ndarray
    sigma: float
    mixture: bool

    @property
    def centres(self) -> np.ndarray | None:
        return self.points_or_centres if self.mixture else None

    def sample(self, count: int, generator: torch.Generator) -> torch.Tensor:
        """`count` points (count, 2) in float32; the same generator state gives the same points."""
        picks = torch.randint(len(self.points_or_centres), (count,), generator=generator)
        base = torch.as_tensor(self.points_or_centres, dtype=torch.float32)[picks]
        return base + self.sigma * torch.randn(count, 2, generator=generator)


def ring8() -> Toy2D:
    angles = np.arange(8) * 2 * math.pi / 8
    return Toy2D("ring8", 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1), MODE_SIGMA, True)


def grid25() -> Toy2D:
    axis = np.linspace(-2.0, 2.0, 5)
    return Toy2D("grid25", np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2), MODE_SIGMA, True)


def _curve(points: np.ndarray, name: str, noise: float) -> Toy2D:
    """A curve as dense points, centred and scaled to fill about two thirds of the view."""
    points = points - points.mean(axis=0)
    points = points * (2.0 / np.abs(points).max())
    return Toy2D(name, points.astype(np.float32), noise, False)


def moons() -> Toy2D:
    angles = np.linspace(0, math.pi, 500)
    upper = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    lower = np.stack([1 - np.cos(angles), 0.5 - np.sin(angles)], axis=1)
    return _curve(np.concatenate([upper, lower]), "moons", 0.08)


def spiral() -> Toy2D:
    angles = np.sqrt(np.linspace(0.02, 1, 1000)) * 3 * math.pi  # evenly spaced along the arc
    return _curve(np.stack([angles * np.cos(angles), angles * np.sin(angles)], axis=1), "spiral", 0.08)


def drawn(points: np.ndarray) -> Toy2D:
    """The user's drawing: points (N, 2) in the view's coordinates, each a small Gaussian."""
    points = np.asarray(points, dtype=np.float32).reshape(-1, 2)
    if len(points) < MIN_DRAWN_POINTS:
        raise InvalidInputError(f"draw at least {MIN_DRAWN_POINTS} points' worth of strokes on the canvas "
                                f"(found {len(points)}): the drawing is the data the models learn")
    return Toy2D("drawn", np.clip(points, -EXTENT, EXTENT), 0.05, False)


DATASETS = {"ring8": ring8, "grid25": grid25, "moons": moons, "spiral": spiral}


def toy_dataset(name: str) -> Toy2D:
    if name not in DATASETS:
        raise InvalidInputError(f"unknown 2D dataset {name!r}; choose one of {', '.join(DATASETS)} (or draw points)")
    return DATASETS[name]()


def points_from_drawing(mask: np.ndarray, max_points: int = 2000) -> np.ndarray:
    """The drawn pixels of a canvas (H, W boolean, True where drawn) as points in the view's
    coordinates, y up; at most `max_points`, evenly thinned."""
    rows, columns = np.nonzero(mask)
    if len(rows) > max_points:
        keep = np.linspace(0, len(rows) - 1, max_points).astype(int)
        rows, columns = rows[keep], columns[keep]
    height, width = mask.shape
    x = (columns + 0.5) / width * 2 * EXTENT - EXTENT
    y = EXTENT - (rows + 0.5) / height * 2 * EXTENT
    return np.stack([x, y], axis=1).astype(np.float32)
