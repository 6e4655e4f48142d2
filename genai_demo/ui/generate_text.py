"""The Text tab: continue a prompt with a char LSTM, our tiny GPT or a Hub causal LM, streamed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import gradio as gr

from genai_demo import limits
from genai_demo.families import TEXT_TAB, model_types
from genai_demo.generation import load_cached_model
from genai_demo.hub.hub_models import download_model_files
from genai_demo.text_generation import SamplingSettings, fit_prompt, stream_text
from genai_demo.ui.errors import shown_to_user, warn
from genai_demo.ui.gpu import on_gpu, sized, text_seconds
from genai_demo.ui.model_picker import (
    SHOWCASE_MODELS,
    ModelPicker,
    build_model_picker,
    present,
    resolve_model_folder,
    selected_hub_model,
    wire_model_picker,
)
from genai_demo.ui.state import AppState, bind
from genai_demo.ui.i18n import say

TEXT_MODEL_TYPES = model_types(tab=TEXT_TAB)
# What a causal LM folder needs: configs, safetensors weights, tokenizer files (never *.bin).
CAUSAL_LM_FILES = ["*.json", "*.safetensors", "tokenizer*", "*.model", "*.txt", "README.md"]
# Filled into the form by a click (model, prompt); left out when the model is missing.
EXAMPLES = [
    ["tiny-gpt-python-code", "def fibonacci(n):\n"],
    ["char-lstm-python-code", "class Stack:\n    def "],
    ["tiny-gpt-python-code", "import os\n\n\ndef "],
    ["tiny-gpt-tang-poems", "《"],
]
# The page shows the prompt followed by what the model wrote (the API streams the continuation
# only): the browser joins them as each update arrives, without a round trip to the server.
SHOW_PROMPT_AND_TEXT_JS = "(prompt, continuation) => (prompt || '') + (continuation || '')"
# Ctrl+Enter (⌘+Enter) in the prompt generates; Enter stays a new line, as code needs. Gradio's own
# Shift+Enter submits too.
CTRL_ENTER_JS = """() => { document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target.closest('#text-prompt')) {
    event.preventDefault(); document.querySelector('#text-generate')?.click();
  } }, true); }"""


def resolve_text_folder(state: AppState, model_name: str) -> Path:
    return resolve_model_folder(
        state, TEXT_MODEL_TYPES, model_name, "text",
        lambda repo_id: download_model_files(repo_id, CAUSAL_LM_FILES, local_files_only=True),
    )


def generate_text(
    state: AppState,
    model_name: str,
    prompt: str = "",
    max_new_tokens: float = 200,
    temperature: float = 0.8,
    top_k: float = 0,
    top_p: float = 1.0,
    repetition_penalty: float = 1.0,
    seed: float = 0,
) -> Iterator[str]:
    """Continue `prompt` with `model_name`; streams the generated text as it grows."""
    with shown_to_user():
        settings = SamplingSettings(max_new_tokens, temperature, top_k, top_p, repetition_penalty, seed)
        model = load_cached_model(resolve_text_folder(state, model_name), state.device)
        prompt, notice = fit_prompt(prompt or "")
        if notice:
            warn(notice)
        yield from stream_text(model, prompt, settings)


def load_hub_model(state: AppState, repo_id: str, progress=gr.Progress(track_tqdm=True)) -> tuple[gr.Dropdown, str]:
    """Download (or find in the cache) a causal language model by Hub id and select it."""
    with shown_to_user():
        progress(0, desc=say(f"Downloading {repo_id} from the Hub…"))
        folder = download_model_files(repo_id, CAUSAL_LM_FILES)
        model = load_cached_model(folder, state.device)
    parameters = sum(parameter.numel() for parameter in model.parameters())
    return selected_hub_model(state, TEXT_MODEL_TYPES, repo_id), say(f"Loaded **{repo_id.strip()}**: {parameters:,} parameters.")


@dataclass
class TextTab:
    picker: ModelPicker
    sampling: list[gr.components.Component]  # max new tokens, temperature, top-k, top-p, penalty, seed
    prompt: gr.Textbox
    generate_button: gr.Button
    stop_button: gr.Button
    continuation: gr.Textbox  # what the model wrote (the API's output), kept out of sight
    output: gr.Textbox  # the prompt and its continuation, as the page shows them


def build_generate_text_layout(state: AppState) -> TextTab:
    """The tab's components (call inside a `gr.Blocks` context)."""
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = build_model_picker(state, TEXT_MODEL_TYPES, "Text model", SHOWCASE_MODELS[TEXT_TAB],
                                        hub_placeholder="HuggingFaceTB/SmolLM2-135M")
            sampling = [
                gr.Slider(1, 1024, value=200, step=1, label="Max new tokens"),
                gr.Slider(limits.TEMPERATURE.minimum, 2.0, value=0.8, step=0.05, label="Temperature (0: greedy)"),
                gr.Slider(0, 200, value=0, step=1, label="Top-k (0: off)"),
                gr.Slider(limits.TOP_P.minimum, 1.0, value=1.0, step=0.01, label="Top-p (1: off)"),
                gr.Slider(limits.REPETITION_PENALTY.minimum, 2.0, value=1.0, step=0.05,
                          label="Repetition penalty (1: off)"),
                gr.Number(value=0, minimum=limits.SEED.minimum, maximum=limits.SEED.maximum, label="Seed"),
            ]
        with gr.Column(scale=2):
            prompt = gr.Textbox(label="Prompt", value="def ", lines=3, elem_id="text-prompt", elem_classes="monospace",
                                info="Ctrl+Enter (or Shift+Enter) generates; Enter is a new line")
            with gr.Row():
                generate_button = gr.Button("Generate", variant="primary", elem_id="text-generate")
                stop_button = gr.Button("Stop", variant="stop", elem_id="text-stop")
            continuation = gr.Textbox(visible="hidden", elem_id="text-continuation")
            output = gr.Textbox(label="Prompt and generated text", lines=16, interactive=False, elem_id="text-output",
                                elem_classes="monospace", buttons=["copy"])
    examples = [example for example in EXAMPLES if present(state, (example[0],), TEXT_MODEL_TYPES)]
    if examples:
        gr.Examples(examples, [picker.dropdown, prompt], label="Examples (click to fill in)")
    return TextTab(picker, sampling, prompt, generate_button, stop_button, continuation, output)


