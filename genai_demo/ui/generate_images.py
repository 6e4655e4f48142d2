"""The Images tab: pick a model folder, a seed and a count, get a sample grid; walk the latent
space between two seeds; let a VAE reconstruct a drawn digit."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from huggingface_hub import ModelCard

from genai_demo import limits
from genai_demo.data.user_images import open_user_image
from genai_demo.errors import GenaiDemoError
from genai_demo.families import IMAGES_TAB, model_types
from genai_demo.folders.model_folder import CARD_NAME
from genai_demo.folders.registry import ModelEntry, class_names, dataset_of_folder, find_model
from genai_demo.generation import (
    ALL_CLASSES,
    Asked,
    class_count,
    generate_image_grid,
    interpolate_images,
    reconstruct_image,
    samples_per_class_row,
)
from genai_demo.images import digit_from_drawing, make_grid
from genai_demo.ui.errors import shown_error, shown_to_user
from genai_demo.ui.gpu import FLOOR_SECONDS, images_seconds, on_gpu, sized
from genai_demo.ui.model_picker import (
    SHOWCASE_MODELS,
    ModelPicker,
    build_model_picker,
    class_dropdown,
    default_model,
    present,
    wire_model_picker,
)
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.style_mixing import (
    MixingControls,
    build_mixing_accordion,
    build_truncation_and_noise,
    mix_styles,
    style_controls,
)
from genai_demo.ui.i18n import say

IMAGE_MODEL_TYPES = model_types(tab=IMAGES_TAB)
ALL_CLASSES_LABEL = "all classes, one row each"
DEFAULT_NUM_SAMPLES = 64
# Filled into the form by a click (model, samples, seed); those whose model is missing are left out.
EXAMPLES = [
    ["dcgan-mnist", 64, 0],
    ["cdcgan-mnist", 60, 1],
    ["dcgan-fashion-mnist", 36, 2],
    ["cdcgan-fashion-mnist", 100, 3],
    ["vae-mnist", 64, 4],
    ["stylegan-mnist", 64, 5],
    ["stylegan-fashion-mnist", 64, 6],
]
# The VAE's 28-pixel input and reconstruction, scaled up with sharp pixels (see CSS in ui/app.py).
VAE_IMAGE_HEIGHT = 196
# The sketchpad opens with its brush chosen (Gradio's own default is no tool: "select the draw tool").
SELECT_BRUSH_JS = """() => { let tries = 0; const pick = () => {
  const brush = document.querySelector('#vae-sketch button[aria-label="Brush"]');
  if (brush && !brush.classList.contains('highlight')) { brush.click(); } else if (!brush && tries++ < 50) { setTimeout(pick, 100); }
}; setTimeout(pick, 100); }"""


def find_image_model(state: AppState, model_name: str) -> ModelEntry:
    return find_model(model_name, state.models(IMAGE_MODEL_TYPES))


def class_choice(state: AppState, model_name: str | None, current: str | None = ALL_CLASSES, **layout) -> gr.Dropdown:
    """The chosen model's classes, named as its dataset names them; shown for conditional models only."""
    return class_dropdown(state, lambda: find_image_model(state, model_name).path, ALL_CLASSES_LABEL, current,
                          **layout)


def model_card_markdown(state: AppState, model_name: str | None) -> str:
    """The card's text without its YAML header, or a short note when there is none."""
    if not model_name:
        return say("No image model found: train one with `python -m genai_demo train dcgan --out DIR`.")
    try:
        entry = find_image_model(state, model_name)
    except GenaiDemoError as error:
        return str(error)
    card_path = entry.path / CARD_NAME
    if not card_path.is_file():
        return say(f"`{entry.path}` has no model card.")
    # Images in the card are relative to its folder, which the browser cannot reach.
    text = ModelCard.load(card_path).text
    return "\n".join(line for line in text.splitlines() if not line.startswith("!["))


def choose_model(state: AppState, model_name: str | None, current_class: str | None = ALL_CLASSES,
                 crossover: float | None = None) -> tuple:
    """The chosen model's card; the class choice only for conditional models; truncation, noise and
    style mixing only for style-based ones."""
    return (model_card_markdown(state, model_name), class_choice(state, model_name, current_class),
            *style_controls(state, IMAGE_MODEL_TYPES, model_name, crossover))


