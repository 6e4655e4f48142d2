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
from genai_demo.data.fashion_mnist import CLASS_NAMES as FASHION_CLASS_NAMES
from genai_demo.data.user_images import open_user_image
from genai_demo.errors import GenaiDemoError
from genai_demo.families import FAMILIES, IMAGES_TAB, model_types
from genai_demo.folders.model_folder import CARD_NAME
from genai_demo.folders.registry import ModelEntry, find_model
from genai_demo.generation import ALL_CLASSES, generate_image_grid, interpolate_images, reconstruct_image
from genai_demo.images import digit_from_drawing, make_grid
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.gpu import on_gpu
from genai_demo.ui.model_picker import SHOWCASE_MODELS, ModelPicker, build_model_picker, default_model, wire_model_picker
from genai_demo.ui.state import AppState, bind

IMAGE_MODEL_TYPES = model_types(tab=IMAGES_TAB)
CONDITIONAL_TYPES = tuple(record.model_type for record in FAMILIES.values()
                          if record.tab == IMAGES_TAB and record.is_conditional)
# Class i is digit i for MNIST models and FASHION_CLASS_NAMES[i] for Fashion-MNIST ones.
CLASS_CHOICES = [("all classes, one row each", ALL_CLASSES)] + [
    (f"{index}: digit {index} / {name}", str(index)) for index, name in enumerate(FASHION_CLASS_NAMES)
]
DEFAULT_NUM_SAMPLES = 64


def find_image_model(state: AppState, model_name: str) -> ModelEntry:
    return find_model(model_name, state.models(IMAGE_MODEL_TYPES))


def is_conditional(state: AppState, model_name: str | None) -> bool:
    return any(entry.name == model_name and entry.model_type in CONDITIONAL_TYPES for entry in state.models())


def model_card_markdown(state: AppState, model_name: str | None) -> str:
    """The card's text without its YAML header, or a short note when there is none."""
    if not model_name:
        return "No image model found: train one with `python -m genai_demo train dcgan --out DIR`."
    try:
        entry = find_image_model(state, model_name)
    except GenaiDemoError as error:
        return str(error)
    card_path = entry.path / CARD_NAME
    if not card_path.is_file():
        return f"`{entry.path}` has no model card."
    # Images in the card are relative to its folder, which the browser cannot reach.
    text = ModelCard.load(card_path).text
    return "\n".join(line for line in text.splitlines() if not line.startswith("!["))


def choose_model(state: AppState, model_name: str | None) -> tuple[str, gr.Dropdown]:
    """The chosen model's card; the class choice only for conditional models."""
    return model_card_markdown(state, model_name), gr.Dropdown(visible=is_conditional(state, model_name))


