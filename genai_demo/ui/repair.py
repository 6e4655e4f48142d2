"""The Repair tab: damage an image on the page (paint a mask, or pick a preset), repair it with a
model we trained, and see damaged → repaired → original side by side, streamed step by step.

The repair itself is genai_demo.repair's (RePaint, DDNM, ILVR, SDEdit, latent inversion, plain
fills); this module turns what the page holds (an image editor's background and painted layers,
an uploaded mask) into its tensors and back into pictures.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import gradio as gr
import torch
from PIL import Image

from genai_demo import limits, repair
from genai_demo.data import load_image_dataset
from genai_demo.data.user_images import fit_user_image, open_user_image, painted_mask, read_user_mask
from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.families import DIFFUSION_TAB, IMAGES_TAB, model_types
from genai_demo.folders.registry import class_names, dataset_of_folder, find_model
from genai_demo.generation import load_cached_model
from genai_demo.images import make_grid
from genai_demo.metrics.classifier_fid import predicted_classes
from genai_demo.metrics.quality import shipped_classifier
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.gpu import on_gpu, repair_seconds, sized
from genai_demo.ui.i18n import say
from genai_demo.ui.model_picker import ModelPicker, build_model_picker, wire_model_picker
from genai_demo.ui.repair_text import HELP, INTRO
from genai_demo.ui.state import AppState, bind

REPAIR_MODEL_TYPES = model_types(tab=DIFFUSION_TAB) + model_types(tab=IMAGES_TAB)
SHOWCASE = ("ddpm-mnist", "cddpm-mnist")
# The damage a user can choose, as (label, value); each names its task (and scale or mask).
DAMAGES = [
    ("paint over the image with the brush", "paint"),
    ("lower half hidden", "lower-half"),
    ("centre box hidden", "centre-box"),
    ("random half of the pixels hidden", "random-pixels"),
    ("Gaussian noise (σ below)", "noise"),
    ("down-sampled ×2", "down-2"),
    ("down-sampled ×4", "down-4"),
    ("a sketch: the drawing itself, made plausible", "sketch"),
    ("already damaged: the mask uploaded below (white = fill in)", "mask-file"),
]
DAMAGE_VALUES = [value for _, value in DAMAGES]
CANVAS = 280  # the editor shows a 28 px image ten times larger, so a brush can be aimed
UPDATES_PER_REPAIR = 10
DEFAULT_STEPS = 50
DEFAULT_COPIES = 4
MODEL_DEFAULT = "the model's default"  # the method dropdown's first choice


def task_of(damage: str) -> tuple[str, int]:
    """The repair task a damage calls for, with the up-scale factor (4 where unused)."""
    if damage not in DAMAGE_VALUES:
        raise InvalidInputError(f"unknown damage {damage!r}: choose one of {', '.join(DAMAGE_VALUES)}")
    if damage.startswith("down-"):
        return "upscale", int(damage.split("-")[1])
    return {"noise": "denoise", "sketch": "sketch"}.get(damage, "inpaint"), 4


@functools.lru_cache(maxsize=4)
def _test_images(dataset: str) -> torch.Tensor:
    return load_image_dataset(dataset, split="test").to_training_tensor("cpu")


def _folder(state: AppState, model_name: str) -> Path:
    if not model_name:
        raise InvalidInputError("choose a model first")
    return find_model(model_name, state.models(REPAIR_MODEL_TYPES)).path


def _png(image: torch.Tensor, scale: int = 1) -> Image.Image:
    """One (C, H, W) image in [-1, 1] as a PIL image, each pixel repeated `scale` times."""
    array = ((image.clamp(-1, 1) + 1) * 127.5).round().byte().cpu()
    array = array.repeat_interleave(scale, 1).repeat_interleave(scale, 2).permute(1, 2, 0).numpy()
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


def load_test_image(state: AppState, model_name: str, index: float = 0) -> dict:
    """Held-out image `index` of the model's dataset, put in the editor (ten times larger) with no paint."""
    with shown_to_user():
        folder = _folder(state, model_name)
        dataset = dataset_of_folder(folder)
        if dataset is None:
            raise InvalidInputError(f"{folder.name}'s card names no dataset: upload or draw an image instead")
        images = _test_images(dataset)
        index = limits.IntRange("test image number", 0, len(images) - 1).check(index)
        image = images[index]
    shown = _png(image, CANVAS // image.shape[-1])
    return {"background": shown, "layers": [], "composite": shown}


def blank_canvas() -> dict:
    """A black canvas to draw on (digits and garments are light on black, as the models learned them)."""
    black = Image.new("RGB", (CANVAS, CANVAS))
    return {"background": black, "layers": [], "composite": black}


def _editor_images(editor) -> tuple[Image.Image | None, list[Image.Image], Image.Image | None]:
    """(background, painted layers, composite) of the editor's value; a plain image or a file path
    (what an API client may send) is a background with no paint."""
    if editor is None:
        return None, [], None
    if isinstance(editor, (str, Path)):
        path = Path(editor)
        return open_user_image(path.read_bytes(), path.name), [], None
    if isinstance(editor, Image.Image):
        return editor, [], None
    layers = [layer for layer in editor.get("layers") or [] if layer is not None]
    return editor.get("background"), layers, editor.get("composite")


def _image_and_mask(model, editor, mask_file, damage: str, seed: int):
    """(the image the damage starts from, the known mask or None, the clean original or None)."""
    config = model.config
    size, channels = config.image_size, config.image_channels
    background, layers, composite = _editor_images(editor)
    if damage == "sketch":  # the drawing as it looks, strokes and all
        source = composite if composite is not None else background
    else:
        source = background if background is not None else composite
    if source is None:
        raise InvalidInputError("load a test image, upload one or draw one first")
    image = fit_user_image(source, size, channels)
    if damage == "paint":
        known = painted_mask(layers, size)
        if known.min() == 1:
            raise InvalidInputError("paint over the part of the image to fill in first "
                                    "(or pick a damage such as the lower half)")
        return image, known, image
    if damage == "mask-file":
        if not mask_file:
            raise InvalidInputError("upload the mask first: a PNG of the image's size, white where to fill in")
        return image, read_user_mask(mask_file, size), None
    if damage in repair.MASKS:
        return image, repair.named_mask(damage, size, 1, seed), image
    return image, None, None if damage == "sketch" else image


def _damaged(task: str, image: torch.Tensor, known, sigma: float, scale: int, seed: int) -> torch.Tensor:
    if task == "inpaint":
        return repair.hide(image, known)
    if task == "denoise":
        return repair.add_noise(image, sigma, seed)
    if task == "upscale":
        return repair.downsample(image, scale)
    return image


def _classifier_reading(folder: Path, original, repairs: torch.Tensor) -> str:
    """What the shipped classifier of the model's dataset reads in the original and each repair."""
    dataset = dataset_of_folder(folder)
    if dataset is None:
        return ""
    try:
        classifier = load_cached_model(shipped_classifier(dataset), torch.device("cpu"))
        if (classifier.config.image_channels, classifier.config.image_size) != tuple(repairs.shape[1:3]):
            return ""
        names = class_names(dataset, classifier.config.num_classes)
        read = ", ".join(names[label] for label in predicted_classes(classifier, repairs.float().cpu()).tolist())
        if original is None:
            return " · " + say(f"the classifier reads the repairs as {read}")
        before = names[predicted_classes(classifier, original.float().cpu())[0]]
        return " · " + say(f"the classifier reads the original as {before} and the repairs as {read}")
    except GenaiDemoError:
        return ""


def repair_image(
    state: AppState,
    model_name: str,
    editor=None,
    mask_file: str | None = None,
    damage: str = "lower-half",
    method: str = MODEL_DEFAULT,
    steps: float = DEFAULT_STEPS,
    copies: float = DEFAULT_COPIES,
    seed: float = 0,
    sigma: float = 0.5,
    strength: float = 0.5,
    jump_length: float = 5,
    jump_samples: float = 5,
    candidates: float = 1,
) -> Iterator[tuple[str, str, str | None, str]]:
    """Damage the editor's image as `damage` says (or take the painted or uploaded mask) and repair
    it `copies` times, with seeds seed, seed + 1, … (as `python -m genai_demo repair --num`), each
    repair the consensus of `candidates` (as `--candidates`): yields
    (damaged PNG, repairs PNG, original PNG or None, status), the repairs' grid streamed as each
    diffusion repair denoises."""
    with shown_to_user():
        task, scale = task_of(damage)
        steps, copies = limits.INFERENCE_STEPS.check(steps), limits.REPAIR_COPIES.check(copies)
        seed = limits.SEED.check(seed)
        sigma, strength = limits.NOISE_SIGMA.check(sigma), limits.SKETCH_STRENGTH.check(strength)
        jump_length, jump_samples = limits.JUMP_LENGTH.check(jump_length), limits.JUMP_SAMPLES.check(jump_samples)
        candidates = limits.REPAIR_CANDIDATES.check(candidates)
        folder = _folder(state, model_name)
        model = load_cached_model(folder, state.device)
        repair.check_image_generator(model, folder.name)
        choices = repair.methods_for(model, task)
        method = None if method in (None, "", MODEL_DEFAULT) else method
        if method is not None and method not in choices:
            raise InvalidInputError(f"method {method!r} cannot do the {task} task with this model: choose one of {', '.join(choices)}")
        method = method or choices[0]
        image, known, original = _image_and_mask(model, editor, mask_file, damage, seed)  # run_repair checks the mask
        damaged = _damaged(task, image, known, sigma, scale, seed).to(state.device)
        known = known.to(state.device) if known is not None else None
        size = model.config.image_size
        shown_damaged = repair.upsample(damaged, scale) if task == "upscale" else damaged
        damaged_png = state.outputs.save_png(make_grid(shown_damaged.clamp(-1, 1).cpu(), padding=0), "damaged",
                                             {"model": model_name, "damage": damage})
        original_png = None if original is None else state.outputs.save_png(make_grid(original, padding=0), "original", {})
        pending = torch.zeros(copies, model.config.image_channels, size, size)  # grey until repaired
        repairs = pending.clone()
        started = time.perf_counter()
        metadata = {"model": model_name, "task": task, "method": method, "seed": str(seed)}
        for copy in range(copies):
            run = repair.run_repair(model, task, damaged, known, method, scale, sigma, strength, seed + copy, steps,
                                    jump_length=jump_length, jump_n_sample=jump_samples, candidates=candidates)
            update_every = None
            for step in run:
                update_every = update_every or max(1, step.total // UPDATES_PER_REPAIR)
                repairs[copy] = step.image[0].float().cpu()
                if step.index % update_every and step.index != step.total:
                    continue
                done = copy == copies - 1 and step.index == step.total
                elapsed = time.perf_counter() - started
                status = say(f"Repairing {copy + 1}/{copies} with {method}: step {step.index}/{step.total}, "
                             f"{elapsed:.1f} s on {state.device.type}")
                if done:
                    status = say(f"Done: {copies} repair(s) of the {task} task with {method}, seeds {seed}–{seed + copies - 1}, "
                                 f"{elapsed:.1f} s on {state.device.type}")
                    status += _classifier_reading(folder, original, repairs)
                grid = make_grid(repairs.clamp(-1, 1), num_columns=min(copies, 4))
                yield damaged_png, state.outputs.save_png(grid, folder.name, metadata), original_png, status


def method_choices(state: AppState, model_name: str | None, damage: str) -> gr.Dropdown:
    """The methods the chosen model offers for the chosen damage's task (its default first)."""
    try:
        task, _ = task_of(damage)
        model = load_cached_model(_folder(state, model_name), state.device)
        methods = list(repair.methods_for(model, task))
    except GenaiDemoError:
        methods = []
    return gr.Dropdown(choices=[(say(MODEL_DEFAULT), MODEL_DEFAULT)] + [(name, name) for name in methods],
                       value=MODEL_DEFAULT)


MASK_BRUSH = gr.Brush(default_size=24, colors=["#ff3b30"], color_mode="fixed")  # paint shows over any image
SKETCH_BRUSH = gr.Brush(default_size=20, colors=["#ffffff"], color_mode="fixed")  # light strokes on black, as trained


def damage_controls(damage: str) -> tuple[dict, dict, dict, gr.ImageEditor]:
    """Show the noise level, the sketch strength and the mask upload only where they apply; the
    brush paints red over an image to be filled in, white when drawing a sketch."""
    return (gr.update(visible=damage == "noise"), gr.update(visible=damage == "sketch"),
            gr.update(visible=damage == "mask-file"), gr.ImageEditor(brush=SKETCH_BRUSH if damage == "sketch" else MASK_BRUSH))


@dataclass
class RepairTab:
    picker: ModelPicker
    test_index: gr.Number
    load_button: gr.Button
    blank_button: gr.Button
    editor: gr.ImageEditor
    mask_file: gr.File
    settings: list[gr.components.Component]  # damage, method, steps, copies, seed, sigma, strength, the two jumps, candidates
    repair_button: gr.Button
    stop_button: gr.Button
    damaged: gr.Image
    repaired: gr.Image
    original: gr.Image
    status: gr.Markdown


def build_repair_layout(state: AppState) -> RepairTab:
    """The tab's components (call inside a `gr.Blocks` context)."""
    gr.Markdown(INTRO)
    with gr.Accordion("Methods, and how well they repair", open=False):
        gr.Markdown(HELP)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = build_model_picker(state, REPAIR_MODEL_TYPES, "Model", SHOWCASE, refresh_button=True)
            with gr.Row():
                test_index = gr.Number(value=0, minimum=0, precision=0, label="Held-out image number", scale=2,
                                       elem_id="repair-index")
                load_button = gr.Button("Load test image", size="sm", scale=1, elem_id="repair-load")
                blank_button = gr.Button("Blank canvas", size="sm", scale=1)
            # Custom values reach the handler, which names the choices (Gradio's own check would not).
            damage = gr.Dropdown(DAMAGES, value="paint", label="Damage", elem_id="repair-damage", allow_custom_value=True)
            sigma = gr.Slider(limits.NOISE_SIGMA.minimum, limits.NOISE_SIGMA.maximum, value=0.5, step=0.05,
                              label="Noise σ (image in [-1, 1])", visible=False)
            strength = gr.Slider(limits.SKETCH_STRENGTH.minimum, limits.SKETCH_STRENGTH.maximum, value=0.5, step=0.05,
                                 label="Strength (0: keep the sketch · 1: ignore it)", visible=False)
            method = gr.Dropdown([(MODEL_DEFAULT, MODEL_DEFAULT)], value=MODEL_DEFAULT, label="Method",
                                 elem_id="repair-method", allow_custom_value=True)
            steps = gr.Slider(limits.INFERENCE_STEPS.minimum, 250, value=DEFAULT_STEPS, step=1,
                              label="Denoising steps (diffusion)")
            with gr.Row():
                copies = gr.Slider(limits.REPAIR_COPIES.minimum, 8, value=DEFAULT_COPIES, step=1,
                                   label="Repairs (one per seed)")
                seed = gr.Number(value=0, minimum=limits.SEED.minimum, maximum=limits.SEED.maximum, label="Seed")
            candidates = gr.Slider(limits.REPAIR_CANDIDATES.minimum, limits.REPAIR_CANDIDATES.maximum, value=1, step=1,
                                   label="Candidates per repair (keep the one most like the others)",
                                   elem_id="repair-candidates")
            with gr.Accordion("RePaint resampling", open=False):
                jump_length = gr.Slider(limits.JUMP_LENGTH.minimum, 25, value=5, step=1, label="Jump length (steps back)")
                jump_samples = gr.Slider(limits.JUMP_SAMPLES.minimum, limits.JUMP_SAMPLES.maximum, value=5, step=1,
                                         label="Resamplings (1: none)")
            with gr.Row():
                repair_button = gr.Button("Repair", variant="primary", elem_id="repair-run")
                stop_button = gr.Button("Stop", variant="stop", elem_id="repair-stop")
        with gr.Column(scale=2):
            editor = gr.ImageEditor(
                label="Image: paint over what is to be filled in", type="pil", image_mode="RGBA",
                canvas_size=(CANVAS, CANVAS), fixed_canvas=True, layers=False, transforms=(), height=340, format="png",
                brush=MASK_BRUSH, elem_id="repair-editor")
            mask_file = gr.File(label="Mask (PNG of the image's size, white = fill in)", file_types=[".png"],
                                type="filepath", visible=False)
            with gr.Row():
                damaged = gr.Image(label="Damaged", type="filepath", interactive=False, elem_id="repair-damaged", height=220)
                repaired = gr.Image(label="Repaired", type="filepath", interactive=False, elem_id="repair-result", height=220)
                original = gr.Image(label="Original", type="filepath", interactive=False, elem_id="repair-original", height=220)
            status = gr.Markdown(elem_id="repair-status")
    return RepairTab(picker, test_index, load_button, blank_button, editor, mask_file,
                     [damage, method, steps, copies, seed, sigma, strength, jump_length, jump_samples, candidates],
                     repair_button, stop_button,
                     damaged, repaired, original, status)


def wire_repair_tab(state: AppState, demo: gr.Blocks, ui: RepairTab, tab: gr.Tab | None = None) -> None:
    wire_model_picker(demo, state, ui.picker, tab)
    damage, method, sigma, strength = ui.settings[0], ui.settings[1], ui.settings[5], ui.settings[6]
    gr.on([demo.load, ui.picker.dropdown.change, damage.change], bind(method_choices, state),
          [ui.picker.dropdown, damage], method, api_visibility="private")
    damage.change(damage_controls, damage, [sigma, strength, ui.mask_file, ui.editor], api_visibility="private")
    gr.on([demo.load, ui.load_button.click], bind(load_test_image, state), [ui.picker.dropdown, ui.test_index],
          ui.editor, api_visibility="private")
    ui.blank_button.click(blank_canvas, None, ui.editor, api_visibility="private")
    repair_event = ui.repair_button.click(
        on_gpu(sized(repair_seconds))(bind(repair_image, state)), [ui.picker.dropdown, ui.editor, ui.mask_file, *ui.settings],
        [ui.damaged, ui.repaired, ui.original, ui.status], api_name="repair_image", concurrency_id="generate")
    ui.stop_button.click(lambda: say("Stopped."), None, ui.status, cancels=[repair_event], api_visibility="private")


def build_repair_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> RepairTab:
    """Components and events of the Repair tab (call inside a `gr.Blocks` context)."""
    ui = build_repair_layout(state)
    wire_repair_tab(state, demo, ui, tab)
    return ui
