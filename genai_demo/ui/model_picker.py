"""The model picker that the Diffusion and Text tabs share: local folders plus Hub ids loaded this session."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import gradio as gr

from genai_demo.errors import InvalidInputError
from genai_demo.folders.registry import find_model
from genai_demo.ui.state import AppState

HUB_PREFIX = "hub:"  # dropdown values of Hub models: "hub:owner/name"


def model_choices(state: AppState, model_types: tuple[str, ...], hub_ids: list[str]) -> list[tuple[str, str]]:
    local = [(f"{entry.model_type} · {entry.name}", entry.name) for entry in state.models(model_types)]
    return local + [(f"{repo_id} (Hub)", HUB_PREFIX + repo_id) for repo_id in hub_ids]


def build_model_picker(
    state: AppState, model_types: tuple[str, ...], label: str, hub_placeholder: str, preferred: tuple[str, ...] = ()
) -> tuple[gr.Dropdown, gr.Textbox, gr.Button, gr.Markdown]:
    """Dropdown of local models (the first of `preferred` that exists is selected), a Hub id box,
    its Load button and a status line (call inside a Blocks context)."""
    choices = model_choices(state, model_types, [])
    names = [name for _, name in choices]
    default = next((name for name in preferred if name in names), names[0] if names else None)
    # Names are checked when used, which also finds folders trained after start-up.
    dropdown = gr.Dropdown(choices=choices, value=default, label=label, allow_custom_value=True)
    with gr.Row():
        hub_id_box = gr.Textbox(label="…or a Hub id", placeholder=hub_placeholder, scale=3)
        hub_button = gr.Button("Load from Hub", size="sm", scale=1)
    return dropdown, hub_id_box, hub_button, gr.Markdown()


def refresh_on_load(
    demo: gr.Blocks, state: AppState, model_types: tuple[str, ...], dropdown: gr.Dropdown, tab: gr.Tab | None = None
) -> None:
    """List the models again whenever the page loads or the tab is opened (a run trained a moment
    ago shows up), keeping the current choice when it still exists."""

    def refresh(current: str | None):
        hub_ids = [current[len(HUB_PREFIX):]] if current and current.startswith(HUB_PREFIX) else []
        choices = model_choices(state, model_types, hub_ids)
        names = [name for _, name in choices]
        return gr.Dropdown(choices=choices, value=current if current in names else (names[0] if names else None))

    triggers = [demo.load] + ([tab.select] if tab is not None else [])
    gr.on(triggers, refresh, dropdown, dropdown, api_visibility="private")


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
