"""Turning image tensors into grids and PNG files (no torchvision: it breaks beside our torch)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image, PngImagePlugin

from genai_demo.io_utils import atomic_write


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) floats in [-1, 1] -> (N, H, W, C) uint8 in [0, 255]."""
    scaled = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round()
    return scaled.to(torch.uint8).permute(0, 2, 3, 1).numpy()


def make_grid(images: torch.Tensor, num_columns: int | None = None, padding: int = 2) -> Image.Image:
    """Tile (N, C, H, W) images in [-1, 1] into one PIL image, `num_columns` per row.

    The default is a square-ish grid (8 columns for 64 images), like torchvision's make_grid.
    """
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {tuple(images.shape)}")
    count, channels, height, width = images.shape
    if count == 0:
        raise ValueError("cannot make a grid of zero images")
    num_columns = num_columns or math.ceil(math.sqrt(count))
    num_columns = min(num_columns, count)
    num_rows = math.ceil(count / num_columns)
    pixels = to_uint8(images)
    grid = np.zeros(
        (num_rows * (height + padding) + padding, num_columns * (width + padding) + padding, channels),
        dtype=np.uint8,
    )
    for index in range(count):
        row, column = divmod(index, num_columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    if channels == 1:
        return Image.fromarray(grid[:, :, 0], mode="L")
    return Image.fromarray(grid, mode="RGB")


def save_png(image: Image.Image, path: str | Path, text_metadata: dict[str, str] | None = None) -> Path:
    """Write a PNG atomically, with optional tEXt metadata (seed, model, ...)."""
    info = PngImagePlugin.PngInfo()
    for key, value in (text_metadata or {}).items():
        info.add_text(key, str(value))
    path = Path(path)
    with atomic_write(path) as handle:
        image.save(handle, format="PNG", pnginfo=info)
    return path


def save_gif(frames: list[Image.Image], path: str | Path, frame_seconds: float = 0.12, scale: int = 4) -> Path:
    """An endlessly looping animated GIF that plays forwards then backwards, frames upscaled."""
    scaled = [frame.resize((frame.width * scale, frame.height * scale), Image.NEAREST) for frame in frames]
    sequence = scaled + scaled[-2:0:-1]  # ping-pong, without repeating the end frames
    path = Path(path)
    with atomic_write(path) as handle:
        sequence[0].save(
            handle, format="GIF", save_all=True, append_images=sequence[1:],
            duration=int(frame_seconds * 1000), loop=0,
        )
    return path


def digit_from_drawing(image: Image.Image, image_size: int = 28) -> torch.Tensor:
    """A drawn or uploaded digit as MNIST-like (1, 1, size, size) in [-1, 1]: bright on dark,
    cropped to its strokes, scaled to fit 20/28 of the frame and centred (MNIST's own recipe).

    Transparent pixels count as background, so a sketchpad's black strokes on nothing work
    as well as a photo of ink on paper.
    """
    rgba = image.convert("RGBA")
    gray = np.asarray(rgba.convert("L"), dtype=np.float32)
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    opaque = alpha > 0.5
    if not opaque.any():
        raise ValueError("the drawing is empty: draw a digit first")
    # Ink is whatever differs from the background's typical brightness.
    background = np.median(gray[opaque]) if opaque.mean() > 0.5 else (255.0 if gray[opaque].mean() < 128 else 0.0)
    ink = np.abs(gray - background) * alpha
    if ink.max() < 16:
        raise ValueError("no strokes found in the image: draw or upload a digit")
    rows, columns = np.nonzero(ink > 0.25 * ink.max())
    crop = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    inner = round(image_size * 20 / 28)
    scale = inner / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    resized = np.asarray(Image.fromarray(crop / crop.max() * 255).convert("L").resize((width, height), Image.LANCZOS))
    canvas = np.zeros((image_size, image_size), dtype=np.float32)
    top, left = (image_size - height) // 2, (image_size - width) // 2
    canvas[top : top + height, left : left + width] = resized
    return torch.from_numpy(canvas / 127.5 - 1).view(1, 1, image_size, image_size)
