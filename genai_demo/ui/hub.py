"""The Hub tab: browse local models with their cards and samples, pull a model by Hub id, push one
(token from HF_TOKEN or a password box), rename and delete the user's own models."""

from __future__ import annotations

import re
from dataclasses import dataclass

import gradio as gr
import torch

from genai_demo.errors import GenaiDemoError, InvalidInputError
from genai_demo.families import IMAGES_TAB, model_types
from genai_demo.generation import generate_image_grid, load_cached_model
from genai_demo.hub.hub_models import pull_model
from genai_demo.hub.push import push_model_folder
from genai_demo.folders.registry import (
    ModelDetails,
    ModelEntry,
    delete_user_model,
    describe_model,
    find_model,
    rename_user_model,
    user_models_dir,
)
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.ownership import OWNER_TOKEN_JS, owner_of
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.i18n import say

CONFIRM_DELETE_JS = "(name, token) => [confirm(`Delete ${name}? This cannot be undone.`) ? name : null, token]"
QUICK_SAMPLE_TYPES = model_types(tab=IMAGES_TAB)
GRID_SAMPLES = 64
TABLE_HEADERS = ["model", "family", "dataset", "parameters", "size", "source"]
READ_ONLY_NOTE = (
    "This is a read-only demo: pulling, pushing, renaming and deleting models are off. "
    "Run the app yourself (see the README) to manage models."
)


def _size(size_bytes: int) -> str:
    return f"{size_bytes / 2**20:.1f} MB" if size_bytes >= 2**20 else f"{size_bytes / 2**10:.0f} KB"


def _summary(details: ModelDetails, loads: str) -> str:
    rows = [
        (say("loads"), loads), (say("family"), details.family), (say("dataset"), details.dataset),
        (say("parameters"), f"{details.parameters:,}"), (say("size on disk"), _size(details.size_bytes)),
        (say("source"), details.source), (say("folder"), f"`{details.entry.path}`"),
    ]
    rows += [(name.replace("_", " "), value) for name, value in details.metrics.items()]
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return f"### {details.entry.name}\n\n| {say('figure')} | {say('value')} |\n|---|---|\n{table}\n"


def _card_for_display(card_text: str) -> str:
    """The card without its image links (relative paths mean nothing here: the grid is shown beside)."""
    return re.sub(r"^!\[[^\]]*\]\([^)]*\)\s*$", "", card_text, flags=re.MULTILINE).strip() or "*This model has no card.*"


def _choices(entries: list[ModelEntry]) -> list[tuple[str, str]]:
    return [(f"{entry.name} · {entry.model_type} · {entry.origin}", entry.name) for entry in entries]


def model_table(state: AppState) -> list[list[str]]:
    rows = []
    for entry in state.models():
        details = describe_model(entry)
        rows.append([entry.name, details.family, details.dataset, f"{details.parameters:,}",
                     _size(details.size_bytes), details.source])
    return rows


def show_model(state: AppState, name: str | None) -> tuple[str, str | None, str]:
    """Family, dataset, parameters, size, figures, sample grid and card of a local model."""
    if not name:
        return say("*No model chosen.*"), None, ""
    with shown_to_user():
        details = describe_model(find_model(name, state.models()))
    try:  # through the same cache the generate tabs use: a model shown here is ready there
        model = load_cached_model(details.entry.path, state.device)
        loads = say(f"yes, on {state.device.type} ({model.model_type})")
    except GenaiDemoError as error:  # a broken folder still shows its card, with what is wrong
        loads = say(f"no: {error}")
    # The folder's own grid goes through the output folder, the only one the page serves (see ui/app.py).
    grid = (state.outputs.copy(details.sample_grid, details.entry.name) if details.sample_grid
            else drawn_grid(state, details.entry))
    return _summary(details, loads), grid, _card_for_display(details.card_text)


def drawn_grid(state: AppState, entry: ModelEntry) -> str | None:
    """64 samples (seed 0) of an Images-tab model whose folder has no grid of its own (a run's
    `best/`, a pulled model): a GAN or VAE draws them in milliseconds; other models show none.
    On the CPU: browsing must not hold a GPU (on ZeroGPU, outside a `spaces.GPU` call, it has none)."""
    if entry.model_type not in QUICK_SAMPLE_TYPES:
        return None
    try:
        grid = generate_image_grid(entry.path, GRID_SAMPLES, 0, torch.device("cpu"))
    except GenaiDemoError:
        return None
    return state.outputs.save_png(grid, entry.name, {"model": entry.name, "seed": "0"})


