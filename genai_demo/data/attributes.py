"""Visual attributes measured from images (stroke thickness, slant), binned into thirds of a
training set, so a diffusion model can be conditioned on (class, thickness bin, slant bin)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from genai_demo.errors import ModelLoadError

ATTRIBUTES = ("thickness", "slant")
BIN_NAMES = {"thickness": ("thin", "medium", "thick"), "slant": ("left", "upright", "right")}
NUM_BINS = 3
CHUNK_SIZE = 1000  # images measured at once by `AttributeBins.fit` and `.bin`: bounds the memory
_EPSILON = 1e-6


def measure(images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Thickness and slant of each image of a batch (N, 1, H, W), floats in [-1, 1] (or uint8 0-255).

    - "thickness": the mean stroke width in pixels, 2 x ink mass / outline length, with ink mass the
      sum of (x + 1) / 2 and the outline's length the summed gradient magnitude of that ink. A long
      stroke w pixels wide gives about w, a disk of radius r gives r; an image without ink gives 0.
    - "slant": the shear of the ink, cov(u, v) / var(v) with the ink as weights and
      coordinates u (right) and v (up): the horizontal shift per pixel of height, positive for
      a stroke leaning right like "/", negative for "\\", 0 for upright or empty images.
    Both are unchanged by moving the ink around the image.
    """
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(f"attributes are measured on grayscale batches (N, 1, H, W), got {tuple(images.shape)}")
    if images.dtype == torch.uint8:
        images = images.float() / 127.5 - 1.0
    # Clamped: a generated sample may overshoot [-1, 1] a little, and negative ink has no meaning.
    ink = ((images[:, 0].float() + 1.0) / 2.0).clamp(0.0, 1.0)
    return {"thickness": _thickness(ink), "slant": _slant(ink)}


def _thickness(ink: torch.Tensor) -> torch.Tensor:
    # The outline's length is the summed gradient magnitude; differences over each 2x2 block keep a
    # diagonal edge about as long as a straight one. Zero padding: ink at the border has an edge there.
    padded = F.pad(ink, (1, 1, 1, 1))
    top_left, top_right = padded[:, :-1, :-1], padded[:, :-1, 1:]
    bottom_left, bottom_right = padded[:, 1:, :-1], padded[:, 1:, 1:]
    across = (top_right - top_left + bottom_right - bottom_left) / 2
    down = (bottom_left - top_left + bottom_right - top_right) / 2
    outline = torch.sqrt(across**2 + down**2).sum(dim=(1, 2))
    return 2.0 * ink.sum(dim=(1, 2)) / outline.clamp_min(_EPSILON)


def _slant(weights: torch.Tensor) -> torch.Tensor:
    height, width = weights.shape[-2:]
    rows = torch.arange(height, dtype=weights.dtype, device=weights.device)
    columns = torch.arange(width, dtype=weights.dtype, device=weights.device)
    v = -rows.view(1, height, 1)  # up
    u = columns.view(1, 1, width)  # right
    mass = weights.sum(dim=(1, 2)).clamp_min(_EPSILON)
    mean_u = (weights * u).sum(dim=(1, 2)) / mass
    mean_v = (weights * v).sum(dim=(1, 2)) / mass
    centred_u = u - mean_u.view(-1, 1, 1)
    centred_v = v - mean_v.view(-1, 1, 1)
    covariance = (weights * centred_u * centred_v).sum(dim=(1, 2)) / mass
    variance_v = (weights * centred_v**2).sum(dim=(1, 2)) / mass
    return covariance / variance_v.clamp_min(_EPSILON)


def _measure_in_chunks(images: torch.Tensor) -> dict[str, torch.Tensor]:
    chunks = [measure(images[start : start + CHUNK_SIZE]) for start in range(0, max(len(images), 1), CHUNK_SIZE)]
    return {name: torch.cat([chunk[name] for chunk in chunks]) for name in ATTRIBUTES}


