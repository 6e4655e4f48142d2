"""The Evaluate tab: two or more models side by side. Image models: classifier-FID against one
real slice with its floor, class accuracy, size, sampling time, grids and training curves. Text
models: held-out bits per character, tokens/s and completions of the same prompt and seed."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import gradio as gr
import pandas as pd

from genai_demo import limits
from genai_demo.data.text import TEXT_CORPORA
from genai_demo.errors import InvalidInputError
from genai_demo.evaluation import Progress, compare_image_models, compare_text_models
from genai_demo.families import BITS_PER_CHAR, DIFFUSION_TAB, IMAGES_TAB, TEXT_TAB, image_generator_types, model_types
from genai_demo.folders.registry import ModelEntry, dataset_of_folder, find_model
from genai_demo.jobs import curves_from_metrics
from genai_demo.metrics_log import read_metrics
from genai_demo.metrics.quality import DEFAULT_CLASSIFIER, shipped_classifier
from genai_demo.ui.errors import inform, shown_to_user
from genai_demo.ui.gpu import EVALUATE_CAP_SECONDS, evaluate_images_seconds, evaluate_text_seconds, on_gpu, sized
from genai_demo.ui.model_picker import SHOWCASE_MODELS, present
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.i18n import say

IMAGE_COLUMNS = ["model", "family", "classifier_fid", "real_vs_real_floor", "fid_over_floor", "class_accuracy",
                 "parameters", "size_mb", "seconds_for_64", "cached"]
TEXT_COLUMNS = ["model", "family", "bits_per_char", "bigram_bits_per_char", "parameters", "tokens_per_second", "cached"]
EVAL_SAMPLES = limits.IntRange("number of evaluation images", 50, 5000)
IMAGE_GENERATOR_TYPES = image_generator_types()  # measured by classifier-FID
TEXT_MODEL_TYPES = model_types(metric=BITS_PER_CHAR)
# Compared when the page opens: the shipped showcases of the image tabs, and of the text tab.
DEFAULT_IMAGE_MODELS = SHOWCASE_MODELS[IMAGES_TAB] + SHOWCASE_MODELS[DIFFUSION_TAB]
DEFAULT_TEXT_MODELS = SHOWCASE_MODELS[TEXT_TAB]
# The curves of a run's metrics.jsonl, in two plots of their own scale: the losses, and the sample
# quality (classifier-FID from ~3,000 down to ~20, so on a log axis). Timings are no curve of the model;
# class accuracy (0 to 1) is in the table.
FLOOR_CURVE = "fid_floor"
QUALITY_CURVES = {"classifier_fid": "classifier-FID", FLOOR_CURVE: "real-vs-real floor"}
NOT_PLOTTED_HERE = ("eval_seconds", "class_accuracy")
LOSS_PLOTS = 4
LONG_COMPARISON_SECONDS = 15
# 20 distinguishable colours (Tableau 20), so no two lines of one plot share one up to 20 series.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
           "#dbdb8d", "#9edae5"]
CACHE_NOTE = (
    "Compare models on the same data. Classifier-FID is measured once per model folder and setting and cached "
    "in it (`eval_results.json`; a shipped model's, for settings other than its card's, while the app runs), as "
    "are the 64-sample grids and their times while the app runs. The first comparison of a model samples it "
    "(seconds for a GAN, minutes for a diffusion model on a CPU); repeating one takes about a second."
)


def _dataset_of(entry: ModelEntry) -> str:
    return dataset_of_folder(entry.path) or "unknown"


def chosen_entries(state: AppState, names: list[str] | None, model_types: tuple[str, ...]) -> list[ModelEntry]:
    names = list(dict.fromkeys(names or []))
    if len(names) < 2:
        raise InvalidInputError("choose two or more models to compare")
    entries = state.models(model_types)
    return [find_model(name, entries) for name in names]


def same_dataset(entries: list[ModelEntry]) -> str:
    """The dataset all the image models were trained on; a clear error when they differ."""
    datasets = {entry.name: _dataset_of(entry) for entry in entries}
    if len(set(datasets.values())) > 1:
        listed = ", ".join(f"{name} on {dataset}" for name, dataset in datasets.items())
        raise InvalidInputError(f"compare models trained on the same dataset: {listed}")
    return next(iter(datasets.values()))


def shipped(entries: list[ModelEntry]) -> tuple:
    """Shipped folders are read-only: their figures come from `genai_demo eval`, run by the project."""
    return tuple(entry.path for entry in entries if entry.origin == "shipped")


def curves_overlay(entries: list[ModelEntry], quality: bool = False) -> pd.DataFrame:
    """The models' logged losses (or, with `quality`, their classifier-FID and its floor, as log10),
    one series per model and curve, named "model: curve" ("curve" alone for a single model's losses)."""
    points = [(entry.name, point) for entry in entries for point in curves_from_metrics(read_metrics(entry.path))
              if point.series not in NOT_PLOTTED_HERE and (point.series in QUALITY_CURVES) == quality
              and not (quality and point.value <= 0)]  # no logarithm of 0 (a FID is never 0 in practice)
    # Runs evaluated alike share one floor: one line for it, not one per model.
    floors = {round(point.value, 3) for _, point in points if point.series == FLOOR_CURVE}
    rows = []
    for name, point in points:
        label = QUALITY_CURVES.get(point.series, point.series)
        value = math.log10(point.value) if quality else point.value
        shared = (point.series == FLOOR_CURVE and len(floors) == 1) or (not quality and len(entries) == 1)
        rows.append((point.step, value, label if shared else f"{name}: {label}"))
    rows = list(dict.fromkeys(rows))
    return pd.DataFrame({
        "step": pd.Series([row[0] for row in rows], dtype="int64"),
        "value": pd.Series([row[1] for row in rows], dtype="float64"),
        "series": pd.Series([row[2] for row in rows], dtype="string"),
    })


def curves_plot(frame: pd.DataFrame, **update) -> gr.LinePlot:
    """The plot's update: its points and a colour of its own for each series (Vega's default scheme has
    10 colours, so an 11th line would repeat the first). A new colour map also makes Gradio rebuild the
    chart: new points alone keep the colour domain of the first drawing, and a series that was not in it
    (every series, when the plot started empty) is drawn without a stroke colour, invisibly."""
    series = list(dict.fromkeys(frame["series"]))
    colours = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(series)}
    return gr.LinePlot(value=frame, color_map=colours, **update)