def generate_images(
    state: AppState, model_name: str, num_samples: float, seed: float, class_label: str = ALL_CLASSES
) -> tuple[str, str]:
    """Generate a grid of `num_samples` images from `model_name` with `seed`; for conditional
    models, `class_label` is a class index or "all" (one row per class). Returns (PNG path, caption)."""
    with shown_to_user():
        num_samples = limits.NUM_SAMPLES.check(num_samples)
        seed = limits.SEED.check(seed)
        entry = find_image_model(state, model_name)
        started = time.perf_counter()
        grid = generate_image_grid(entry.path, num_samples, seed, state.device, class_label)
    seconds = time.perf_counter() - started
    path = state.outputs.save_png(
        grid, entry.name,
        {"model": entry.name, "seed": str(seed), "num_samples": str(num_samples), "class": str(class_label)},
    )
    conditional = entry.model_type in CONDITIONAL_TYPES
    what = f" of class {class_label}" if conditional and class_label != ALL_CLASSES else (
        ", one row per class" if conditional else "")
    caption = (
        f"{num_samples} samples{what} from **{entry.name}**, seed {seed}, "
        f"{seconds * 1000:.0f} ms on {state.device.type}"
    )
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
        raise gr.Error("Draw a digit or upload an image first.", print_exception=False)
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
            class_label = gr.Dropdown(choices=CLASS_CHOICES, value=ALL_CLASSES, label="Class (conditional models)",
                                      allow_custom_value=True, visible=is_conditional(state, chosen))
            generate_button = gr.Button("Generate", variant="primary", elem_id="generate-images")
        with gr.Column(scale=2):
            grid = image_output("Samples", "sample-grid", height=480)
            caption = gr.Markdown(label="Caption")
    with gr.Accordion("Latent interpolation", open=False):
        gr.Markdown(
            "Walk along the arc between two seeds' latent vectors (spherical interpolation): "
            "a smooth morph means the generator learned a continuous space, not a lookup table."
        )
        with gr.Row():
            seed_start, seed_end = seed_box(0, "From seed"), seed_box(1, "To seed")
            num_steps = gr.Slider(limits.INTERPOLATION_STEPS.minimum, limits.INTERPOLATION_STEPS.maximum,
                                  value=10, step=1, label="Steps")
        interpolate_button = gr.Button("Interpolate", elem_id="interpolate")
        strip = image_output("Strip", "interpolation-strip")
        animation = image_output("Animation", "interpolation-gif", format="gif", height=160)
    with gr.Accordion("VAE: reconstruct a digit you draw or upload", open=False):
        gr.Markdown(
            "Choose a VAE above, draw a digit (or upload a picture of one): the encoder maps it to a "
            "latent code and the decoder draws what it understood."
        )
        with gr.Row():
            sketchpad = gr.Sketchpad(label="Draw a digit", type="pil", image_mode="RGBA", elem_id="vae-sketch")
            # A plain file, decoded by us: gr.Image would decode it first, dropping the alpha channel,
            # with no pixel-count guard, and turn a corrupt file into a message-less error.
            upload = gr.File(label="…or upload one (PNG/JPEG)", file_types=[".png", ".jpg", ".jpeg"], type="filepath")
            with gr.Column():
                model_input = image_output("What the model sees (28×28)", "vae-input")
                reconstruction = image_output("Reconstruction", "vae-reconstruction")
        reconstruct_button = gr.Button("Reconstruct", elem_id="reconstruct")
    with gr.Accordion("Model card", open=False):
        card = gr.Markdown(model_card_markdown(state, chosen))
    return ImagesTab(picker, num_samples, seed, random_seed_button, class_label, generate_button, grid, caption,
                     seed_start, seed_end, num_steps, interpolate_button, strip, animation, sketchpad, upload,
                     model_input, reconstruction, reconstruct_button, card)


def wire_generate_images_tab(state: AppState, demo: gr.Blocks, ui: ImagesTab, tab: gr.Tab | None = None) -> None:
    model = ui.picker.dropdown
    wire_model_picker(demo, state, ui.picker, tab)
    model.change(bind(choose_model, state), model, [ui.card, ui.class_label], api_visibility="private")
    ui.random_seed_button.click(random_seed, None, ui.seed, api_visibility="private")
    ui.generate_button.click(on_gpu(duration=60)(bind(generate_images, state)),
                             [model, ui.num_samples, ui.seed, ui.class_label], [ui.grid, ui.caption],
                             api_name="generate_images", concurrency_id="generate")
    ui.reconstruct_button.click(bind(reconstruct_drawing, state), [model, ui.sketchpad, ui.upload],
                                [ui.model_input, ui.reconstruction], api_name="reconstruct_digit",
                                concurrency_id="generate")
    ui.interpolate_button.click(bind(interpolate_latents, state), [model, ui.seed_start, ui.seed_end, ui.num_steps],
                                [ui.strip, ui.animation], api_name="interpolate_latents", concurrency_id="generate")


def build_generate_images_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> ImagesTab:
    """Components and events of the Images tab (call inside a `gr.Blocks` context)."""
    ui = build_generate_images_layout(state)
    wire_generate_images_tab(state, demo, ui, tab)
    return ui
