"""The Images tab's controls for style-based GANs: truncation, noise on/off, and StyleGAN's
style-mixing grid (row seeds give the coarse styles, column seeds the fine ones)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import gradio as gr

from genai_demo import limits
from genai_demo.errors import GenaiDemoError
from genai_demo.folders.registry import find_model
from genai_demo.generation import is_style_based, load_cached_model, style_mixing, style_mixing_figure
from genai_demo.ui.errors import shown_error, shown_to_user
from genai_demo.ui.i18n import say
from genai_demo.ui.state import AppState
from genai_demo.ui.style_mixing_text import MIXING_HELP

DEFAULT_ROW_SEEDS, DEFAULT_COL_SEEDS = "0 1 2 3 4", "10 11 12 13 14"

def style_model(state: AppState, model_types: tuple[str, ...], model_name: str | None):
    """The loaded model when `model_name` is a style-based GAN, else None (also for an unknown name)."""
    if not model_name:
        return None
    try:
        entry = find_model(model_name, state.models(model_types))
        model = load_cached_model(entry.path, state.device)
    except GenaiDemoError:
        return None
    return model if is_style_based(model) else None


def layer_names(model) -> str:
    """"layer 0: 7×7, layers 1–2: 14×14, layers 3–4: 28×28"."""
    resolutions = model.layer_resolutions()
    parts = []
    for size in dict.fromkeys(resolutions):
        indices = [index for index, value in enumerate(resolutions) if value == size]
        span = str(indices[0]) if len(indices) == 1 else f"{indices[0]}–{indices[-1]}"
        parts.append(f"{'layer' if len(indices) == 1 else 'layers'} {span}: {size}×{size}")
    return ", ".join(parts)


def style_controls(state: AppState, model_types: tuple[str, ...], model_name: str | None, crossover: float | None = None
                   ) -> tuple[gr.Slider, gr.Checkbox, gr.Accordion, gr.Slider]:
    """Truncation, noise and the mixing accordion, shown for a style-based model only; the crossover
    slider spans its layers, starting at its coarse/fine split."""
    model = style_model(state, model_types, model_name)
    visible = model is not None
    if model is None:
        crossover_slider = gr.Slider(visible=False)
    else:
        value = crossover if crossover is not None and 0 <= crossover <= model.num_ws else model.default_crossover
        crossover_slider = gr.Slider(0, model.num_ws, value=value, step=1, visible=True,
                                     info=say(f"the first layer styled by the column seed ({layer_names(model)})"))
    return gr.Slider(visible=visible), gr.Checkbox(visible=visible), gr.Accordion(visible=visible), crossover_slider


def parse_seeds(text: str | None, which: str) -> list[int]:
    """Seeds from "0 1 2", "0, 1, 2" or "0-4"; a clear message for anything else."""
    seeds: list[int] = []
    for part in re.split(r"[\s,，]+", (text or "").strip()):
        if not part:
            continue
        span = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if span and int(span[1]) <= int(span[2]) and int(span[2]) - int(span[1]) < limits.MIX_SEEDS.maximum:
            seeds.extend(range(int(span[1]), int(span[2]) + 1))
        else:
            try:
                seeds.append(limits.SEED.check(part))
            except GenaiDemoError:
                raise shown_error(say(f"{which} seeds: {part!r} is not a seed; write whole numbers such as "
                                      f"0 1 2 3 or a range such as 0-4")) from None
    if not 1 <= len(seeds) <= limits.MIX_SEEDS.maximum:
        raise shown_error(say(f"{which} seeds: give 1 to {limits.MIX_SEEDS.maximum} seeds, got {len(seeds)}"))
    return seeds


def mix_styles(state: AppState, model_types: tuple[str, ...], model_name: str, row_seeds: str, col_seeds: str,
               crossover: float, truncation: float = 1.0, noise: bool = True) -> tuple[str, str]:
    """The style-mixing figure of a style-based model; returns (PNG path, caption)."""
    rows, cols = parse_seeds(row_seeds, say("Row")), parse_seeds(col_seeds, say("Column"))
    with shown_to_user():
        entry = find_model(model_name, state.models(model_types))
        started = time.perf_counter()
        mix = style_mixing(entry.path, rows, cols, crossover, state.device, truncation, bool(noise))
        seconds = time.perf_counter() - started
        model = load_cached_model(entry.path, state.device)
    path = state.outputs.save_png(style_mixing_figure(mix), entry.name,
                                  {"model": entry.name, "rows": " ".join(map(str, rows)),
                                   "cols": " ".join(map(str, cols)), "crossover": str(mix.crossover)})
    coarse = f"layers 0–{mix.crossover - 1}" if mix.crossover > 1 else ("layer 0" if mix.crossover == 1 else "no layer")
    caption = say(f"{len(rows)} × {len(cols)} mixes from **{entry.name}**: {coarse} from the row seeds, the rest "
                  f"from the column seeds ({layer_names(model)}); {seconds * 1000:.0f} ms")
    return path, caption


@dataclass
class MixingControls:
    truncation: gr.Slider
    noise: gr.Checkbox
    accordion: gr.Accordion
    row_seeds: gr.Textbox
    col_seeds: gr.Textbox
    crossover: gr.Slider
    mix_button: gr.Button
    figure: gr.Image
    caption: gr.Markdown


def build_truncation_and_noise(state: AppState, model_types: tuple[str, ...], chosen: str | None
                               ) -> tuple[gr.Slider, gr.Checkbox]:
    visible = style_model(state, model_types, chosen) is not None
    truncation = gr.Slider(0.0, 1.0, value=1.0, step=0.05, label="Truncation ψ (1 = off)", visible=visible,
                           elem_id="truncation",
                           info="pulls every w towards the average w: lower is cleaner and less varied")
    noise = gr.Checkbox(value=True, label="Per-layer noise", visible=visible, elem_id="style-noise",
                        info="off: the same styles without the noise inputs' fine detail")
    return truncation, noise


def build_mixing_accordion(state: AppState, model_types: tuple[str, ...], chosen: str | None, truncation: gr.Slider,
                           noise: gr.Checkbox) -> MixingControls:
    model = style_model(state, model_types, chosen)
    with gr.Accordion("Style mixing (style-based GANs)", open=True, visible=model is not None,
                      elem_id="style-mixing") as accordion:
        gr.Markdown(MIXING_HELP)
        with gr.Row():
            row_seeds = gr.Textbox(DEFAULT_ROW_SEEDS, label="Row seeds (coarse styles)", elem_id="mix-rows")
            col_seeds = gr.Textbox(DEFAULT_COL_SEEDS, label="Column seeds (fine styles)", elem_id="mix-cols")
            num_ws = model.num_ws if model is not None else 5
            crossover = gr.Slider(0, num_ws, value=model.default_crossover if model is not None else 3, step=1,
                                  label="Crossover layer", elem_id="mix-crossover",
                                  info=say(f"the first layer styled by the column seed ({layer_names(model)})")
                                  if model is not None else None)
        mix_button = gr.Button("Mix styles", elem_id="mix-styles")
        figure = gr.Image(label="Style-mixing grid", type="filepath", interactive=False, elem_id="mixing-grid",
                          height=420)
        caption = gr.Markdown(elem_id="mixing-caption")
    return MixingControls(truncation, noise, accordion, row_seeds, col_seeds, crossover, mix_button, figure, caption)