def loss_plots(entries: list[ModelEntry]) -> list[gr.LinePlot]:
    """One plot of losses per model (the first LOSS_PLOTS of them): a WGAN critic's swing over ±30 and a
    GAN's losses near 1 share no axis. A model that logged no curves shows no plot."""
    plots = []
    for index in range(LOSS_PLOTS):
        frame = curves_overlay(entries[index : index + 1]) if index < len(entries) else pd.DataFrame()
        if len(frame):
            plots.append(curves_plot(frame, label=say(f"Training losses of {entries[index].name}"), visible=True))
        else:
            plots.append(gr.LinePlot(visible=False))
    return plots


def tell_when_long(num_models: int, seconds: float) -> None:
    """A toast when a comparison took long enough for the reader to have looked elsewhere."""
    if seconds >= LONG_COMPARISON_SECONDS:
        inform(f"The comparison of {num_models} models is done ({seconds:.0f} s).")


def progress_bar(progress: gr.Progress) -> Progress:
    """The comparison's progress as Gradio's bar (the share of the images to generate that are done),
    its text saying what runs now and about how long that takes."""
    return lambda done, total, what: progress(done / total if total else 1.0, desc=say(what))


def image_choices(state: AppState) -> list[tuple[str, str]]:
    return [(f"{entry.name} · {entry.model_type} · {_dataset_of(entry)}", entry.name)
            for entry in state.models(IMAGE_GENERATOR_TYPES)]


def text_choices(state: AppState) -> list[tuple[str, str]]:
    return [(f"{entry.name} · {entry.model_type}", entry.name) for entry in state.models(TEXT_MODEL_TYPES)]


