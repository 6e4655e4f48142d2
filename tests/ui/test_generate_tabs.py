"""The generation tabs' handlers, called directly with shipped models: the same pixels as the
library's own generation, class choice only for conditional models, streamed text and grids."""

import shutil
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image
from training_runs import run_with_best  # noqa: F401 (a fixture)

from genai_demo.families import DIFFUSION_TAB, IMAGES_TAB, TEXT_TAB, model_types
from genai_demo.folders.model_folder import save_model_folder
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.generation import generate_image_grid
from genai_demo.models.diffusion import SAMPLERS, DiffusionConfig, DiffusionModel
from genai_demo.ui import generate_diffusion, generate_images, generate_text
from genai_demo.ui.state import AppState

STATE = AppState(device=torch.device("cpu"), model_roots=[SHIPPED_CHECKPOINTS])


def pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image)


def test_each_tab_lists_the_families_the_registry_gives_it():
    assert generate_images.IMAGE_MODEL_TYPES == model_types(tab=IMAGES_TAB)
    assert generate_diffusion.DIFFUSION_TYPES == model_types(tab=DIFFUSION_TAB)
    assert generate_text.TEXT_MODEL_TYPES == model_types(tab=TEXT_TAB) == ("char-lstm", "causal-lm")


def test_the_images_handler_gives_the_librarys_pixels_and_says_what_it_made():
    path, caption = generate_images.generate_images(STATE, "dcgan-mnist", 16, 42)
    expected = np.asarray(generate_image_grid(SHIPPED_CHECKPOINTS / "dcgan-mnist", 16, 42, STATE.device, "all"))
    assert np.array_equal(pixels(path), expected) and pixels(path).shape == (122, 122)
    assert caption.startswith("16 samples from **dcgan-mnist**, seed 42")
    _, conditional = generate_images.generate_images(STATE, "cdcgan-mnist", 16, 0, "7")
    assert "16 samples of class 7 (digit 7)" in conditional
    _, fashion = generate_images.generate_images(STATE, "cdcgan-fashion-mnist", 16, 0, "7")
    assert "16 samples of class 7 (Sneaker)" in fashion


def test_the_caption_counts_the_images_of_a_one_row_per_class_grid():
    path, caption = generate_images.generate_images(STATE, "cdcgan-mnist", 64, 0)
    assert pixels(path).shape == (10 * 30 + 2, 6 * 30 + 2)  # 10 rows of 6: 60 images
    assert caption.startswith("60 samples, 6 per class, one row per class (64 asked) from **cdcgan-mnist**")
    assert generate_images.generate_images(STATE, "cdcgan-mnist", 30, 0)[1].startswith(
        "30 samples, 3 per class, one row per class from")


def test_the_class_choice_shows_for_conditional_models_only_named_as_their_dataset_names_them():
    card, classes, *_ = generate_images.choose_model(STATE, "cdcgan-mnist", "7")
    assert classes.visible and "cdcgan-mnist" in card and classes.value == "7"
    assert ("7: digit 7", "7") in classes.choices and not any("Sneaker" in label for label, _ in classes.choices)
    fashion = generate_images.choose_model(STATE, "cdcgan-fashion-mnist", "7")[1]
    assert ("7: Sneaker", "7") in fashion.choices and not any("digit" in label for label, _ in fashion.choices)
    assert not generate_images.choose_model(STATE, "dcgan-mnist")[1].visible
    assert generate_images.choose_model(STATE, "dcgan-mnist", "7")[1].value == "all"  # no class 7 to keep
    assert "no model called" in generate_images.choose_model(STATE, "char-lstm-python-code")[0]


def test_a_runs_best_folder_generates_and_interpolates_like_its_latest(run_with_best):
    """Issue 25, point 2: "<run>/best" was listed, but its "/" made the output file name a path into a
    folder that does not exist (FileNotFoundError)."""
    state = AppState(device=torch.device("cpu"))
    for name in (run_with_best, f"{run_with_best}/best"):
        path, caption = generate_images.generate_images(state, name, 16, 0)
        assert Path(path).parent == state.outputs.folder and pixels(path).shape == (122, 122)
        assert f"from **{name}**" in caption
        strip, animation = generate_images.interpolate_latents(state, name, 0, 1, 4)
        assert Path(strip).parent == Path(animation).parent == state.outputs.folder
    assert Path(path).name.startswith(f"{run_with_best}-best-")


