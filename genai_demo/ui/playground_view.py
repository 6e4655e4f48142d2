"""What the Playground tab draws: one frame of a 2D run, and its curves. Pillow and numpy only.

GAN Lab's colours: real points green, generated points purple; the discriminator's belief that a
place is real is the background, from light purple (fake) to light green (real).
"""

from __future__ import annotations

import colorsys

import numpy as np
import torch
from PIL import Image, ImageDraw

from genai_demo.data.toy2d import EXTENT
from genai_demo.families import AUTOENCODER, DIFFUSION
from genai_demo.plotting import View2D, font, line_panels
from genai_demo.training.playground import Playground

VIEW_SIZE = 400
HEAT_CELLS = 48
SHOWN_POINTS = 500
ARROWS = 48
FIELD_CELLS = 15
PATH_EVERY = 10  # a reverse path drawn through every 10th of its 100 steps
SHOWN_PATHS = 4
REAL, FAKE, ARROW, PATH = (27, 158, 119), (117, 90, 200), (217, 95, 2), (120, 120, 120)
FAKE_SIDE, REAL_SIDE = (236, 226, 250), (208, 240, 222)
LEGEND_HEIGHT = 22
SAMPLE_SEED = 3  # the same latents every frame: a point's movement is the model's change


def _hues(points: np.ndarray) -> np.ndarray:
    """A colour per point from its angle around the origin: links a real point to its latent mean."""
    angles = (np.arctan2(points[:, 1], points[:, 0]) / (2 * np.pi)) % 1.0
    return np.array([[round(255 * channel) for channel in colorsys.hsv_to_rgb(angle, 0.8, 0.8)] for angle in angles],
                    dtype=np.uint8)


def _legend(image: Image.Image, entries: list[tuple[str, tuple]]) -> Image.Image:
    """Colour keys under the view, wrapped onto as many lines as they need."""
    label_font = font(12)
    measure = ImageDraw.Draw(image)
    lines, line, x = [], [], 6
    for text, colour in entries:
        width = 22 + int(measure.textlength(text, font=label_font))
        if line and x + width > image.width:
            lines.append(line)
            line, x = [], 6
        line.append((x, text, colour))
        x += width
    lines.append(line)
    framed = Image.new("RGB", (image.width, image.height + LEGEND_HEIGHT * len(lines)), (255, 255, 255))
    framed.paste(image, (0, 0))
    draw = ImageDraw.Draw(framed)
    for row, entries_on_line in enumerate(lines):
        top = image.height + row * LEGEND_HEIGHT
        for x, text, colour in entries_on_line:
            draw.rectangle([x, top + 7, x + 9, top + 16], fill=colour)
            draw.text((x + 13, top + 4), text, fill=(40, 40, 40), font=label_font)
    return framed


@torch.no_grad()
def _data_view(playground: Playground, timestep: int) -> tuple[Image.Image, list[tuple[str, tuple]]]:
    """Background (D's belief), then lines (DDPM's field and reverse paths), then the points, then
    the generator's gradients on top."""
    view = View2D(VIEW_SIZE, EXTENT)
    family = playground.family
    legend = [("real", REAL), ("generated", FAKE)]
    if playground.family.adversarial:
        values = playground.field(torch.from_numpy(view.grid(HEAT_CELLS))).reshape(HEAT_CELLS, HEAT_CELLS).numpy()
        if family.wasserstein:  # a critic's score has no scale: its range in the view, low to high
            values = (values - values.min()) / max(float(values.max() - values.min()), 1e-9)
        view.heat_map(values, FAKE_SIDE, REAL_SIDE)
        legend.append(("critic score (green: high)" if family.wasserstein else "D(x) (green: real)", REAL_SIDE))
    if family.kind == DIFFUSION:
        # 100 denoising steps per sample: the points and reverse paths are the last measurement's
        # (about once a second while playing); the field is drawn anew each frame.
        if playground.last_paths is None:
            playground.measure(SHOWN_POINTS)
        generated, paths = playground.last_samples[:SHOWN_POINTS], playground.last_paths
        image = view.image()
        grid = torch.from_numpy(view.grid(FIELD_CELLS))
        view.arrows(image, grid.numpy(), playground.field(grid, timestep).numpy(), ARROW, length=14)
        view.polylines(image, paths[::PATH_EVERY, :SHOWN_PATHS].numpy(), PATH)
        view.pixels = np.asarray(image).copy()
        legend += [(f"denoising direction at t={timestep}", ARROW), ("reverse paths", PATH)]
    else:  # the network being trained (not its EMA, if any): the arrows start from these points
        generated = playground.sample(SHOWN_POINTS, seed=SAMPLE_SEED, averaged=False)
    view.points(playground.reference[:SHOWN_POINTS].numpy(), REAL)
    view.points(generated.numpy(), FAKE)
    image = view.image()
    if playground.family.adversarial:
        with torch.enable_grad():
            starts, pushes = playground.generator_gradients(ARROWS, seed=SAMPLE_SEED)
        view.arrows(image, starts.numpy(), pushes.numpy(), ARROW, length=28)
        legend.append(("generator's gradient", ARROW))
    return image, legend


@torch.no_grad()
def render_frame(playground: Playground, timestep: int = 10) -> Image.Image:
    """The data view (and for the VAE, its latent space beside it), with a legend."""
    image, legend = _data_view(playground, timestep)
    if playground.family.kind == AUTOENCODER:
        real = playground.reference[:SHOWN_POINTS]
        latent = View2D(VIEW_SIZE, EXTENT)
        latent.points(playground.encoder_means(real).numpy(), _hues(real.numpy()))
        both = Image.new("RGB", (2 * VIEW_SIZE + 8, VIEW_SIZE), (255, 255, 255))
        both.paste(image, (0, 0))
        both.paste(latent.image(), (VIEW_SIZE + 8, 0))
        ImageDraw.Draw(both).rectangle([VIEW_SIZE + 8, 0, 2 * VIEW_SIZE + 7, VIEW_SIZE - 1], outline=(180, 180, 180))
        image = both
        legend.append(("right: encoder means in latent space, coloured by angle", (200, 60, 60)))
    return _legend(image, legend)


def render_curves(playground: Playground, width: int = 420) -> Image.Image:
    """The losses, then modes covered, high-quality share and sliced Wasserstein distance, per step."""
    history = playground.history
    series = {}
    for name in playground.family.curves:
        points = [(record.step, record.losses[name]) for record in history if name in record.losses]
        series[name] = ([step for step, _ in points], [value for _, value in points])
    for name in ("modes_covered", "high_quality", "sliced_wasserstein"):
        points = [(record.step, getattr(record, name)) for record in history if getattr(record, name) is not None]
        if points:
            series[name] = ([step for step, _ in points], [value for _, value in points])
    return line_panels(series, width=width, panel_height=70)