def show_model_cleared_first(state: AppState, name: str | None):
    """`show_model`, after a blank first update: the previous model's summary, grid and card never stay
    on screen beside an error about this one."""
    yield "", None, ""
    yield show_model(state, name)


def refreshed_models(state: AppState, current: str | None) -> tuple[gr.Dropdown, list[list[str]]]:
    """The model list and table again (a model trained or pulled since shows up), keeping the choice."""
    entries = state.models()
    names = [entry.name for entry in entries]
    value = current if current in names else (names[0] if names else None)
    return gr.Dropdown(choices=_choices(entries), value=value), model_table(state)


def pull(state: AppState, repo_id: str, revision: str = "", progress=gr.Progress(track_tqdm=True)):
    """Add a Hub model (by id, optional revision) to the local models; it is then listed everywhere."""
    with shown_to_user():
        progress(0, desc=say(f"Pulling {repo_id.strip()}…"))
        folder = pull_model(repo_id, user_models_dir(), revision=revision)
    entries = state.models()
    name = next(entry.name for entry in entries if entry.path == folder)
    return gr.Dropdown(choices=_choices(entries), value=name), model_table(state), say(f"Pulled into **{name}**.")


def push(state: AppState, name: str, repo_id: str, private: bool = True, message: str = "", token: str = "") -> str:
    """Push a local model to a Hub repo (created if missing); returns the commit URL."""
    with shown_to_user():
        entry = find_model(name, state.models())
        url = push_model_folder(entry.path, repo_id, token=token, private=private, commit_message=message)
    return say(f"Pushed **{name}** to [{repo_id.strip()}]({url}).")


def check_may_change(state: AppState, entry: ModelEntry, owner: str) -> None:
    """Refuse to rename or delete a run that is training, or that another session trained."""
    run_folder = entry.path.parent if entry.name.endswith("/best") else entry.path
    for job in state.jobs.jobs():
        if job.out != run_folder:
            continue
        if job.active:
            raise InvalidInputError(f"run #{job.id} is writing {entry.name}: stop it first")
        if job.owner and job.owner != owner:
            raise InvalidInputError(f"{entry.name} was trained by another session: only its owner may change it")


def rename(state: AppState, name: str, target: str, browser_token: str = "", request: gr.Request = None):
    with shown_to_user():
        entries = state.models()
        check_may_change(state, find_model(name, entries), owner_of(request, browser_token))
        folder = rename_user_model(name, target, entries)
    entries = state.models()
    return gr.Dropdown(choices=_choices(entries), value=folder.name), model_table(state), say(f"Renamed to **{folder.name}**.")


def delete(state: AppState, name: str | None, browser_token: str = "", request: gr.Request = None):
    if not name:  # the browser's confirmation was declined
        return gr.Dropdown(), gr.Dataframe(), say("Nothing deleted.")
    with shown_to_user():
        entries = state.models()
        check_may_change(state, find_model(name, entries), owner_of(request, browser_token))
        delete_user_model(name, entries)
    entries = state.models()
    return (gr.Dropdown(choices=_choices(entries), value=entries[0].name if entries else None), model_table(state),
            say(f"Deleted **{name}**."))


@dataclass
class HubBrowser:
    model: gr.Dropdown
    details: list[gr.components.Component]  # summary, grid, card
    table: gr.Dataframe


@dataclass
class HubManager:
    owner_token: gr.Textbox
    pull_inputs: list[gr.components.Component]  # id, revision
    pull_button: gr.Button
    pull_status: gr.Markdown
    push_inputs: list[gr.components.Component]  # id, private, message, token
    push_button: gr.Button
    push_status: gr.Markdown
    new_name: gr.Textbox
    rename_button: gr.Button
    delete_button: gr.Button
    manage_status: gr.Markdown


def build_hub_browser(state: AppState) -> HubBrowser:
    """The model list, its details and card, and the table of all models (call inside a Blocks context)."""
    entries = state.models()
    with gr.Row():
        with gr.Column(scale=2, min_width=320):
            model = gr.Dropdown(
                choices=_choices(entries), value=entries[0].name if entries else None, label="Local model", elem_id="hub-model",
                info="shipped models and your own (trained here or pulled)",
                allow_custom_value=True,  # names are checked when used: a model trained a moment ago works too
            )
            summary = gr.Markdown(elem_id="hub-summary")
            grid = gr.Image(label="Samples (fixed seed)", type="filepath", interactive=False, elem_id="hub-grid",
                            height=320)
        with gr.Column(scale=3, min_width=360):
            card = gr.Markdown(elem_id="hub-card", container=True)
    with gr.Accordion("All models", open=False):
        table = gr.Dataframe(headers=TABLE_HEADERS, value=model_table(state), interactive=False, wrap=True)
    return HubBrowser(model, [summary, grid, card], table)


