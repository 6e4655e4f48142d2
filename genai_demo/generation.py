"""Sampling from model folders, shared by the CLI and the app; loaded models are cached."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import torch
from PIL import Image
from torch import nn

from genai_demo import limits
from genai_demo.hub.model_folder import WEIGHTS_NAME, load_model_folder
from genai_demo.images import make_grid

_CACHE_SIZE = 4
_cache: OrderedDict[tuple, nn.Module] = OrderedDict()
_cache_lock = threading.Lock()


def load_cached_model(model_dir: str | Path, device: torch.device) -> nn.Module:
    """Load a model folder once per (folder, weights version, device); a retrained folder reloads."""
    model_dir = Path(model_dir).resolve()
    weights = model_dir / WEIGHTS_NAME
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


def generate_images(model_dir: str | Path, num_samples: int, seed: int, device: torch.device) -> torch.Tensor:
    """(num_samples, C, H, W) images in [-1, 1]; the same seed gives the same images on a device."""
    num_samples = limits.NUM_SAMPLES.check(num_samples)
    seed = limits.SEED.check(seed)
    model = load_cached_model(model_dir, device)
    latents = model.sample_latents(num_samples, seed).to(device)
    return model.generate(latents)


def generate_image_grid(model_dir: str | Path, num_samples: int, seed: int, device: torch.device) -> Image.Image:
    return make_grid(generate_images(model_dir, num_samples, seed, device))