def grid_caption(num_samples: int, class_names: list[str], class_label: str) -> str:
    """What the grid holds: "64 samples", "16 samples of class 7 (Sneaker)", or for every class of a
    conditional model "60 samples, 6 per class, one row per class (64 asked)" (10 classes)."""
    num_classes = len(class_names)
    if not num_classes:
        return say(f"{num_samples} samples")
    if class_label not in (None, ALL_CLASSES):
        return say(f"{num_samples} samples of class {class_label} ({class_names[int(class_label)]})")
    per_class = samples_per_class_row(num_samples, num_classes)
    shown = per_class * num_classes
    if shown != num_samples:
        return say(f"{shown} samples, {per_class} per class, one row per class ({num_samples} asked)")
    return say(f"{shown} samples, {per_class} per class, one row per class")


def generate_images(
    state: AppState, model_name: str, num_samples: float, seed: float, class_label: str = ALL_CLASSES,
    truncation: float = 1.0, noise: bool = True,
) -> tuple[str, str]:
    """Generate a grid of `num_samples` images from `model_name` with `seed`; for conditional
    models, `class_label` is a class index or "all" (one row per class); for style-based ones,
    the truncation psi (1: off) and whether the per-layer noise is on. Returns (PNG path, caption)."""
    with shown_to_user():
        num_samples = limits.NUM_SAMPLES.check(num_samples)
        seed = limits.SEED.check(seed)
        entry = find_image_model(state, model_name)
        started = time.perf_counter()
        style = {} if truncation in (None, 1, 1.0) and noise in (None, True) else {
            "truncation": truncation, "noise": bool(noise)}
        grid = generate_image_grid(entry.path, num_samples, seed, state.device, asked=Asked(class_label, **style))
        seconds = time.perf_counter() - started
        names = class_names(dataset_of_folder(entry.path), class_count(entry.path, state.device))
    path = state.outputs.save_png(
        grid, entry.name,
        {"model": entry.name, "seed": str(seed), "num_samples": str(num_samples), "class": str(class_label)},
    )
    caption = say(f"{grid_caption(num_samples, names, class_label)} from **{entry.name}**, seed {seed}, "
                  f"{seconds * 1000:.0f} ms on {state.device.type}")
    if style:
        caption += say(f" · truncation ψ {float(truncation):g}, noise {say('on') if noise else say('off')}")
    return path, caption


def interpolate_latents(
    state: AppState, model_name: str, seed_start: float, seed_end: float, num_steps: float
) -> tuple[str, str]:
    """Images along the latent arc from `seed_start` to `seed_end`; returns (PNG strip, GIF) paths."""
    with shown_to_user():
        num_steps = limits.INTERPOLATION_STEPS.check(num_steps)
        seed_start, seed_end = limits.SEED.check(seed_start), limits.SEED.check(seed_end)
        entry = find_image_model(state, model_name)
        images = interpolate_images(entry.path, seed_start, seed_end, num_steps, state.device)
    metadata = {"model": entry.name, "seeds": f"{seed_start}->{seed_end}", "steps": str(num_steps)}
    strip = state.outputs.save_png(make_grid(images, num_columns=num_steps), entry.name, metadata)
    frames = [make_grid(image[None], padding=0) for image in images]
    return strip, state.outputs.save_gif(frames, entry.name)


def reconstruct_drawing(state: AppState, model_name: str, drawing, upload) -> tuple[str, str]:
    """A VAE's reconstruction of a drawn (or else uploaded) digit; returns (input PNG, reconstruction PNG)."""
    image = drawing.get("composite") if isinstance(drawing, dict) else drawing
    if image is None and not upload:
        raise shown_error("Draw a digit or upload an image first.")
    with shown_to_user(ValueError):  # digit_from_drawing: "the drawing is empty"
        entry = find_image_model(state, model_name)
        if image is None:
            upload = Path(upload)
            image = open_user_image(upload.read_bytes(), upload.name)
        digit = digit_from_drawing(image)
        reconstruction = reconstruct_image(entry.path, digit, state.device)
    metadata = {"model": entry.name}
    return (
        state.outputs.save_png(make_grid(digit, padding=0), "input", metadata),
        state.outputs.save_png(make_grid(reconstruction, padding=0), entry.name, metadata),
    )