def wire_generate_text_tab(state: AppState, demo: gr.Blocks, ui: TextTab, tab: gr.Tab | None = None) -> None:
    wire_model_picker(demo, state, ui.picker, tab)
    gr.on([ui.picker.hub_button.click, ui.picker.hub_id_box.submit], bind(load_hub_model, state), ui.picker.hub_id_box,
          [ui.picker.dropdown, ui.picker.hub_status], api_name="load_hub_text_model")
    generate_event = gr.on(
        [ui.generate_button.click, ui.prompt.submit], on_gpu(sized(text_seconds))(bind(generate_text, state)),
        [ui.picker.dropdown, ui.prompt, *ui.sampling], ui.continuation, api_name="generate_text",
        concurrency_id="generate", show_progress_on=ui.output,
    )
    ui.continuation.change(None, [ui.prompt, ui.continuation], ui.output, js=SHOW_PROMPT_AND_TEXT_JS,
                           api_visibility="private")
    ui.stop_button.click(None, None, None, cancels=[generate_event], api_visibility="private")
    demo.load(None, None, None, js=CTRL_ENTER_JS)


def build_generate_text_tab(state: AppState, demo: gr.Blocks, tab: gr.Tab | None = None) -> TextTab:
    """Components and events of the Text tab (call inside a `gr.Blocks` context)."""
    ui = build_generate_text_layout(state)
    wire_generate_text_tab(state, demo, ui, tab)
    return ui
