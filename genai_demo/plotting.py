"""Small raster charts drawn with Pillow: a model card's training curves, the playground's frames.

Not matplotlib: importing it costs half a second and ~75 MB of install (with fontTools), and Gradio
imports it on a server's first request whenever it is installed (to pin its backend), which alone
made the app's cold start miss its target. These charts need lines, points, labels and ticks only.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
GRID = (225, 225, 225)
LINE = (31, 119, 180)


def font(size: int = 11) -> ImageFont.ImageFont:
    """Pillow's own scalable font (no system font needed)."""
    return ImageFont.load_default(size=size)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round numbers (1, 2 or 5 × 10^k apart) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(multiple * power for multiple in (1, 2, 5, 10) if multiple * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [first + index * step for index in range(int((high - first) / step + 1e-9) + 1)]


def tick_label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 10_000 or abs(value) < 1e-3:
        return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return f"{value:g}" if abs(value) >= 1 else f"{value:.3g}"


def _span(values: np.ndarray) -> tuple[float, float]:
    """The y range: all the values, unless a few are far above the rest (an untrained model's first
    measurement), which are then drawn at the top edge."""
    low, high = float(np.min(values)), float(np.max(values))
    if values.size >= 5:
        upper, middle, lower = np.percentile(values, [75, 50, 25])
        high = min(high, float(middle + 5 * max(upper - lower, 1e-9 + 0.05 * abs(middle))))
    if high - low <= 1e-6 * max(1.0, abs(low)):  # flat (up to rounding): centre it
        pad = max(abs(low) * 0.05, 1.0)
        return low - pad, high + pad
    pad = (high - low) * 0.05
    return low - pad, high + pad


def line_panels(series: dict[str, tuple[Sequence[float], Sequence[float]]], width: int = 700,
                panel_height: int = 150, x_label: str = "step") -> Image.Image:
    """One panel per named curve, stacked, sharing the x axis: each a line of (x, y) points with
    its name, y ticks and a light grid; x ticks under the last panel."""
    names = list(series)
    left, right, top, gap, bottom = 70, 16, 20, 8, 34
    height = top + len(names) * panel_height + (len(names) - 1) * gap + bottom
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    label_font, tick_font = font(12), font(10)
    all_x = np.concatenate([np.asarray(series[name][0], dtype=float) for name in names]) if names else np.zeros(1)
    x_low, x_high = (float(all_x.min()), float(all_x.max())) if all_x.size else (0.0, 1.0)
    if x_high <= x_low:
        x_high = x_low + 1
    x_ticks = nice_ticks(x_low, x_high)

    def x_pixel(value: float) -> float:
        return left + (value - x_low) / (x_high - x_low) * (width - left - right)

    for index, name in enumerate(names):
        x, y = (np.asarray(values, dtype=float) for values in series[name])
        finite = np.isfinite(y)
        x, y = x[finite], y[finite]
        y0 = top + index * (panel_height + gap)
        y1 = y0 + panel_height
        y_low, y_high = _span(y) if y.size else (0.0, 1.0)

        def y_pixel(value: float, y0=y0, y1=y1, y_low=y_low, y_high=y_high) -> float:
            return y1 - (min(value, y_high) - y_low) / (y_high - y_low) * (y1 - y0)

        for tick in x_ticks:
            draw.line([(x_pixel(tick), y0), (x_pixel(tick), y1)], fill=GRID)
        for tick in nice_ticks(y_low, y_high, 4):
            if y_low <= tick <= y_high:
                draw.line([(left, y_pixel(tick)), (width - right, y_pixel(tick))], fill=GRID)
                draw.text((left - 4, y_pixel(tick)), tick_label(tick), fill=INK, font=tick_font, anchor="rm")
        draw.rectangle([left, y0, width - right, y1], outline=INK)
        if x.size > 1:
            draw.line([(x_pixel(a), y_pixel(b)) for a, b in zip(x, y)], fill=LINE, width=2, joint="curve")
        elif x.size == 1:
            draw.ellipse([x_pixel(x[0]) - 3, y_pixel(y[0]) - 3, x_pixel(x[0]) + 3, y_pixel(y[0]) + 3], fill=LINE)
        box = draw.textbbox((left + 6, y0 + 3), name, font=label_font)
        draw.rectangle([box[0] - 2, box[1] - 1, box[2] + 2, box[3] + 1], fill=BACKGROUND)
        draw.text((left + 6, y0 + 3), name, fill=INK, font=label_font)
    last = top + len(names) * panel_height + (len(names) - 1) * gap
    for tick in x_ticks:
        draw.text((x_pixel(tick), last + 4), tick_label(tick), fill=INK, font=tick_font, anchor="mt")
    draw.text(((left + width - right) / 2, height - 4), x_label, fill=INK, font=label_font, anchor="md")
    return image


# ---- 2D views: a square of data space [-extent, extent]^2 drawn into pixels ----


class View2D:
    """Pixels of a square view of data space; y up. Draw a heat map first, then points and arrows."""

    def __init__(self, size: int, extent: float):
        self.size, self.extent = size, extent
        self.pixels = np.full((size, size, 3), 255, dtype=np.uint8)

    def to_pixels(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) data coordinates -> (N, 2) float pixel (x, y)."""
        points = np.asarray(points, dtype=np.float64)
        scale = self.size / (2 * self.extent)
        return np.stack([(points[:, 0] + self.extent) * scale, (self.extent - points[:, 1]) * scale], axis=1)

    def grid(self, cells: int) -> np.ndarray:
        """(cells * cells, 2) data coordinates of cell centres, row by row from the top."""
        centres = (np.arange(cells) + 0.5) / cells * 2 * self.extent - self.extent
        x, y = np.meshgrid(centres, centres[::-1])
        return np.stack([x.ravel(), y.ravel()], axis=1).astype(np.float32)

    def heat_map(self, values: np.ndarray, low_colour, high_colour) -> None:
        """`values` (cells, cells) in [0, 1] from `grid`, blended between two colours, smoothly scaled up."""
        values = np.clip(np.asarray(values, dtype=np.float32), 0, 1)[..., None]
        colours = (1 - values) * np.asarray(low_colour, np.float32) + values * np.asarray(high_colour, np.float32)
        small = Image.fromarray(colours.round().astype(np.uint8))
        self.pixels = np.asarray(small.resize((self.size, self.size), Image.BILINEAR)).copy()

    def points(self, points: np.ndarray, colour, radius: int = 2) -> None:
        """Square dots, drawn straight into the pixel array (thousands per frame cost ~1 ms); `colour`:
        one (r, g, b) for all, or one per point (N, 3)."""
        xy = np.round(self.to_pixels(points)).astype(int)
        colours = np.asarray(colour, dtype=np.uint8)
        for dx in range(-radius + 1, radius):
            for dy in range(-radius + 1, radius):
                x, y = xy[:, 0] + dx, xy[:, 1] + dy
                inside = (x >= 0) & (x < self.size) & (y >= 0) & (y < self.size)
                self.pixels[y[inside], x[inside]] = colours[inside] if colours.ndim == 2 else colours

    def image(self) -> Image.Image:
        return Image.fromarray(self.pixels)

    def arrows(self, image: Image.Image, starts: np.ndarray, vectors: np.ndarray, colour, length: float) -> None:
        """Arrows from `starts` along `vectors` (data units), the longest drawn `length` pixels long."""
        draw = ImageDraw.Draw(image)
        start_pixels = self.to_pixels(starts)
        directions = np.asarray(vectors, dtype=np.float64) * np.array([1.0, -1.0])
        norms = np.linalg.norm(directions, axis=1)
        scale = length / max(float(norms.max()) if norms.size else 0.0, 1e-12)
        for (x, y), (dx, dy), norm in zip(start_pixels, directions * scale, norms * scale):
            if norm < 1.5:
                continue
            end = (x + dx, y + dy)
            draw.line([(x, y), end], fill=colour, width=1)
            ux, uy = dx / norm, dy / norm
            head = min(5.0, norm / 2)
            draw.polygon([end, (end[0] - head * (ux - 0.5 * uy), end[1] - head * (uy + 0.5 * ux)),
                          (end[0] - head * (ux + 0.5 * uy), end[1] - head * (uy - 0.5 * ux))], fill=colour)

    def polylines(self, image: Image.Image, paths: np.ndarray, colour) -> None:
        """`paths` (steps, K, 2): one line per path."""
        draw = ImageDraw.Draw(image)
        for index in range(paths.shape[1]):
            draw.line([tuple(point) for point in self.to_pixels(paths[:, index])], fill=colour, width=1)
