"""Sampling from model folders, shared by the CLI and the app; loaded models are cached."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_folder import load_model_folder, weights_path
from genai_demo.images import make_grid

_CACHE_SIZE = 4
_cache: OrderedDict[tuple, nn.Module] = OrderedDict()
_cache_lock = threading.Lock()


def load_cached_model(model_dir: str | Path, device: torch.device) -> nn.Module:
    """Load a model folder once per (folder, weights version, device); a retrained folder reloads."""
    model_dir = Path(model_dir).resolve()
    weights = weights_path(model_dir)
    version = weights.stat().st_mtime_ns if weights.is_file() else None
    key = (str(model_dir), version, str(device))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
        model = load_model_folder(model_dir, device)
        _cache[key] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return model


ALL_CLASSES = "all"


def generate_images(
    model_dir: str | Path, num_samples: int, seed: int, device: torch.device, class_label: int | str | None = None
) -> torch.Tensor:
    """(num_samples, C, H, W) images in [-1, 1]; the same seed gives the same images on a device.

    For a conditional model, `class_label` picks the class of every image; None or "all"
    cycles through the classes.
    """
    num_samples = limits.NUM_SAMPLES.check(num_samples)
    seed = limits.SEED.check(seed)
    model = load_cached_model(model_dir, device)
    latents = model.sample_latents(num_samples, seed).to(device)
    if not getattr(model, "is_conditional", False) or class_label in (None, ALL_CLASSES):
        return model.generate(latents)
    label = check_class_label(model, class_label)
    return model.generate(latents, torch.full((num_samples,), label, device=device))


def check_class_label(model: nn.Module, class_label: int | str) -> int:
    num_classes = model.num_classes
    return limits.IntRange(f"class (0 to {num_classes - 1}, or all)", 0, num_classes - 1).check(class_label)


def class_count(model_dir: str | Path, device: torch.device) -> int:
    """How many classes a conditional model draws; 0 when it takes no class label."""
    model = load_cached_model(model_dir, device)
    return int(model.num_classes) if getattr(model, "is_conditional", False) else 0


def samples_per_class_row(num_samples: int, num_classes: int) -> int:
    """A grid of every class has one row per class: 64 samples over 10 classes -> 6 per row (60 in all)."""
    return max(1, num_samples // num_classes)


def generate_image_grid(
    model_dir: str | Path, num_samples: int, seed: int, device: torch.device, class_label: int | str | None = None
) -> Image.Image:
    """A grid of samples; for a conditional model and all classes, one row per class
    (num_samples // num_classes per row, the same latents in every row)."""
    model = load_cached_model(model_dir, device)
    if getattr(model, "is_conditional", False) and class_label in (None, ALL_CLASSES):
        num_samples, seed = limits.NUM_SAMPLES.check(num_samples), limits.SEED.check(seed)
        per_class = samples_per_class_row(num_samples, model.num_classes)
        latents, labels = model.class_rows(model.sample_latents(per_class, seed).to(device))
        return make_grid(model.generate(latents, labels), num_columns=per_class)
    return make_grid(generate_images(model_dir, num_samples, seed, device, class_label))


def slerp(start: torch.Tensor, end: torch.Tensor, fractions: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (Shoemake 1985; White 2016 for GAN latents), one row per fraction.

    Gaussian latents live near a sphere; a straight line between two of them passes through
    low-norm points the generator rarely saw, so the arc gives cleaner in-between images.
    """
    start_unit, end_unit = start / start.norm(), end / end.norm()
    omega = torch.arccos((start_unit * end_unit).sum().clamp(-1.0, 1.0))
    fractions = fractions.view(-1, 1)
    if omega.abs() < 1e-6:  # (anti)parallel: the arc degenerates to a line
        return (1 - fractions) * start + fractions * end
    return (torch.sin((1 - fractions) * omega) * start + torch.sin(fractions * omega) * end) / torch.sin(omega)


def interpolate_images(
    model_dir: str | Path, seed_start: int, seed_end: int, num_steps: int, device: torch.device
) -> torch.Tensor:
    """(num_steps, C, H, W) images along the arc from seed_start's latent to seed_end's."""
    seed_start, seed_end = limits.SEED.check(seed_start), limits.SEED.check(seed_end)
    num_steps = limits.INTERPOLATION_STEPS.check(num_steps)
    model = load_cached_model(model_dir, device)
    return model.generate(interpolate_latents(model, seed_start, seed_end, num_steps).to(device))


def interpolate_latents(model, seed_start: int, seed_end: int, num_steps: int) -> torch.Tensor:
    """(num_steps, latent width) latents from seed_start's to seed_end's: the arc for the Gaussian
    part; a one-hot code after it (a self-conditioned DCGAN's cluster, InfoGAN's code) is blended
    linearly, so each step's code still sums to one, as the generator saw in training."""
    start, end = model.sample_latents(1, seed_start)[0], model.sample_latents(1, seed_end)[0]
    fractions = torch.linspace(0, 1, num_steps)
    gaussian_width = getattr(model.config, "latent_dim", start.numel())
    if gaussian_width >= start.numel():
        return slerp(start, end, fractions)
    arc = slerp(start[:gaussian_width], end[:gaussian_width], fractions)
    code = torch.lerp(start[gaussian_width:], end[gaussian_width:], fractions.view(-1, 1))
    return torch.cat([arc, code], dim=1)


def reconstruct_image(model_dir: str | Path, image: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The VAE's reconstruction of (1, C, H, W) image in [-1, 1]."""
    model = load_cached_model(model_dir, device)
    if not hasattr(model, "reconstruct"):
        raise InvalidInputError(f"{Path(model_dir).name} is a {model.model_type}: only a VAE can reconstruct an image")
    return model.reconstruct(image.to(device)).cpu()
