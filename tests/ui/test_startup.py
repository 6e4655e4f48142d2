"""How the app starts: the garbage collector held off until the server is up (see app.py)."""

import gc

import gradio as gr
import pytest
import torch

import app
from genai_demo.ui import app as ui_app
from genai_demo.ui.state import AppState


def test_importing_the_app_module_keeps_the_collector():
    assert callable(app.main) and gc.isenabled()  # only `python app.py` holds it off, not what imports app.py


@pytest.fixture
def seen(monkeypatch):
    """`launch_app` on an empty page with Gradio's launch and serving loop stubbed: what the collector was
    doing at each, recorded."""
    seen = {}

    def launch(self, **settings):
        seen.update(collector_while_launching=gc.isenabled(), returns_at_once=settings.get("prevent_thread_lock"))

    def block_thread(self):
        seen.update(collector_while_serving=gc.isenabled(), frozen=gc.get_freeze_count())

    monkeypatch.setattr(gr.Blocks, "launch", launch)
    monkeypatch.setattr(gr.Blocks, "block_thread", block_thread)
    monkeypatch.setattr(ui_app, "build_app", lambda state: gr.Blocks())
    monkeypatch.setattr(ui_app, "stop_cleanly_on_sigterm", lambda state: None)  # the test process keeps its SIGTERM
    return seen


def test_the_collector_is_held_off_until_the_server_is_up_then_skips_what_the_start_made(seen, tmp_path):
    state = AppState(device=torch.device("cpu"), model_roots=[tmp_path])
    gc.disable()  # as app.py does when run
    try:
        ui_app.launch_app(state)
    finally:
        gc.unfreeze()
        gc.enable()
    assert seen["collector_while_launching"] is False and seen["returns_at_once"] is True
    assert seen["collector_while_serving"] is True
    assert seen["frozen"] > 100_000  # the modules and the page: out of the collector's passes from then on


def test_a_collector_left_on_is_left_alone(seen, tmp_path):
    ui_app.launch_app(AppState(device=torch.device("cpu"), model_roots=[tmp_path]))
    assert seen["collector_while_serving"] is True
    assert gc.isenabled() and gc.get_freeze_count() == 0 == seen["frozen"]