def test_a_diffusion_models_best_folder_samples_too(tmp_path):
    run = tmp_path / "ddpm-run"
    shutil.copytree(SHIPPED_CHECKPOINTS / "ddpm-mnist", run / "best")
    shutil.copytree(SHIPPED_CHECKPOINTS / "ddpm-mnist", run, dirs_exist_ok=True)
    state = AppState(device=torch.device("cpu"), model_roots=[tmp_path / "none", tmp_path])
    *_, (path, status) = generate_diffusion.sample_diffusion(state, "ddpm-run/best", "ddim", 2, 1, 0)
    assert Path(path).parent == state.outputs.folder and status.startswith("Done")


def test_an_empty_seed_says_what_to_enter():
    with pytest.raises(gr.Error, match=r"seed must be a whole number from 0 to 4,294,967,295; the box is empty: "
                                       r"enter one"):
        generate_images.generate_images(STATE, "dcgan-mnist", 16, None)
    with pytest.raises(gr.Error, match="seed must be .*; the box is empty: enter one"):
        list(generate_diffusion.sample_diffusion(STATE, "ddpm-mnist", "ddim", 2, 1, None))
    with pytest.raises(gr.Error, match="seed must be .*; the box is empty: enter one"):
        list(generate_text.generate_text(STATE, "char-lstm-python-code", "def ", 5, 1.0, 0, 1.0, 1.0, None))


def test_the_diffusion_class_choice_shows_only_for_a_class_conditional_model(tmp_path):
    assert not generate_diffusion.class_choice(STATE, "ddpm-mnist").visible
    torch.manual_seed(0)
    conditional = DiffusionModel(DiffusionConfig(block_out_channels=[8, 16], attention=False, num_class_embeds=3))
    save_model_folder(tmp_path / "tiny-conditional-ddpm", conditional, card_text="# no dataset named\n")
    state = AppState(device=torch.device("cpu"), model_roots=[tmp_path / "none", tmp_path])
    classes = generate_diffusion.class_choice(state, "tiny-conditional-ddpm")
    assert classes.visible and classes.choices == [("any class", "all"), ("0: class 0", "0"), ("1: class 1", "1"),
                                                   ("2: class 2", "2")]
    assert not generate_diffusion.class_choice(state, "no-such-model").visible


def test_every_example_fills_in_a_model_that_generates():
    for name, num_samples, seed in generate_images.EXAMPLES:
        assert generate_images.generate_images(STATE, name, num_samples, seed)[1]
    for name, sampler, steps, batch_size, seed, prompt, guidance in generate_diffusion.EXAMPLES:
        assert name in [entry.name for entry in STATE.models(generate_diffusion.DIFFUSION_TYPES)]
        assert sampler in SAMPLERS and 1 <= steps <= 1000 and 1 <= batch_size <= 64
        *_, status = list(generate_diffusion.sample_diffusion(STATE, name, sampler, 2, 2, seed, "all", "sample",
                                                              prompt, guidance))[-1]
        assert ("understood as" in status) == bool(prompt), status
    for name, prompt in generate_text.EXAMPLES:
        assert list(generate_text.generate_text(STATE, name, prompt, 5, 1.0, 0, 1.0, 1.0, 0))


def test_the_text_tab_shows_prompt_and_continuation_in_monospace_with_a_copy_button():
    """The API streams the continuation; the page joins the prompt to it in the browser (the browser
    test sees it), in a monospace box with a copy button; Ctrl+Enter and Shift+Enter generate."""
    with gr.Blocks() as demo:
        ui = generate_text.build_generate_text_tab(STATE, demo)
    assert "copy" in ui.output.buttons and "monospace" in ui.output.elem_classes
    assert "monospace" in ui.prompt.elem_classes and ui.continuation.visible == "hidden"
    events = {(dependency.get("api_name"), dependency.get("js")) for dependency in demo.config["dependencies"]}
    assert ("generate_text", None) in events
    assert any(js == generate_text.SHOW_PROMPT_AND_TEXT_JS for _, js in events)
    assert any(js == generate_text.CTRL_ENTER_JS for _, js in events)
    triggers = [dependency["targets"] for dependency in demo.config["dependencies"]
                if dependency.get("api_name") == "generate_text"][0]
    assert (ui.prompt._id, "submit") in [tuple(target) for target in triggers]


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