def compare_images(state: AppState, names: list[str], num_samples: float = 500, seed: float = 0,
                   progress=gr.Progress()):
    """Classifier-FID (with the real-vs-real floor), class accuracy, parameters, size and time for 64
    samples of two or more image models trained on one dataset; their grids; their loss and FID curves."""
    with shown_to_user():
        num_samples, seed = EVAL_SAMPLES.check(num_samples), limits.SEED.check(seed)
        entries = chosen_entries(state, names, IMAGE_GENERATOR_TYPES)
        dataset = same_dataset(entries)
        if shipped_classifier(dataset) == DEFAULT_CLASSIFIER and dataset != "mnist":
            raise InvalidInputError(
                f"classifier-FID needs a classifier of {dataset}, and none is shipped "
                "(train one with `python -m genai_demo train classifier --dataset ...` and use `eval --classifier`)"
            )
        started = time.monotonic()
        rows = compare_image_models([entry.path for entry in entries], num_samples, seed, state.device, dataset,
                                    read_only=shipped(entries), progress=progress_bar(progress))
    tell_when_long(len(entries), time.monotonic() - started)
    grids = [(state.outputs.save_png(row["sample_grid"], entry.name, {"model": entry.name, "seed": str(seed)}),
              entry.name) for row, entry in zip(rows, entries)]
    table = pd.DataFrame(rows, columns=IMAGE_COLUMNS)
    # An empty frame would leave a plot's colour scale broken: keep the plot as it is instead.
    quality = curves_overlay(entries, quality=True)
    return table, grids, *loss_plots(entries), curves_plot(quality) if len(quality) else gr.update()


def compare_text(state: AppState, names: list[str], corpus: str = TEXT_CORPORA[0], prompt: str = "def ",
                 seed: float = 0, max_new_tokens: float = 100, progress=gr.Progress()):
    """Held-out bits per character on a corpus, the bigram baseline, tokens/s, and completions of
    the same prompt and seed, for two or more text models."""
    with shown_to_user():
        if corpus not in TEXT_CORPORA:
            raise InvalidInputError(f"choose a corpus: {', '.join(TEXT_CORPORA)}")
        seed, max_new_tokens = limits.SEED.check(seed), limits.MAX_NEW_TOKENS.check(max_new_tokens)
        entries = chosen_entries(state, names, TEXT_MODEL_TYPES)
        started = time.monotonic()
        rows = compare_text_models([entry.path for entry in entries], corpus, prompt or "", seed, max_new_tokens,
                                   state.device, read_only=shipped(entries), progress=progress_bar(progress))
    tell_when_long(len(entries), time.monotonic() - started)
    table = pd.DataFrame(rows, columns=TEXT_COLUMNS)
    return table, completions_markdown(prompt or "", rows)


def completions_markdown(prompt: str, rows: list[dict]) -> str:
    """Each model's text as a code block (monospace, line breaks kept, a copy button): the prompt, then
    what the model wrote after it."""
    blocks = []
    for row in rows:
        text = prompt + row["completion"]
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
        blocks.append(f"**{row['model']}**\n\n{fence}text\n{text}\n{fence}")
    return "\n\n".join(blocks)


def refreshed_choices(state: AppState, current_images: list[str], current_text: list[str]):
    """Both model lists again (a model trained or pulled since shows up), keeping the choices."""
    return (gr.Dropdown(choices=image_choices(state), value=current_images),
            gr.Dropdown(choices=text_choices(state), value=current_text))


@dataclass
class EvaluateTab:
    image_inputs: list[gr.components.Component]  # models, images per side, seed
    image_button: gr.Button
    image_outputs: list[gr.components.Component]  # table, grids, LOSS_PLOTS loss plots, FID curves
    text_inputs: list[gr.components.Component]  # models, corpus, prompt, seed, max new tokens
    text_button: gr.Button
    text_outputs: list[gr.components.Component]  # table, completions


def seed_box(**layout) -> gr.Number:
    return gr.Number(value=0, minimum=limits.SEED.minimum, maximum=limits.SEED.maximum, label="Seed", **layout)


