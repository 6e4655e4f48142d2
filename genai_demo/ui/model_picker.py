"""The model picker of every generation tab: the local folders of the tab's families, grouped by
family, plus (where the tab offers it) Hub ids loaded this session; listed again on page load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import gradio as gr

from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.families import DIFFUSION_TAB, IMAGES_TAB, TEXT_TAB
from genai_demo.folders.registry import class_names, dataset_of_folder, find_model
from genai_demo.generation import ALL_CLASSES, class_count
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.i18n import say

HUB_PREFIX = "hub:"  # dropdown values of Hub models: "hub:owner/name"
# The shipped models a tab selects first, when they are there: the best of their kind here.
SHOWCASE_MODELS = {
    IMAGES_TAB: ("dcgan-mnist",),
    DIFFUSION_TAB: ("cddpm-mnist", "ddpm-mnist"),
    TEXT_TAB: ("tiny-gpt-python-code", "char-lstm-python-code"),
}


@dataclass
class ModelPicker:
    model_types: tuple[str, ...]
    dropdown: gr.Dropdown
    refresh_button: gr.Button | None = None
    hub_id_box: gr.Textbox | None = None
    hub_button: gr.Button | None = None
    hub_status: gr.Markdown | None = None


def model_choices(state: AppState, model_types: tuple[str, ...], hub_ids: list[str] = ()) -> list[tuple[str, str]]:
    """(label, name) pairs grouped by family, so the GANs, the VAE etc. sit together; then Hub ids."""
    entries = sorted(state.models(model_types), key=lambda entry: (entry.model_type, entry.name))
    local = [(f"{entry.model_type} · {entry.name}", entry.name) for entry in entries]
    return local + [(f"{repo_id} (Hub)", HUB_PREFIX + repo_id) for repo_id in hub_ids]


def default_model(state: AppState, model_types: tuple[str, ...], preferred: tuple[str, ...] = ()) -> str | None:
    """The first of `preferred` that exists, else the first model listed (None: no model at all)."""
    names = [name for _, name in model_choices(state, model_types)]
    return next((name for name in preferred if name in names), names[0] if names else None)


def refreshed_choices(state: AppState, model_types: tuple[str, ...], current: str | None) -> gr.Dropdown:
    """The models listed again (a run trained a moment ago shows up), keeping the choice if it still exists."""
    hub_ids = [current[len(HUB_PREFIX):]] if current and current.startswith(HUB_PREFIX) else []
    choices = model_choices(state, model_types, hub_ids)
    names = [name for _, name in choices]
    return gr.Dropdown(choices=choices, value=current if current in names else (names[0] if names else None))


def selected_hub_model(state: AppState, model_types: tuple[str, ...], repo_id: str) -> gr.Dropdown:
    """The dropdown after a Hub model was loaded: it is listed and selected."""
    repo_id = repo_id.strip()
    return gr.Dropdown(choices=model_choices(state, model_types, [repo_id]), value=HUB_PREFIX + repo_id)


def resolve_model_folder(
    state: AppState, model_types: tuple[str, ...], model_name: str, kind: str, cached_hub_folder: Callable[[str], Path]
) -> Path:
    """A local folder by registry name, or the cached snapshot of a Hub id loaded before ("hub:owner/name")."""
    if not model_name:
        raise InvalidInputError(f"choose a {kind} model first (or load one from the Hub)")
    if model_name.startswith(HUB_PREFIX):
        return cached_hub_folder(model_name[len(HUB_PREFIX):])
    return find_model(model_name, state.models(model_types)).path


def class_choices(state: AppState, folder: Path, all_label: str) -> list[tuple[str, str]]:
    """The class choice of a conditional model: `all_label` first, then its classes named as its
    dataset names them ("7: digit 7", "7: Sneaker"); empty when the model takes no class."""
    count = class_count(folder, state.device)
    if not count:
        return []
    names = class_names(dataset_of_folder(folder), count)
    return [(say(all_label), ALL_CLASSES)] + [(f"{index}: {name}", str(index)) for index, name in enumerate(names)]


def class_dropdown(state: AppState, folder: Callable[[], Path], all_label: str, current: str | None = ALL_CLASSES,
                   **layout) -> gr.Dropdown:
    """The Class dropdown for the model in `folder()`: its classes, shown only for a conditional model
    (hidden too when the name is unknown or the folder broken: generating says what is wrong); the
    current class stays chosen when the model has it."""
    try:
        choices = class_choices(state, folder(), all_label)
    except GenaiDemoError:
        choices = []
    values = [value for _, value in choices]
    return gr.Dropdown(choices=choices or [(say(all_label), ALL_CLASSES)], visible=bool(choices),
                       value=current if current in values else ALL_CLASSES, **layout)


def present(state: AppState, names: tuple[str, ...], model_types: tuple[str, ...] | None = None) -> list[str]:
    """Those of `names` that exist (of `model_types`), in the models list's order."""
    return [entry.name for entry in state.models(model_types) if entry.name in names]


def build_model_picker(
    state: AppState, model_types: tuple[str, ...], label: str, preferred: tuple[str, ...] = (),
    hub_placeholder: str | None = None, refresh_button: bool = False,
) -> ModelPicker:
    """The dropdown (the first of `preferred` that exists is selected), a refresh button if asked
    for, and with a `hub_placeholder` a Hub id box, its Load button and a status line (call inside
    a Blocks context)."""
    # Names are checked when used, which also finds folders trained after start-up.
    picker = ModelPicker(model_types, gr.Dropdown(choices=model_choices(state, model_types), label=label,
                                                  value=default_model(state, model_types, preferred),
                                                  allow_custom_value=True))
    if refresh_button:
        picker.refresh_button = gr.Button("Refresh model list", size="sm", variant="secondary")
    if hub_placeholder is not None:  # folded away: offline (the usual case here) it only finds cached models
        with gr.Accordion("…or load one from the Hub", open=False):
            with gr.Row():
                picker.hub_id_box = gr.Textbox(label="Hub id", placeholder=hub_placeholder, scale=3)
                picker.hub_button = gr.Button("Load from Hub", size="sm", scale=1)
            picker.hub_status = gr.Markdown()
    return picker


def wire_model_picker(demo: gr.Blocks, state: AppState, picker: ModelPicker, tab: gr.Tab | None = None) -> None:
    """List the models again when the page loads, the tab is opened or the refresh button is pressed."""
    triggers = [demo.load] + ([tab.select] if tab is not None else [])
    triggers += [picker.refresh_button.click] if picker.refresh_button is not None else []
    gr.on(triggers, bind(refreshed_choices, state, picker.model_types), picker.dropdown, picker.dropdown,
          api_visibility="private")
