"""The Diffusion tab: sample a diffusion model step by step, watching the grid denoise; Stop ends it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import gradio as gr
import torch

from genai_demo import limits
from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.families import DIFFUSION_TAB, model_types
from genai_demo.folders.registry import class_names, dataset_of_folder
from genai_demo.generation import (
    ALL_CLASSES,
    Asked,
    check_class_label,
    condition_attributes,
    load_cached_model,
    understood,
)
from genai_demo.hub.hub_models import download_diffusion_pipeline
from genai_demo.images import make_grid
from genai_demo.models.diffusion import DEFAULT_GUIDANCE, DEFAULT_INFERENCE_STEPS, DEFAULT_SAMPLER, SAMPLERS
from genai_demo.prompts import CLASS_NAMES_ZH, Condition
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.gpu import diffusion_seconds, on_gpu, sized
from genai_demo.ui.model_picker import (
    SHOWCASE_MODELS,
    ModelPicker,
    build_model_picker,
    class_dropdown,
    present,
    resolve_model_folder,
    selected_hub_model,
    wire_model_picker,
)
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.i18n import reader_language, say

DIFFUSION_TYPES = model_types(tab=DIFFUSION_TAB)
# What each sampler is for, keyed by its diffusers scheduler (SAMPLERS names each one's scheduler).
SAMPLER_NOTES = {
    "DDIMScheduler": ("DDIM", "deterministic, few steps"),
    "DPMSolverMultistepScheduler": ("DPM-Solver++", "fewest steps"),
    "DDPMScheduler": ("DDPM", "the original, stochastic, needs ~1000 steps"),
}
SAMPLER_CHOICES = [(f"{title} ({note})", name) for scheduler, (title, note) in SAMPLER_NOTES.items()
                   for name, (scheduler_name, _) in SAMPLERS.items() if scheduler_name == scheduler]
SHOW_CHOICES = [("noisy sample x_t", "sample"), ("model's guess of the result x̂₀", "guess")]
BATCH_SIZE = limits.IntRange("batch size", 1, 64)
UPDATES_PER_RUN = 10  # grid refreshes while sampling (more would spend time encoding PNGs)
ANY_CLASS_LABEL = "any class"
PROMPT_PLACEHOLDERS = {"mnist": "a thin slanted 7 · 一个粗的3 · seven · 数字七",
                       "fashion-mnist": "sneaker · 运动鞋 · a bag · 一件外套"}
# Filled into the form by a click (model, sampler, steps, images, seed, prompt, guidance); left out when
# the model is missing.
EXAMPLES = [
    ["cddpm-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 0, "一个粗的3", DEFAULT_GUIDANCE],
    ["cddpm-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 1, "a thin seven leaning right", DEFAULT_GUIDANCE],
    ["cddpm-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 2, "", 0.0],
    ["cddpm-mnist", "ddim", 25, 16, 3, "数字八", 3.0],
    ["cddpm-fashion-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 0, "运动鞋", 2.0],
    ["cddpm-fashion-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 1, "a bag", 2.0],
    ["ddpm-mnist", DEFAULT_SAMPLER, DEFAULT_INFERENCE_STEPS, 16, 0, "", 1.0],
    ["ddpm-mnist", "ddim", 25, 16, 1, "", 1.0],
    ["ddpm-fashion-mnist", "ddim", 50, 9, 2, "", 1.0],
]


def resolve_diffusion_folder(state: AppState, model_name: str) -> Path:
    return resolve_model_folder(
        state, DIFFUSION_TYPES, model_name, "diffusion",
        lambda repo_id: download_diffusion_pipeline(repo_id, local_files_only=True),
    )


def sample_diffusion(
    state: AppState,
    model_name: str,
    sampler: str = DEFAULT_SAMPLER,
    num_inference_steps: float = DEFAULT_INFERENCE_STEPS,
    batch_size: float = 16,
    seed: float = 0,
    class_label: str = ALL_CLASSES,
    show: str = "sample",
    prompt: str = "",
    guidance: float | None = None,
) -> Iterator[tuple[str, str]]:
    """Sample `batch_size` images with `sampler` in `num_inference_steps` steps, streaming the
    grid as it denoises; yields (PNG path, status) about ten times and once at the end. A guided
    class-conditional model also takes a prompt (English or Chinese; it wins over `class_label`)
    and a guidance scale (None: the model's default); the status says how the prompt was read."""
    with shown_to_user():
        if sampler not in SAMPLERS:
            raise InvalidInputError(f"unknown sampler {sampler!r}; choose one of {', '.join(SAMPLERS)}")
        num_inference_steps = limits.INFERENCE_STEPS.check(num_inference_steps)
        batch_size, seed = BATCH_SIZE.check(batch_size), limits.SEED.check(seed)
        folder = resolve_diffusion_folder(state, model_name)
        model = load_cached_model(folder, state.device)
        trained_steps = model.noise_scheduler.config.num_train_timesteps
        if num_inference_steps > trained_steps:
            raise InvalidInputError(f"this model was trained with {trained_steps} noise levels: use at most {trained_steps} steps")
        guided = getattr(model, "is_guided", False)
        extra, condition = understood(folder, model, Asked(class_label, prompt, guidance if guided else None))
        labels = None
        if condition is not None:
            labels = torch.full((batch_size,), condition.label)
            attributes = condition_attributes(condition, batch_size)
            if attributes is not None:
                extra["attributes"] = attributes
        elif model.is_conditional and class_label not in (None, ALL_CLASSES):
            labels = torch.full((batch_size,), check_class_label(model, class_label))
        steps = model.denoise(model.sample_latents(batch_size, seed), labels, sampler, num_inference_steps, seed,
                              with_guess=show != "sample", **extra)
        reading = "" if condition is None else " · " + say(f"understood as: {_described(folder, model, condition)}")
        update_every = max(1, num_inference_steps // UPDATES_PER_RUN)
        started = time.perf_counter()
        for step in steps:
            if step.index % update_every and step.index != step.total:
                continue
            images = step.sample if show == "sample" or step.index == step.total else step.predicted_original
            grid = make_grid(images.clamp(-1, 1).float().cpu())
            elapsed = time.perf_counter() - started
            done = step.index == step.total
            status = say(f"Done: step {step.index}/{step.total} with {sampler}, seed {seed}, {elapsed:.1f} s on "
                         f"{state.device.type}" if done else
                         f"Denoising: step {step.index}/{step.total} with {sampler}, seed {seed}, {elapsed:.1f} s on "
                         f"{state.device.type}")
            metadata = {"model": model_name, "seed": str(seed), "sampler": sampler, "step": str(step.index)}
            if prompt and condition is not None:
                metadata["prompt"] = prompt
            yield state.outputs.save_png(grid, Path(folder).name, metadata), status + reading


def _described(folder: Path, model, condition: Condition) -> str:
    """The condition a prompt was read as, in the reader's language: "class 7 (digit 7) · thin"."""
    dataset = dataset_of_folder(folder) or ""
    if reader_language() == "zh" and dataset in CLASS_NAMES_ZH:
        return condition.describe_zh(CLASS_NAMES_ZH[dataset])
    return condition.describe(class_names(dataset, model.num_classes))


def guidance_controls(state: AppState, model_name: str | None) -> tuple[dict, dict]:
    """The prompt box and the guidance slider: shown for a guided class-conditional model only
    (the prompt's placeholder names what this model draws; the slider at the model's default scale)."""
    try:
        folder = resolve_diffusion_folder(state, model_name)
        model = load_cached_model(folder, state.device)
        guided = getattr(model, "is_guided", False)
        dataset = dataset_of_folder(folder) if guided else None
    except GenaiDemoError:
        guided, dataset = False, None
    placeholder = PROMPT_PLACEHOLDERS.get(dataset or "", PROMPT_PLACEHOLDERS["mnist"])
    prompt = gr.update(visible=True, placeholder=placeholder) if guided else gr.update(visible=False, value="")
    # The slider starts at the model's own measured default (cddpm-fashion-mnist needs more than cddpm-mnist).
    return prompt, gr.update(visible=True, value=model.default_guidance) if guided else gr.update(visible=False)


def class_choice(state: AppState, model_name: str | None, current: str | None = ALL_CLASSES) -> gr.Dropdown:
    """The Class dropdown: shown, with the classes its dataset names, for a class-conditional model only."""
    return class_dropdown(state, lambda: resolve_diffusion_folder(state, model_name), ANY_CLASS_LABEL, current)


def load_hub_pipeline(state: AppState, repo_id: str, progress=gr.Progress(track_tqdm=True)) -> tuple[gr.Dropdown, str]:
    """Download (or find in the cache) a diffusers image pipeline by Hub id and select it."""
    with shown_to_user():
        progress(0, desc=say(f"Downloading {repo_id} from the Hub…"))
        folder = download_diffusion_pipeline(repo_id)
        model = load_cached_model(folder, state.device)  # fail here, not at the first sample
    size = model.config.image_size
    message = say(f"Loaded **{repo_id.strip()}**: {size}×{size} px, {sum(p.numel() for p in model.parameters()):,} parameters.")
    return selected_hub_model(state, DIFFUSION_TYPES, repo_id), message


@dataclass
class DiffusionTab:
    picker: ModelPicker
    settings: list[gr.components.Component]  # sampler, steps, images, seed, class, what to show, prompt, guidance
    generate_button: gr.Button
    stop_button: gr.Button
    grid: gr.Image
    status: gr.Markdown


def build_generate_diffusion_layout(state: AppState) -> DiffusionTab:
    """The tab's components (call inside a `gr.Blocks` context)."""
    gr.Markdown(
        "A diffusion model turns noise into an image in many small denoising steps. Pick a sampler "
        "and a number of steps, and watch the grid sharpen; **Stop** ends the run at once."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = build_model_picker(state, DIFFUSION_TYPES, "Diffusion model", SHOWCASE_MODELS[DIFFUSION_TAB],
                                        hub_placeholder="google/ddpm-cifar10-32")
            # Shown once the page has loaded the chosen model and found it class-conditional.
            class_label = gr.Dropdown(choices=[(ANY_CLASS_LABEL, ALL_CLASSES)], value=ALL_CLASSES, label="Class",
                                      allow_custom_value=True, visible=False, elem_id="diffusion-class")
            # Shown for a guided class-conditional model.
            prompt = gr.Textbox("", label="Prompt (English or Chinese; wins over the class)", visible=False, max_lines=1,
                                placeholder=PROMPT_PLACEHOLDERS["mnist"], elem_id="diffusion-prompt")
            guidance = gr.Slider(limits.GUIDANCE.minimum, limits.GUIDANCE.maximum, value=DEFAULT_GUIDANCE, step=0.25,
                                 visible=False, label="Guidance scale", elem_id="diffusion-guidance",
                                 info="0: unconditional · 1: plain conditional · higher: follows the class harder")
            with gr.Row():
                generate_button = gr.Button("Generate", variant="primary", elem_id="diffusion-generate")
                stop_button = gr.Button("Stop", variant="stop", elem_id="diffusion-stop")
            sampler = gr.Radio(SAMPLER_CHOICES, value=DEFAULT_SAMPLER, label="Sampler", elem_id="diffusion-sampler")
            steps = gr.Slider(limits.INFERENCE_STEPS.minimum, limits.INFERENCE_STEPS.maximum, value=DEFAULT_INFERENCE_STEPS, step=1,
                              label="Denoising steps", elem_id="diffusion-steps")
            batch_size = gr.Slider(BATCH_SIZE.minimum, BATCH_SIZE.maximum, value=16, step=1, label="Images")
            seed = gr.Number(value=0, minimum=limits.SEED.minimum, maximum=limits.SEED.maximum, label="Seed")
            show = gr.Radio(SHOW_CHOICES, value="sample", label="While sampling, show")
        with gr.Column(scale=2):
            grid = gr.Image(label="Samples", type="filepath", format="png", interactive=False,
                            elem_id="diffusion-grid", height=480)
            status = gr.Markdown(elem_id="diffusion-status")
    settings = [sampler, steps, batch_size, seed, class_label, show, prompt, guidance]
    examples = [example for example in EXAMPLES if present(state, (example[0],), DIFFUSION_TYPES)]
    if examples:
        gr.Examples(examples, [picker.dropdown, sampler, steps, batch_size, seed, prompt, guidance],
                    label="Examples (click to fill in)")
    return DiffusionTab(picker, settings, generate_button, stop_button, grid, status)


def wire_generate_diffusion_tab(state: AppState, demo: gr.Blocks, ui: DiffusionTab, tab: gr.Tab | None = None) -> None:
    wire_model_picker(demo, state, ui.picker, tab)
    class_label = ui.settings[4]
    gr.on([demo.load, ui.picker.dropdown.change], bind(class_choice, state), [ui.picker.dropdown, class_label],
          class_label, api_visibility="private")
    prompt, guidance = ui.settings[6], ui.settings[7]
    gr.on([demo.load, ui.picker.dropdown.change], bind(guidance_controls, state), ui.picker.dropdown,
          [prompt, guidance], api_visibility="private")
    gr.on([ui.picker.hub_button.click, ui.picker.hub_id_box.submit], bind(load_hub_pipeline, state),
          ui.picker.hub_id_box, [ui.picker.dropdown, ui.picker.hub_status], api_name="load_hub_pipeline")
    sample_event = gr.on(
        [ui.generate_button.click, prompt.submit],
        on_gpu(sized(diffusion_seconds))(bind(sample_diffusion, state)), [ui.picker.dropdown, *ui.settings], [ui.grid, ui.status],
        api_name="sample_diffusion", concurrency_id="generate",
    )
    ui.stop_button.click(lambda: say("Stopped."), None, ui.status, cancels=[sample_event], api_visibility="private")


def build_generate_diffusion_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> DiffusionTab:
    """Components and events of the Diffusion tab (call inside a `gr.Blocks` context)."""
    ui = build_generate_diffusion_layout(state)
    wire_generate_diffusion_tab(state, demo, ui, tab)
    return ui