def build_evaluate_layout(state: AppState) -> EvaluateTab:
    """The tab's components (call inside a `gr.Blocks` context)."""
    gr.Markdown(CACHE_NOTE, elem_id="evaluate-note")
    with gr.Tab("Image models"):
        with gr.Row():
            image_models = gr.Dropdown(choices=image_choices(state), multiselect=True, label="Image models (two or more)",
                                       value=present(state, DEFAULT_IMAGE_MODELS), allow_custom_value=True, scale=3,
                                       elem_id="evaluate-image-models")
            num_images = gr.Slider(EVAL_SAMPLES.minimum, EVAL_SAMPLES.maximum, value=500, step=50,
                                   label="Images per side", scale=1)
            image_seed = seed_box(scale=1)
        image_button = gr.Button("Compare", variant="primary", elem_id="evaluate-images")
        image_outputs = [
            gr.Dataframe(headers=IMAGE_COLUMNS, interactive=False, label="Figures", elem_id="evaluate-table"),
            gr.Gallery(label="64 samples each (same seed)", columns=4, height="auto", object_fit="contain",
                       elem_id="evaluate-grids"),
        ]
        quality = gr.LinePlot(x="step", y="value", color="series", color_title="model: figure",
                              label="Sample quality during training: classifier-FID on a log10 axis "
                                    "(1.3 = 20, 2 = 100, 3 = 1,000; lower is better)",
                              y_title="log10 classifier-FID", height=300, elem_id="evaluate-quality")
        with gr.Row():  # two to a row; hidden until a comparison has a model's curves to show
            image_outputs += [gr.LinePlot(x="step", y="value", color="series", label="Training losses",
                                          color_title="loss", height=280, min_width=480, visible=False,
                                          elem_id=f"evaluate-losses-{index}") for index in range(LOSS_PLOTS)]
        image_outputs.append(quality)
    with gr.Tab("Text models"):
        with gr.Row():
            text_models = gr.Dropdown(choices=text_choices(state), multiselect=True, label="Text models (two or more)",
                                      value=present(state, DEFAULT_TEXT_MODELS), allow_custom_value=True, scale=3)
            corpus = gr.Dropdown(choices=list(TEXT_CORPORA), value=TEXT_CORPORA[0], label="Held-out text of", scale=1)
        with gr.Row():
            prompt = gr.Textbox(value="def ", label="Prompt", scale=3, info="Enter compares")
            text_seed = seed_box(scale=1)
            max_tokens = gr.Slider(1, 1024, value=100, step=1, label="Max new tokens", scale=1)
        text_button = gr.Button("Compare", variant="primary", elem_id="evaluate-texts")
        text_outputs = [
            gr.Dataframe(headers=TEXT_COLUMNS, interactive=False, label="Figures"),
            gr.Markdown(label="Completions", container=True, elem_id="evaluate-completions"),
        ]
    return EvaluateTab([image_models, num_images, image_seed], image_button, image_outputs,
                       [text_models, corpus, prompt, text_seed, max_tokens], text_button, text_outputs)


def wire_evaluate_tab(state: AppState, ui: EvaluateTab, tab: gr.Tab | None = None) -> None:
    ui.image_button.click(on_gpu(sized(evaluate_images_seconds, cap=EVALUATE_CAP_SECONDS))(bind(compare_images, state)), ui.image_inputs, ui.image_outputs,
                          api_name="compare_image_models")
    gr.on([ui.text_button.click, ui.text_inputs[2].submit], on_gpu(sized(evaluate_text_seconds, cap=EVALUATE_CAP_SECONDS))(bind(compare_text, state)),
          ui.text_inputs, ui.text_outputs, api_name="compare_text_models")
    model_lists = [ui.image_inputs[0], ui.text_inputs[0]]
    if tab is not None:
        tab.select(bind(refreshed_choices, state), model_lists, model_lists, api_visibility="private")


def build_evaluate_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> EvaluateTab:
    """Components and events of the Evaluate tab (call inside a `gr.Blocks` context)."""
    ui = build_evaluate_layout(state)
    wire_evaluate_tab(state, ui, tab)
    return ui