def build_hub_manager() -> HubManager:
    """Pull, push, rename and delete (call inside a Blocks context; not in a read-only app)."""
    owner_token = gr.Textbox(visible=False)
    with gr.Accordion("Pull from the Hub", open=False):
        gr.Markdown("Safetensors, JSON, tokenizer and card files only: no pickle and no code is ever downloaded. "
                    "Cached models work offline (`HF_HUB_OFFLINE=1`).")
        with gr.Row():
            pull_id = gr.Textbox(label="Hub model id", placeholder="google/ddpm-cifar10-32", scale=3)
            pull_revision = gr.Textbox(label="Revision (optional)", placeholder="main, a tag or a commit", scale=2)
            pull_button = gr.Button("Pull", scale=1)
        pull_status = gr.Markdown()
    with gr.Accordion("Push to the Hub", open=False):
        gr.Markdown("Pushes the chosen model's files (not its training state) with a card written for the Hub: "
                    "figures as model-index, the training command, curves and a snippet that loads it. "
                    "The token comes from `HF_TOKEN` or this box; it is never logged or saved. "
                    "To push a run's best checkpoint, choose `<run>/best`.")
        with gr.Row():
            push_id = gr.Textbox(label="Hub repo id", placeholder="your-name/dcgan-mnist", scale=3)
            push_private = gr.Checkbox(label="private", value=True, scale=1)
        push_message = gr.Textbox(label="Commit message", placeholder="Upload … from genai-demo")
        push_token = gr.Textbox(label="Hub token (write)", type="password", placeholder="hf_… (or set HF_TOKEN)")
        push_button = gr.Button("Push")
        push_status = gr.Markdown()
    with gr.Accordion("Rename or delete (your models only)", open=False):
        with gr.Row():
            new_name = gr.Textbox(label="New name", scale=3)
            rename_button = gr.Button("Rename", scale=1)
            delete_button = gr.Button("Delete", variant="stop", scale=1)
        manage_status = gr.Markdown()
    return HubManager(owner_token, [pull_id, pull_revision], pull_button, pull_status,
                      [push_id, push_private, push_message, push_token], push_button, push_status,
                      new_name, rename_button, delete_button, manage_status)


def wire_hub_browser(state: AppState, demo: gr.Blocks, ui: HubBrowser, tab: gr.Tab | None = None) -> None:
    ui.model.change(bind(show_model_cleared_first, state), ui.model, ui.details, api_name="hub_model_details")
    triggers = [demo.load] + ([tab.select] if tab is not None else [])
    gr.on(triggers, bind(refreshed_models, state), ui.model, [ui.model, ui.table], api_visibility="private").then(
        bind(show_model, state), ui.model, ui.details, api_visibility="private"
    )


def wire_hub_manager(state: AppState, demo: gr.Blocks, browser: HubBrowser, ui: HubManager) -> None:
    listing = [browser.model, browser.table]
    ui.pull_button.click(bind(pull, state), ui.pull_inputs, [*listing, ui.pull_status], api_name="pull_model")
    ui.push_button.click(bind(push, state), [browser.model, *ui.push_inputs], ui.push_status, api_name="push_model")
    ui.rename_button.click(bind(rename, state), [browser.model, ui.new_name, ui.owner_token],
                           [*listing, ui.manage_status], api_name="rename_model")
    ui.delete_button.click(bind(delete, state), [browser.model, ui.owner_token], [*listing, ui.manage_status],
                           api_name="delete_model", js=CONFIRM_DELETE_JS)
    demo.load(None, None, ui.owner_token, js=OWNER_TOKEN_JS)


def build_hub_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> None:
    """Components and events of the Hub tab (call inside a `gr.Blocks` context)."""
    browser = build_hub_browser(state)
    wire_hub_browser(state, demo, browser, tab)
    if state.read_only:  # a public demo registers no endpoint that writes to disk or uses a token
        gr.Markdown(READ_ONLY_NOTE, elem_id="hub-read-only")
        return
    wire_hub_manager(state, demo, browser, build_hub_manager())
