"""The Images tab's style-based controls, called directly: truncation, noise and the mixing grid
appear for a style-based model only, do what they say, and refuse bad input with one line."""

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image

from genai_demo.folders.model_folder import save_model_folder
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.models.stylegan import StyleGAN, StyleGANConfig
from genai_demo.ui import generate_images
from genai_demo.ui.state import AppState
from genai_demo.ui.style_mixing import mix_styles, parse_seeds

TYPES = generate_images.IMAGE_MODEL_TYPES
CELL = 28 + 2  # a 28-pixel image and the grid's 2-pixel gap


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    """A style-based folder (random weights, made to vary: its styles and noise do something) beside the shipped ones."""
    root = tmp_path_factory.mktemp("models")
    torch.manual_seed(0)
    model = StyleGAN(StyleGANConfig(latent_dim=8, w_dim=16, mapping_layers=2, generator_features=16,
                                    discriminator_features=8, min_features=8))
    with torch.no_grad():
        for parameter in model.generator.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
        for layer in model.generator.synthesis.layers:
            layer.noise_strength.fill_(0.5)
    model.set_w_avg(1000)
    save_model_folder(root / "stylegan-tiny", model.eval())
    return AppState(device=torch.device("cpu"), model_roots=[root, SHIPPED_CHECKPOINTS])


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).astype(int)


def cells(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return np.stack([grid[2 + r * CELL: 2 + r * CELL + 28, 2 + c * CELL: 2 + c * CELL + 28]
                     for r in range(rows) for c in range(cols)])


def test_style_controls_show_for_a_style_based_model_only(state):
    _, _, truncation, noise, accordion, crossover = generate_images.choose_model(state, "stylegan-tiny")
    assert truncation.visible and noise.visible and accordion.visible and crossover.visible
    assert crossover.maximum == 5 and crossover.value == 3 and "layers 1–2: 14×14" in crossover.info
    _, _, truncation, noise, accordion, crossover = generate_images.choose_model(state, "dcgan-mnist")
    assert not any(component.visible for component in (truncation, noise, accordion, crossover))


def test_truncation_zero_draws_the_average_image_everywhere_and_one_changes_nothing(state):
    plain, _ = generate_images.generate_images(state, "stylegan-tiny", 16, 0)
    same, caption = generate_images.generate_images(state, "stylegan-tiny", 16, 0, "all", 1.0, True)
    assert np.array_equal(pixels(plain), pixels(same)) and "truncation" not in caption
    average, caption = generate_images.generate_images(state, "stylegan-tiny", 16, 0, "all", 0.0, True)
    images = cells(pixels(average), 4, 4)
    assert (images == images[:1]).all() and "truncation ψ 0, noise on" in caption
    assert not (cells(pixels(plain), 4, 4) == cells(pixels(plain), 4, 4)[:1]).all()


def test_noise_off_changes_the_detail_not_the_request(state):
    on, _ = generate_images.generate_images(state, "stylegan-tiny", 4, 1, "all", 1.0, True)
    off, caption = generate_images.generate_images(state, "stylegan-tiny", 4, 1, "all", 1.0, False)
    assert not np.array_equal(pixels(on), pixels(off)) and "noise off" in caption


def test_a_dcgan_refuses_truncation_in_one_line(state):
    with pytest.raises(gr.Error, match="truncation and noise settings apply to style-based GANs"):
        generate_images.generate_images(state, "dcgan-mnist", 4, 0, "all", 0.5, True)


def test_the_mixing_grid_has_the_sources_on_its_edges_and_the_ends_are_the_sources(state):
    path, caption = mix_styles(state, TYPES, "stylegan-tiny", "0 1 2", "0, 1, 2", 3)
    grid = cells(pixels(path), 4, 4)
    assert grid.shape == (16, 28, 28) and (grid[0] == 0).all()  # the blank corner
    col_sources, row_sources = grid[1:4], grid[[4, 8, 12]]
    assert np.array_equal(col_sources, row_sources)  # the same seeds on both edges
    mixes = grid[[5, 6, 7, 9, 10, 11, 13, 14, 15]].reshape(3, 3, 28, 28)
    for i in range(3):
        assert np.array_equal(mixes[i, i], row_sources[i])  # a seed mixed with itself is itself
    assert not np.array_equal(mixes[0, 1], row_sources[0]) and not np.array_equal(mixes[0, 1], col_sources[1])
    assert "3 × 3 mixes from **stylegan-tiny**: layers 0–2 from the row seeds" in caption
    # Crossover 0: every cell is its column seed's image; the last layer: its row seed's.
    every_column = cells(pixels(mix_styles(state, TYPES, "stylegan-tiny", "0 1", "0 1", 0)[0]), 3, 3)
    assert np.array_equal(every_column[[4, 5]], every_column[[1, 2]])
    every_row = cells(pixels(mix_styles(state, TYPES, "stylegan-tiny", "0 1", "0 1", 5)[0]), 3, 3)
    assert np.array_equal(every_row[4], every_row[3]) and np.array_equal(every_row[5], every_row[3])


@pytest.mark.parametrize("rows, cols, crossover, message", [
    ("0 x", "1", 3, "Row seeds: 'x' is not a seed"),
    ("", "1", 3, "Row seeds: give 1 to 16 seeds, got 0"),
    ("0", " ".join(map(str, range(17))), 3, "Column seeds: give 1 to 16 seeds, got 17"),
    ("0", "-3", 3, "Column seeds: '-3' is not a seed"),
    ("0", "1", 6, "crossover layer \\(0 to 5\\) must be a whole number from 0 to 5"),
])
def test_bad_mixing_input_is_refused_in_one_line(state, rows, cols, crossover, message):
    with pytest.raises(gr.Error, match=message):
        mix_styles(state, TYPES, "stylegan-tiny", rows, cols, crossover)


def test_mixing_asks_for_a_style_based_model(state):
    with pytest.raises(gr.Error, match="dcgan-mnist is a dcgan: style mixing needs a style-based GAN"):
        mix_styles(state, TYPES, "dcgan-mnist", "0", "1", 3)


def test_seed_ranges_are_read():
    assert parse_seeds("0-3, 7", "Row") == [0, 1, 2, 3, 7]
    assert parse_seeds("5，6", "Row") == [5, 6]  # a Chinese comma
