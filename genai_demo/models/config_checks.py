"""Checks shared by the model config dataclasses, so every family words its errors the same way."""

from __future__ import annotations


def require_positive(family: str, config: object, *names: str) -> None:
    for name in names:
        if getattr(config, name) < 1:
            raise ValueError(f"{family} {name} must be positive, got {getattr(config, name)}")


def require_image_size(family: str, image_size: int) -> None:
    """Two stride-2 stages need a size divisible by 4 (28 -> 14 -> 7)."""
    if image_size % 4 != 0 or image_size < 8:
        raise ValueError(f"{family} image_size must be a multiple of 4 and at least 8, got {image_size}")