def random_seed() -> int:
    return random.randint(limits.SEED.minimum, limits.SEED.maximum)


@dataclass
class ImagesTab:
    picker: ModelPicker
    num_samples: gr.Slider
    seed: gr.Number
    random_seed_button: gr.Button
    class_label: gr.Dropdown
    generate_button: gr.Button
    grid: gr.Image
    caption: gr.Markdown
    seed_start: gr.Number
    seed_end: gr.Number
    num_steps: gr.Slider
    interpolate_button: gr.Button
    strip: gr.Image
    animation: gr.Image
    sketchpad: gr.Sketchpad
    upload: gr.File
    model_input: gr.Image
    reconstruction: gr.Image
    reconstruct_button: gr.Button
    card: gr.Markdown
    vae_accordion: gr.Accordion
    style: MixingControls
    api_generate: gr.Button  # never shown: carries the four-input `/generate_images` endpoint


def seed_box(value: int, label: str, **layout) -> gr.Number:
    return gr.Number(value=value, minimum=limits.SEED.minimum, maximum=limits.SEED.maximum, label=label, **layout)


def image_output(label: str, elem_id: str, format: str = "png", **layout) -> gr.Image:
    return gr.Image(label=label, type="filepath", format=format, interactive=False, elem_id=elem_id, **layout)


def build_generate_images_layout(state: AppState) -> ImagesTab:
    """The tab's components (call inside a `gr.Blocks` context)."""
    chosen = default_model(state, IMAGE_MODEL_TYPES, SHOWCASE_MODELS[IMAGES_TAB])
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = build_model_picker(state, IMAGE_MODEL_TYPES, "Model", SHOWCASE_MODELS[IMAGES_TAB],
                                        refresh_button=True)
            num_samples = gr.Slider(limits.NUM_SAMPLES.minimum, limits.NUM_SAMPLES.maximum, value=DEFAULT_NUM_SAMPLES,
                                    step=1, label="Number of samples")
            with gr.Row():
                seed = seed_box(0, "Seed", scale=3)
                random_seed_button = gr.Button("Random seed", size="sm", scale=1)
            class_label = class_choice(state, chosen, label="Class", allow_custom_value=True, elem_id="image-class")
            truncation, noise = build_truncation_and_noise(state, IMAGE_MODEL_TYPES, chosen)
            generate_button = gr.Button("Generate", variant="primary", elem_id="generate-images")
            api_generate = gr.Button(visible=False)
        with gr.Column(scale=2):
            grid = image_output("Samples", "sample-grid", height=480)
            caption = gr.Markdown(label="Caption", elem_id="sample-caption")
    examples = [example for example in EXAMPLES if present(state, (example[0],), IMAGE_MODEL_TYPES)]
    if examples:
        gr.Examples(examples, [picker.dropdown, num_samples, seed], label="Examples (click to fill in)")
    style = build_mixing_accordion(state, IMAGE_MODEL_TYPES, chosen, truncation, noise)
    with gr.Accordion("Latent interpolation", open=False):
        gr.Markdown(
            "Walk along the arc between two seeds' latent vectors (spherical interpolation): "
            "a smooth morph means the generator learned a continuous space, not a lookup table. "
            "A style-based GAN walks the straight line between their ws instead."
        )
        with gr.Row():
            seed_start, seed_end = seed_box(0, "From seed"), seed_box(1, "To seed")
            num_steps = gr.Slider(limits.INTERPOLATION_STEPS.minimum, limits.INTERPOLATION_STEPS.maximum,
                                  value=10, step=1, label="Steps")
        interpolate_button = gr.Button("Interpolate", elem_id="interpolate")
        strip = image_output("Strip", "interpolation-strip")
        animation = image_output("Animation", "interpolation-gif", format="gif", height=160)
    with gr.Accordion("VAE: reconstruct a digit you draw or upload", open=False) as vae_accordion:
        gr.Markdown(
            "Choose a VAE above, draw a digit (or upload a picture of one): the encoder maps it to a "
            "latent code and the decoder draws what it understood."
        )
        with gr.Row():
            sketchpad = gr.Sketchpad(label="Draw a digit", type="pil", image_mode="RGBA", elem_id="vae-sketch",
                                     canvas_size=(280, 280), layers=False,
                                     brush=gr.Brush(default_size=12, colors=["#000000"], color_mode="fixed"))
            # A plain file, decoded by us: gr.Image would decode it first, dropping the alpha channel,
            # with no pixel-count guard, and turn a corrupt file into a message-less error.
            upload = gr.File(label="…or upload one (PNG/JPEG)", file_types=[".png", ".jpg", ".jpeg"], type="filepath")
            with gr.Column():
                model_input = image_output("What the model sees (28×28)", "vae-input", height=VAE_IMAGE_HEIGHT)
                reconstruction = image_output("Reconstruction", "vae-reconstruction", height=VAE_IMAGE_HEIGHT)
        reconstruct_button = gr.Button("Reconstruct", elem_id="reconstruct")
    with gr.Accordion("Model card", open=False):
        card = gr.Markdown(model_card_markdown(state, chosen))
    return ImagesTab(picker, num_samples, seed, random_seed_button, class_label, generate_button, grid, caption,
                     seed_start, seed_end, num_steps, interpolate_button, strip, animation, sketchpad, upload,
                     model_input, reconstruction, reconstruct_button, card, vae_accordion, style, api_generate)


