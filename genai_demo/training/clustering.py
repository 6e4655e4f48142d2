"""k-means (Lloyd's algorithm with k-means++ seeding), for the self-conditioned DCGAN's clusters.

A few dozen lines of torch rather than a scikit-learn dependency: it runs on the trainer's
device, on data already there, and a seed makes it deterministic.
"""

from __future__ import annotations

import torch


@torch.no_grad()
def kmeans(points: torch.Tensor, clusters: int, seed: int, iterations: int = 50) -> tuple[torch.Tensor, torch.Tensor]:
    """(centres (clusters, dim), each centre's share of the points (clusters,)) of (N, dim) points."""
    if not 2 <= clusters <= len(points):
        raise ValueError(f"k-means needs 2 to {len(points)} clusters for {len(points)} points, got {clusters}")
    points = points.float()
    generator = torch.Generator(device=points.device).manual_seed(seed)
    # k-means++ (Arthur & Vassilvitskii 2007): each new centre drawn in proportion to the squared
    # distance to the nearest centre so far, which spreads the centres over the data.
    first = torch.randint(len(points), (1,), generator=generator, device=points.device)
    centres = points[first]
    nearest = torch.cdist(points, centres).squeeze(1).square()
    for _ in range(clusters - 1):
        chosen = torch.multinomial(nearest.clamp(min=0) + 1e-12, 1, generator=generator)
        centres = torch.cat([centres, points[chosen]])
        nearest = torch.minimum(nearest, torch.cdist(points, points[chosen]).squeeze(1).square())
    for _ in range(iterations):
        assignment = torch.cdist(points, centres).argmin(1)
        counts = torch.bincount(assignment, minlength=clusters).to(points.dtype)
        sums = torch.zeros_like(centres).index_add_(0, assignment, points)
        # An emptied cluster keeps its old centre.
        updated = torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], centres)
        if torch.equal(updated, centres):
            break
        centres = updated
    assignment = torch.cdist(points, centres).argmin(1)
    return centres, torch.bincount(assignment, minlength=clusters).to(points.dtype) / len(points)
