"""Sampling from model folders, shared by the CLI and the app; loaded models are cached."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_folder import load_model_folder, weights_path
from genai_demo.folders.registry import dataset_of_folder
from genai_demo.images import make_grid
from genai_demo.prompts import Condition, parse_prompt

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


@dataclass(frozen=True)
class Asked:
    """What to draw beyond the seed: a class, or a prompt (English or Chinese), and for a guided
    diffusion model its guidance scale (None: the model's default)."""

    class_label: int | str | None = None
    prompt: str | None = None
    guidance: float | None = None
    # Style-based GANs: truncation psi (None or 1: off) and whether the per-layer noise is on.
    truncation: float | None = None
    noise: bool = True


def is_style_based(model: nn.Module) -> bool:
    return getattr(model, "is_style_based", False) is True


def style_options(model_dir: str | Path, model: nn.Module, truncation: float | None, noise: bool = True) -> dict:
    """`generate`'s truncation and noise arguments for a style-based model; asking another model
    for truncation or no noise is refused, saying which models take them."""
    if not is_style_based(model):
        if truncation not in (None, 1, 1.0) or not noise:
            raise InvalidInputError(f"{Path(model_dir).name} is a {model.model_type}: truncation and noise "
                                    "settings apply to style-based GANs (stylegan) only")
        return {}
    return {"truncation": 1.0 if truncation is None else limits.TRUNCATION.check(truncation),
            "noise_mode": "const" if noise else "none"}


def understood(model_dir: str | Path, model: nn.Module, asked: Asked) -> tuple[dict, Condition | None]:
    """The keyword arguments of the model's `generate` beyond latents and labels, and the condition a
    prompt was read as; a prompt or guidance the model cannot take is refused, saying why."""
    extra, condition = style_options(model_dir, model, asked.truncation, asked.noise), None
    guided = getattr(model, "is_guided", False)
    if asked.guidance is not None:
        if not guided:
            raise InvalidInputError(f"{Path(model_dir).name} is not a guided diffusion model: guidance applies "
                                    "to class-conditional diffusion models (cddpm) only")
        extra["guidance_scale"] = limits.GUIDANCE.check(asked.guidance)
    if asked.prompt is not None and asked.prompt.strip():
        if not getattr(model, "is_conditional", False) or not guided:
            raise InvalidInputError(f"{Path(model_dir).name} takes no prompt: prompts apply to class-conditional "
                                    "diffusion models (cddpm)")
        dataset = dataset_of_folder(Path(model_dir))
        condition = parse_prompt(asked.prompt, dataset or "")
        asks_attributes = condition.thickness is not None or condition.slant is not None
        if asks_attributes and not model.has_attributes:
            raise InvalidInputError(f"{Path(model_dir).name} was not trained on thickness and slant: ask for the "
                                    "class only, or use a model trained with --attributes")
        if condition.label is None or condition.label >= model.num_classes:
            raise InvalidInputError(f"the prompt names no class of {Path(model_dir).name}")
    return extra, condition


def condition_attributes(condition: Condition | None, num_samples: int) -> torch.Tensor | None:
    """The (thickness, slant) bins a prompt asked for, one row per sample, -1 where it asked for
    none (the model's `conditions` draws those); None when it asked for neither."""
    if condition is None or (condition.thickness is None and condition.slant is None):
        return None
    asked = [-1 if condition.thickness is None else condition.thickness, -1 if condition.slant is None else condition.slant]
    return torch.tensor([asked] * num_samples)


def generate_images(
    model_dir: str | Path, num_samples: int, seed: int, device: torch.device, class_label: int | str | None = None,
    asked: Asked | None = None,
) -> torch.Tensor:
    """(num_samples, C, H, W) images in [-1, 1]; the same seed gives the same images on a device.

    For a conditional model, `class_label` (or `asked`'s class or prompt) picks the class of every
    image; None or "all" cycles through the classes.
    """
    asked = asked or Asked(class_label)
    num_samples = limits.NUM_SAMPLES.check(num_samples)
    seed = limits.SEED.check(seed)
    model = load_cached_model(model_dir, device)
    extra, condition = understood(model_dir, model, asked)
    latents = model.sample_latents(num_samples, seed).to(device)
    label = condition.label if condition is not None else asked.class_label
    if not getattr(model, "is_conditional", False) or label in (None, ALL_CLASSES):
        return model.generate(latents, **extra)
    label = check_class_label(model, label)
    attributes = condition_attributes(condition, num_samples)
    if attributes is not None:
        extra["attributes"] = attributes
    return model.generate(latents, torch.full((num_samples,), label, device=device), **extra)


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


def sample_batch(
    model_dir: str | Path, num_samples: int, seed: int, device: torch.device, asked: Asked | None = None
) -> tuple[torch.Tensor, int | None]:
    """(images in [-1, 1], columns of their grid): for a conditional model asked for no class, one
    row per class (num_samples // num_classes per row, the same latents in every row); else
    `generate_images` (columns None: a square grid)."""
    asked = asked or Asked()
    model = load_cached_model(model_dir, device)
    no_class = asked.class_label in (None, ALL_CLASSES) and not (asked.prompt or "").strip()
    if getattr(model, "is_conditional", False) and no_class:
        extra, _ = understood(model_dir, model, asked)
        num_samples, seed = limits.NUM_SAMPLES.check(num_samples), limits.SEED.check(seed)
        per_class = samples_per_class_row(num_samples, model.num_classes)
        latents, labels = model.class_rows(model.sample_latents(per_class, seed).to(device))
        return model.generate(latents, labels, **extra), per_class
    return generate_images(model_dir, num_samples, seed, device, asked=asked), None


def generate_image_grid(
    model_dir: str | Path, num_samples: int, seed: int, device: torch.device, class_label: int | str | None = None,
    asked: Asked | None = None,
) -> Image.Image:
    """A grid of samples (see `sample_batch`)."""
    images, columns = sample_batch(model_dir, num_samples, seed, device, asked or Asked(class_label))
    return make_grid(images, num_columns=columns) if columns else make_grid(images)


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
    if is_style_based(model):
        # In w, where StyleGAN's paths are short and linear (Karras et al. 2019, section 4.2).
        return model.interpolate(model.sample_latents(1, seed_start).to(device),
                                 model.sample_latents(1, seed_end).to(device), torch.linspace(0, 1, num_steps))
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


@dataclass(frozen=True)
class StyleMix:
    """A style-mixing grid: `images[i * cols + j]` has row seed i's coarse styles (the layers before
    `crossover`) and column seed j's fine ones; `row_sources` and `col_sources` are the seeds' own images."""

    images: torch.Tensor
    row_sources: torch.Tensor
    col_sources: torch.Tensor
    crossover: int


def style_mixing(model_dir: str | Path, row_seeds: list[int], col_seeds: list[int], crossover: int,
                 device: torch.device, truncation: float | None = None, noise: bool = True) -> StyleMix:
    """StyleGAN's style-mixing figure (Karras et al. 2019, figure 3) for a style-based model folder."""
    model = load_cached_model(model_dir, device)
    if not is_style_based(model):
        raise InvalidInputError(f"{Path(model_dir).name} is a {model.model_type}: style mixing needs a style-based "
                                "GAN (stylegan)")
    options = style_options(model_dir, model, truncation, noise)
    for name, seeds in (("row", row_seeds), ("column", col_seeds)):
        if not 1 <= len(seeds) <= limits.MIX_SEEDS.maximum:
            raise InvalidInputError(f"give 1 to {limits.MIX_SEEDS.maximum} {name} seeds, got {len(seeds)}")
    rows = torch.cat([model.sample_latents(1, limits.SEED.check(seed)) for seed in row_seeds]).to(device)
    cols = torch.cat([model.sample_latents(1, limits.SEED.check(seed)) for seed in col_seeds]).to(device)
    crossover = limits.IntRange(f"crossover layer (0 to {model.num_ws})", 0, model.num_ws).check(crossover)
    coarse = rows.repeat_interleave(len(cols), dim=0)
    fine = cols.repeat(len(rows), 1)
    return StyleMix(model.mix(coarse, fine, crossover, **options), model.generate(rows, **options),
                    model.generate(cols, **options), crossover)


def style_mixing_figure(mix: StyleMix) -> Image.Image:
    """The grid as in the paper: column seeds' images along the top, row seeds' down the left, each
    cell the mix of its row (coarse) and column (fine); a blank corner."""
    blank = torch.full_like(mix.row_sources[:1], -1.0)
    rows = [torch.cat([blank, mix.col_sources])]
    cols = len(mix.col_sources)
    for index, source in enumerate(mix.row_sources):
        rows.append(torch.cat([source[None], mix.images[index * cols : (index + 1) * cols]]))
    return make_grid(torch.cat(rows), num_columns=cols + 1)
