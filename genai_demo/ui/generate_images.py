"""The Images tab: pick a model folder, a seed and a count, get a sample grid."""

from __future__ import annotations

import random
import time
from pathlib import Path

import gradio as gr
from huggingface_hub import ModelCard

from genai_demo import limits
from genai_demo.data.fashion_mnist import CLASS_NAMES as FASHION_CLASS_NAMES
from genai_demo.data.user_images import open_user_image
from genai_demo.errors import GenaiDemoError
from genai_demo.generation import ALL_CLASSES, generate_image_grid, interpolate_images, reconstruct_image
from genai_demo.images import digit_from_drawing, make_grid
from genai_demo.folders.model_folder import CARD_NAME
from genai_demo.folders.registry import ModelEntry, find_model
from genai_demo.models import IMAGE_GENERATOR_CLASSES
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.gpu import on_gpu
from genai_demo.ui.state import AppState

IMAGE_MODEL_TYPES = tuple(IMAGE_GENERATOR_CLASSES)
CONDITIONAL_TYPES = tuple(name for name, cls in IMAGE_GENERATOR_CLASSES.items() if getattr(cls, "is_conditional", False))
# Class i is digit i for MNIST models and FASHION_CLASS_NAMES[i] for Fashion-MNIST ones.
CLASS_CHOICES = [("all classes, one row each", ALL_CLASSES)] + [
    (f"{index}: digit {index} / {name}", str(index)) for index, name in enumerate(FASHION_CLASS_NAMES)
]
DEFAULT_NUM_SAMPLES = 64


def model_card_markdown(state: AppState, model_name: str | None) -> str:
    """The card's text without its YAML header, or a short note when there is none."""
    if not model_name:
        return "No image model found: train one with `python -m genai_demo train dcgan --out DIR`."
    try:
        entry = _find_image_model(state, model_name)
    except GenaiDemoError as error:
        return str(error)
    card_path = entry.path / CARD_NAME
    if not card_path.is_file():
        return f"`{entry.path}` has no model card."
    # Images in the card are relative to its folder, which the browser cannot reach.
    text = ModelCard.load(card_path).text
    return "\n".join(line for line in text.splitlines() if not line.startswith("!["))


def _find_image_model(state: AppState, model_name: str) -> ModelEntry:
    return find_model(model_name, state.models(IMAGE_MODEL_TYPES))


def _model_choices(state: AppState) -> list[tuple[str, str]]:
    """(label, name) pairs grouped by family, so GANs, the VAE etc. sit together in the picker."""
    entries = sorted(state.models(IMAGE_MODEL_TYPES), key=lambda entry: (entry.model_type, entry.name))
    return [(f"{entry.model_type} · {entry.name}", entry.name) for entry in entries]


def _is_conditional(state: AppState, model_name: str | None) -> bool:
    return any(entry.name == model_name and entry.model_type in CONDITIONAL_TYPES for entry in state.models())


