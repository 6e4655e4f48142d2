"""The generation tabs' handlers, called directly with shipped models: the same pixels as the
library's own generation, class choice only for conditional models, streamed text and grids."""

import numpy as np
import pytest
import torch
from PIL import Image

from genai_demo.families import DIFFUSION_TAB, FAMILIES, IMAGES_TAB, TEXT_TAB, model_types
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.generation import generate_image_grid
from genai_demo.models.diffusion import SAMPLERS
from genai_demo.ui import generate_diffusion, generate_images, generate_text
from genai_demo.ui.state import AppState

STATE = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS])


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def test_each_tab_lists_the_families_the_registry_gives_it():
    assert generate_images.IMAGE_MODEL_TYPES == model_types(tab=IMAGES_TAB)
    assert generate_images.CONDITIONAL_TYPES == tuple(
        record.model_type for record in FAMILIES.values() if record.tab == IMAGES_TAB and record.is_conditional)
    assert "cdcgan" in generate_images.CONDITIONAL_TYPES and "dcgan" not in generate_images.CONDITIONAL_TYPES
    assert generate_diffusion.DIFFUSION_TYPES == model_types(tab=DIFFUSION_TAB)
    assert generate_text.TEXT_MODEL_TYPES == model_types(tab=TEXT_TAB) == ("char-lstm", "causal-lm")


def test_the_images_handler_gives_the_librarys_pixels_and_says_what_it_made():
    path, caption = generate_images.generate_images(STATE, "dcgan-mnist", 16, 42)
    expected = np.asarray(generate_image_grid(SHIPPED_CHECKPOINTS / "dcgan-mnist", 16, 42, STATE.device, "all"))
    assert np.array_equal(pixels(path), expected) and pixels(path).shape == (122, 122)
    assert caption.startswith("16 samples from **dcgan-mnist**, seed 42")
    _, conditional = generate_images.generate_images(STATE, "cdcgan-mnist", 16, 0, "7")
    assert "of class 7" in conditional


def test_the_class_choice_shows_for_conditional_models_only():
    card, classes = generate_images.choose_model(STATE, "cdcgan-mnist")
    assert classes.visible and "cdcgan-mnist" in card
    assert not generate_images.choose_model(STATE, "dcgan-mnist")[1].visible
    assert "no model called" in generate_images.choose_model(STATE, "char-lstm-python-code")[0]


def test_interpolation_gives_a_strip_and_an_animation():
    strip, animation = generate_images.interpolate_latents(STATE, "mlp-gan-mnist", 0, 1, 4)
    assert pixels(strip).shape == (32, 4 * 30 + 2)
    with Image.open(animation) as gif:
        assert gif.n_frames == 6  # 4 forward, 2 back


def test_text_streams_and_repeats_with_the_same_seed():
    partials = list(generate_text.generate_text(STATE, "char-lstm-python-code", "def ", 30, 1.0, 0, 1.0, 1.0, 3))
    assert len(partials) > 1 and all(later.startswith(earlier) for earlier, later in zip(partials, partials[1:]))
    again = list(generate_text.generate_text(STATE, "char-lstm-python-code", "def ", 30, 1.0, 0, 1.0, 1.0, 3))
    assert again[-1] == partials[-1] and 0 < len(partials[-1]) <= 30


def test_diffusion_streams_grids_until_done():
    updates = list(generate_diffusion.sample_diffusion(STATE, "ddpm-mnist", "ddim", 2, 1, 0, "all", "sample"))
    assert [status.split(":")[0] for _, status in updates] == ["Denoising", "Done"]
    assert pixels(updates[-1][0]).shape[:2] == (32, 32)  # one 28 px image with 2 px padding
    with pytest.raises(Exception, match="unknown sampler 'euler'"):
        list(generate_diffusion.sample_diffusion(STATE, "ddpm-mnist", "euler", 2, 1, 0))


def test_the_samplers_offered_are_the_models():
    assert sorted(name for _, name in generate_diffusion.SAMPLER_CHOICES) == sorted(SAMPLERS)
