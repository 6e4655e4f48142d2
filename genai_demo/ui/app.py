"""Assemble the tabs into one Blocks app and launch it."""

from __future__ import annotations

import gc
import signal
import threading
import time
from pathlib import Path

import gradio as gr

from genai_demo.ui.generate_diffusion import build_generate_diffusion_tab
from genai_demo.ui.generate_images import build_generate_images_tab
from genai_demo.ui.evaluate import build_evaluate_tab
from genai_demo.ui.generate_text import build_generate_text_tab
from genai_demo.ui.hub import build_hub_tab
from genai_demo.ui.i18n import LANGUAGE_COOKIE_JS, localize, translate_example_headers
from genai_demo.ui.learn import build_learn_tab
from genai_demo.ui.playground import build_playground_tab
from genai_demo.ui.repair import build_repair_tab
from genai_demo.ui.state import AppState
from genai_demo.ui.train import build_train_tab

TITLE = "genai-demo"
# Tiny images (28x28 digits) are scaled up; keep their pixels sharp instead of blurred.
CSS = """
#sample-grid img, #interpolation-strip img, #diffusion-grid img, #repair-damaged img, #repair-result img,
#repair-original img, #mixing-grid img { width: 100%; height: 100%; object-fit: contain; }
#sample-grid img, #mixing-grid img, #interpolation-strip img, #interpolation-gif img, #diffusion-grid img, #train-sample img,
#vae-input img, #vae-reconstruction img, #hub-grid img, #repair-damaged img, #repair-result img,
#repair-original img, #repair-editor canvas { image-rendering: pixelated; }
#vae-input img, #vae-reconstruction img { width: 100%; height: 100%; object-fit: contain; }
.monospace textarea { font-family: var(--font-mono); }
/* A plot's chart fills the block under its label: at 100% of the block it overflowed by the label's
   height, and the block cut off the legend at the bottom, leaving only its title. */
.block:has(> .vega-embed) { display: flex; flex-direction: column; }
.block:has(> .vega-embed) > .vega-embed { flex: 1 1 0; min-height: 0; height: auto; }
/* Gradio gives a gallery of height "auto" a fixed height, which cut the side-by-side grids off. */
#evaluate-grids .grid-wrap.fixed-height { height: auto; max-height: none; min-height: 0; }
"""
GENERATE_CONCURRENCY = 2
# Gradio's own cache of returned files and uploads: every 10 minutes, what is older than 30 minutes goes.
DELETE_CACHE = (600, 1800)
QUEUE_MAX_SIZE = 64


def build_app(state: AppState) -> gr.Blocks:
    with gr.Blocks(title=TITLE, delete_cache=DELETE_CACHE) as demo, state.models_listed_once():
        # The queue's settings first: set after the tabs, Gradio would build its server app once more
        # (a fifth of a second of the app's start-up).
        demo.queue(max_size=QUEUE_MAX_SIZE, default_concurrency_limit=GENERATE_CONCURRENCY)
        gr.Markdown(
            f"# {TITLE}\nGenerate images with GANs, a VAE and diffusion models, repair damaged ones with them, and text "
            "with an LSTM and a tiny GPT, all trained by this project. "
            f"Running on **{state.device.type}**."
        )
        with gr.Tab("Images") as images_tab:
            build_generate_images_tab(state, demo, images_tab)
        with gr.Tab("Diffusion") as diffusion_tab:
            build_generate_diffusion_tab(state, demo, diffusion_tab)
        with gr.Tab("Repair") as repair_tab:
            build_repair_tab(state, demo, repair_tab)
        with gr.Tab("Text") as text_tab:
            build_generate_text_tab(state, demo, text_tab)
        if not state.read_only:  # a read-only demo has no training endpoints at all
            with gr.Tab("Train"):
                build_train_tab(state, demo)
        with gr.Tab("Evaluate") as evaluate_tab:
            build_evaluate_tab(state, demo, evaluate_tab)
        with gr.Tab("Hub") as hub_tab:
            build_hub_tab(state, demo, hub_tab)
        with gr.Tab("Playground"):
            build_playground_tab(state, demo)
        with gr.Tab("Learn"):
            build_learn_tab()
        translate_example_headers(demo)
    return demo


def served_folders(state: AppState) -> list[str]:
    """The folders whose files the page may show (Gradio's `allowed_paths`): the output folder only.
    A file shown from a model folder (a run's sample grid in the Hub or Train tab) is copied there
    first, wherever GENAI_DEMO_HOME puts the models; serving the model folders themselves would hand
    anyone their weights, training state and other users' runs."""
    return [str(Path(state.outputs.folder).resolve())]


MAX_UPLOAD_SIZE = "50mb"  # drawings and digit pictures are tiny; refuse anything huge before it is read


SHUTDOWN_SECONDS = 6  # what the running trainings get to save in: `docker stop` kills after 10 s
EXIT_SECONDS = 8  # the process is gone by then, whatever the server's close is waiting for (a busy host
                  # may start the handler a second late: measured in CI with the test suite beside it)


def stop_cleanly_on_sigterm(state: AppState) -> None:
    """SIGTERM (`docker stop`, a Space restarting, systemd) ends the app as Ctrl-C does, after every
    running training has saved a resumable checkpoint: without this a PID-1 Python ignores SIGTERM
    and is killed 10 s later, and the trainings (child processes, which the signal never reaches)
    lose everything since their last save."""

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
        received = time.monotonic()
        print("SIGTERM: stopping the running trainings (each saves a checkpoint), then the server", flush=True)
        state.jobs.shutdown(timeout=SHUTDOWN_SECONDS)
        print(f"SIGTERM: trainings stopped in {time.monotonic() - received:.1f} s", flush=True)
        # Gradio's close can wait on open pages' connections past docker's 10 s, and a watchdog thread
        # did not get to run then (measured): the kernel's SIGALRM, left at its default, ends the process.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, int(EXIT_SECONDS - (time.monotonic() - received))))
        raise KeyboardInterrupt  # Gradio's launch closes the server on it, as on Ctrl-C

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def launch_app(
    state: AppState,
    host: str | None = None,
    port: int | None = None,
    share: bool = False,
    auth: tuple[str, str] | None = None,
    root_path: str | None = None,
) -> None:
    demo = build_app(state)
    stop_cleanly_on_sigterm(state)
    demo.launch(
        server_name=host,
        server_port=port,
        share=share,
        auth=auth,
        root_path=root_path,
        max_file_size=MAX_UPLOAD_SIZE,
        css=CSS,
        allowed_paths=served_folders(state),
        footer_links=["api", "gradio", "settings"],  # Settings: the language switch
        i18n=localize(demo),  # English or Simplified Chinese, as the browser asks
        head=LANGUAGE_COOKIE_JS,  # ... and the server's messages in the page's language too
        prevent_thread_lock=True,
    )
    collect_garbage_from_now_on()
    demo.block_thread()  # until Ctrl-C or SIGTERM, as `launch` itself would


def collect_garbage_from_now_on() -> None:
    """Where app.py held Python's cyclic garbage collector off while the app started: what the start
    made (modules, the page, the models loaded so far) lives as long as the app, so it is frozen out of
    the collector's passes (`gc.freeze`: each pass over it took a quarter of a second), and the
    collector runs again for what the requests make."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