def build_generate_images_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> None:
    """Components and events of the Images tab (call inside a `gr.Blocks` context)."""
    model_choices = _model_choices(state)
    model_names = [name for _, name in model_choices]
    default_model = "dcgan-mnist" if "dcgan-mnist" in model_names else (model_names[0] if model_names else None)

    @on_gpu(duration=60)
    def generate_images(
        model_name: str, num_samples: float, seed: float, class_label: str = ALL_CLASSES
    ) -> tuple[str, str]:
        """Generate a grid of `num_samples` images from `model_name` with `seed`; for conditional
        models, `class_label` is a class index or "all" (one row per class). Returns (PNG path, caption)."""
        with shown_to_user():
            num_samples = limits.NUM_SAMPLES.check(num_samples)
            seed = limits.SEED.check(seed)
            entry = _find_image_model(state, model_name)
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

    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            model_dropdown = gr.Dropdown(
                choices=model_choices,
                value=default_model,
                label="Model",
                # Names are checked by find_model, which also knows folders trained after start-up.
                allow_custom_value=True,
            )
            refresh_button = gr.Button("Refresh model list", size="sm", variant="secondary")
            num_samples_slider = gr.Slider(
                limits.NUM_SAMPLES.minimum,
                limits.NUM_SAMPLES.maximum,
                value=DEFAULT_NUM_SAMPLES,
                step=1,
                label="Number of samples",
            )
            with gr.Row():
                seed_number = gr.Number(
                    value=0,
                    minimum=limits.SEED.minimum,
                    maximum=limits.SEED.maximum,
                    label="Seed",
                    scale=3,
                )
                random_seed_button = gr.Button("Random seed", size="sm", scale=1)
            class_dropdown = gr.Dropdown(
                choices=CLASS_CHOICES, value=ALL_CLASSES, label="Class (conditional models)",
                allow_custom_value=True, visible=default_model is not None and _is_conditional(state, default_model),
            )
            generate_button = gr.Button("Generate", variant="primary", elem_id="generate-images")
        with gr.Column(scale=2):
            grid_image = gr.Image(
                label="Samples",
                type="filepath",
                format="png",
                interactive=False,
                elem_id="sample-grid",
                height=480,
            )
            caption_markdown = gr.Markdown(label="Caption")
    with gr.Accordion("Latent interpolation", open=False):
        gr.Markdown(
            "Walk along the arc between two seeds' latent vectors (spherical interpolation): "
            "a smooth morph means the generator learned a continuous space, not a lookup table."
        )
        with gr.Row():
            seed_start_number = gr.Number(value=0, minimum=limits.SEED.minimum,
                                          maximum=limits.SEED.maximum, label="From seed")
            seed_end_number = gr.Number(value=1, minimum=limits.SEED.minimum,
                                        maximum=limits.SEED.maximum, label="To seed")
            num_steps_slider = gr.Slider(limits.INTERPOLATION_STEPS.minimum, limits.INTERPOLATION_STEPS.maximum,
                                         value=10, step=1, label="Steps")
        interpolate_button = gr.Button("Interpolate", elem_id="interpolate")
        strip_image = gr.Image(label="Strip", type="filepath", format="png", interactive=False,
                               elem_id="interpolation-strip")
        animation_image = gr.Image(label="Animation", type="filepath", format="gif", interactive=False,
                                   elem_id="interpolation-gif", height=160)
    with gr.Accordion("VAE: reconstruct a digit you draw or upload", open=False):
        gr.Markdown(
            "Choose a VAE above, draw a digit (or upload a picture of one): the encoder maps it to a "
            "latent code and the decoder draws what it understood."
        )
        with gr.Row():
            sketchpad = gr.Sketchpad(label="Draw a digit", type="pil", image_mode="RGBA", elem_id="vae-sketch")
            # A plain file, decoded by us: gr.Image would decode it first, dropping the alpha channel,
            # with no pixel-count guard, and turn a corrupt file into a message-less error.
            upload_image = gr.File(label="…or upload one (PNG/JPEG)", file_types=[".png", ".jpg", ".jpeg"],
                                   type="filepath")
            with gr.Column():
                model_input_image = gr.Image(label="What the model sees (28×28)", type="filepath",
                                             format="png", interactive=False, elem_id="vae-input")
                reconstruction_image = gr.Image(label="Reconstruction", type="filepath", format="png",
                                                interactive=False, elem_id="vae-reconstruction")
        reconstruct_button = gr.Button("Reconstruct", elem_id="reconstruct")
    with gr.Accordion("Model card", open=False):
        card_markdown = gr.Markdown(model_card_markdown(state, default_model))

    def interpolate_latents(model_name: str, seed_start: float, seed_end: float, num_steps: float) -> tuple[str, str]:
        """Images along the latent arc from `seed_start` to `seed_end`; returns (PNG strip, GIF) paths."""
        with shown_to_user():
            num_steps = limits.INTERPOLATION_STEPS.check(num_steps)
            seed_start, seed_end = limits.SEED.check(seed_start), limits.SEED.check(seed_end)
            entry = _find_image_model(state, model_name)
            images = interpolate_images(entry.path, seed_start, seed_end, num_steps, state.device)
        metadata = {"model": entry.name, "seeds": f"{seed_start}->{seed_end}", "steps": str(num_steps)}
        strip = state.outputs.save_png(make_grid(images, num_columns=num_steps), entry.name, metadata)
        frames = [make_grid(image[None], padding=0) for image in images]
        return strip, state.outputs.save_gif(frames, entry.name)

    def reconstruct_drawing(model_name: str, drawing, upload) -> tuple[str, str]:
        """A VAE's reconstruction of a drawn (or else uploaded) digit; returns (input PNG, reconstruction PNG)."""
        image = drawing.get("composite") if isinstance(drawing, dict) else drawing
        if image is None and not upload:
            raise gr.Error("Draw a digit or upload an image first.", print_exception=False)
        with shown_to_user(ValueError):  # digit_from_drawing: "the drawing is empty"
            entry = _find_image_model(state, model_name)
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

    def refresh_models(current: str | None):
        choices = _model_choices(state)
        names = [name for _, name in choices]
        value = current if current in names else (names[0] if names else None)
        return gr.Dropdown(choices=choices, value=value)

    refresh_button.click(refresh_models, model_dropdown, model_dropdown, api_visibility="private")
    # A run trained a moment ago shows up when the page loads or the tab is opened.
    gr.on([demo.load] + ([tab.select] if tab is not None else []), refresh_models, model_dropdown, model_dropdown,
          api_visibility="private")
    model_dropdown.change(
        lambda name: (model_card_markdown(state, name), gr.Dropdown(visible=_is_conditional(state, name))),
        model_dropdown,
        [card_markdown, class_dropdown],
        api_visibility="private",
    )
    random_seed_button.click(
        lambda: random.randint(limits.SEED.minimum, limits.SEED.maximum), None, seed_number, api_visibility="private"
    )
    generate_button.click(
        generate_images,
        inputs=[model_dropdown, num_samples_slider, seed_number, class_dropdown],
        outputs=[grid_image, caption_markdown],
        api_name="generate_images",
        concurrency_id="generate",
    )
    reconstruct_button.click(
        reconstruct_drawing,
        inputs=[model_dropdown, sketchpad, upload_image],
        outputs=[model_input_image, reconstruction_image],
        api_name="reconstruct_digit",
        concurrency_id="generate",
    )
    interpolate_button.click(
        interpolate_latents,
        inputs=[model_dropdown, seed_start_number, seed_end_number, num_steps_slider],
        outputs=[strip_image, animation_image],
        api_name="interpolate_latents",
        concurrency_id="generate",
    )