def wire_generate_images_tab(state: AppState, demo: gr.Blocks, ui: ImagesTab, tab: gr.Tab | None = None) -> None:
    model = ui.picker.dropdown
    wire_model_picker(demo, state, ui.picker, tab)
    style = ui.style
    model.change(bind(choose_model, state), [model, ui.class_label, style.crossover],
                 [ui.card, ui.class_label, style.truncation, style.noise, style.accordion, style.crossover],
                 api_visibility="private")
    ui.vae_accordion.expand(None, None, None, js=SELECT_BRUSH_JS)
    ui.random_seed_button.click(random_seed, None, ui.seed, api_visibility="private")
    generate = on_gpu(sized(images_seconds))(bind(generate_images, state))
    # The page's button sends truncation and noise too (`/generate_styled_images`); `/generate_images`
    # keeps its four inputs, so scripts that post exactly those (raw HTTP fills in nothing) still work.
    ui.generate_button.click(generate, [model, ui.num_samples, ui.seed, ui.class_label, style.truncation, style.noise],
                             [ui.grid, ui.caption], api_name="generate_styled_images", concurrency_id="generate")
    ui.api_generate.click(generate, [model, ui.num_samples, ui.seed, ui.class_label], [ui.grid, ui.caption],
                          api_name="generate_images", concurrency_id="generate")
    ui.reconstruct_button.click(on_gpu(FLOOR_SECONDS)(bind(reconstruct_drawing, state)), [model, ui.sketchpad, ui.upload],
                                [ui.model_input, ui.reconstruction], api_name="reconstruct_digit",
                                concurrency_id="generate")
    ui.interpolate_button.click(on_gpu(FLOOR_SECONDS)(bind(interpolate_latents, state)), [model, ui.seed_start, ui.seed_end, ui.num_steps],
                                [ui.strip, ui.animation], api_name="interpolate_latents", concurrency_id="generate")
    style.mix_button.click(on_gpu(FLOOR_SECONDS)(bind(mix_styles, state, IMAGE_MODEL_TYPES)),
                           [model, style.row_seeds, style.col_seeds, style.crossover, style.truncation, style.noise],
                           [style.figure, style.caption], api_name="style_mixing", concurrency_id="generate")


def build_generate_images_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> ImagesTab:
    """Components and events of the Images tab (call inside a `gr.Blocks` context)."""
    ui = build_generate_images_layout(state)
    wire_generate_images_tab(state, demo, ui, tab)
    return ui