@dataclass(frozen=True)
class AttributeBins:
    """The two inner edges of each attribute's three bins (a training set's terciles): a value below
    the first edge is bin 0 ("thin", "left"), from the first to the second bin 1, from the second on bin 2."""

    thickness_edges: tuple[float, float]
    slant_edges: tuple[float, float]

    def edges(self, attribute: str) -> tuple[float, float]:
        """The inner edges of one attribute of `ATTRIBUTES`."""
        return {"thickness": self.thickness_edges, "slant": self.slant_edges}[attribute]

    @classmethod
    def fit(cls, images: torch.Tensor) -> AttributeBins:
        """Terciles of each attribute over a dataset's images (N, 1, H, W), measured 1,000 at a time."""
        if len(images) == 0:
            raise ValueError("cannot fit attribute bins on an empty set of images")
        values = _measure_in_chunks(images)
        quantiles = torch.tensor([1 / NUM_BINS, 2 / NUM_BINS], dtype=torch.float64)
        edges = {name: tuple(round(float(edge), 6) for edge in torch.quantile(values[name].cpu().double(), quantiles))
                 for name in ATTRIBUTES}
        return cls(thickness_edges=edges["thickness"], slant_edges=edges["slant"])

    def bin(self, images: torch.Tensor) -> torch.Tensor:
        """Bin indices (N, 2), long, on the images' device: column 0 the thickness bin, column 1 the slant bin."""
        values = _measure_in_chunks(images)
        columns = [torch.bucketize(values[name], torch.tensor(self.edges(name), device=values[name].device), right=True)
                   for name in ATTRIBUTES]
        return torch.stack(columns, dim=1).long()

    def to_json(self) -> dict:
        """Plain JSON: {"thickness": {"edges": [..], "names": [..]}, "slant": {...}}."""
        return {name: {"edges": [round(float(edge), 6) for edge in self.edges(name)], "names": list(BIN_NAMES[name])}
                for name in ATTRIBUTES}

    @classmethod
    def from_json(cls, data: dict) -> AttributeBins:
        """Read what `to_json` wrote; anything else is a clear error, never a silent default."""
        expected = {name: {"edges": "[two increasing numbers]", "names": list(BIN_NAMES[name])} for name in ATTRIBUTES}
        if not _is_bins_json(data):
            raise ModelLoadError(f"attribute bins must look like {expected}, got {data!r}")
        edges = {name: (float(data[name]["edges"][0]), float(data[name]["edges"][1])) for name in ATTRIBUTES}
        return cls(thickness_edges=edges["thickness"], slant_edges=edges["slant"])


def _is_bins_json(data: object) -> bool:
    if not isinstance(data, dict) or sorted(data) != sorted(ATTRIBUTES):
        return False
    for name in ATTRIBUTES:
        entry = data[name]
        if not isinstance(entry, dict) or sorted(entry) != ["edges", "names"] or entry["names"] != list(BIN_NAMES[name]):
            return False
        edges = entry["edges"]
        if (not isinstance(edges, list) or len(edges) != NUM_BINS - 1
                or not all(isinstance(edge, (int, float)) and not isinstance(edge, bool) for edge in edges)
                or edges[0] > edges[1]):
            return False
    return True


def condition_counts(labels: torch.Tensor, bins: torch.Tensor, num_classes: int) -> list[list[int]]:
    """How many images each (class, thickness bin, slant bin) cell holds, as
    `counts[class][thickness_bin * 3 + slant_bin]`: the data's own distribution, to sample an
    attribute a prompt leaves open."""
    labels, bins = labels.long(), bins.long()
    if bins.ndim != 2 or bins.shape != (len(labels), len(ATTRIBUTES)):
        raise ValueError(f"bins must be (N, 2) for {len(labels)} labels, got {tuple(bins.shape)}")
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {labels.min().item()}..{labels.max().item()}")
    if len(bins) and (bins.min() < 0 or bins.max() >= NUM_BINS):
        raise ValueError(f"bin indices must lie in 0..{NUM_BINS - 1}")
    cells = NUM_BINS * NUM_BINS
    flat = labels * cells + bins[:, 0] * NUM_BINS + bins[:, 1]
    counts = torch.bincount(flat, minlength=num_classes * cells)
    return counts.view(num_classes, cells).tolist()
