"""What every tab shares: the device, the model registry, the output folder and the training jobs."""

from __future__ import annotations

import contextlib
import functools
import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from genai_demo.folders.registry import ModelEntry, discover_models, user_models_dir
from genai_demo.jobs import JobManager
from genai_demo.ui.gpu import on_zero_gpu
from genai_demo.ui.outputs import OutputFiles

# On ZeroGPU a run trains in GPU slices, each counted against the Space's GPU quota: one run may not
# take all of it. Ten default-length runs.
ZERO_GPU_MAX_STEPS = 20_000


@dataclass
class AppState:
    device: torch.device
    model_roots: list[Path] | None = None  # None: shipped checkpoints + the user models folder
    outputs: OutputFiles = field(default_factory=OutputFiles)
    # Training runs go into the user models folder, so a finished run is listed at once.
    # app.py gives it the ZeroGPU slices where the app runs on ZeroGPU (`genai_demo.ui.gpu.train_slices`).
    jobs: JobManager = field(default_factory=lambda: JobManager(user_models_dir()))
    admin_token: str | None = None  # --admin-token: may stop or resume anyone's run
    read_only: bool = False  # --read-only: generation only, no training (public demo links)
    _listed: list[ModelEntry] | None = field(default=None, init=False, repr=False, compare=False)
    max_train_steps: int | None = field(default_factory=lambda: ZERO_GPU_MAX_STEPS if on_zero_gpu() else None)

    def models(self, model_types: tuple[str, ...] | None = None) -> list[ModelEntry]:
        """Model folders found now (a folder trained a moment ago shows up on the next call)."""
        entries = list(self._listed) if self._listed is not None else discover_models(self.model_roots)
        if model_types is not None:
            entries = [entry for entry in entries if entry.model_type in model_types]
        return entries

    @contextlib.contextmanager
    def models_listed_once(self):
        """Within this block the model folders are listed once (building the page asks ~40 times)."""
        self._listed = discover_models(self.model_roots)
        try:
            yield
        finally:
            self._listed = None


def bind(handler: Callable, *leading) -> Callable:
    """`handler(state, ..., *inputs)` as the event function `fn(*inputs)` that Gradio calls, with
    its first arguments (the app state, and whatever else the tab fixes) bound.

    Not `functools.partial`: Gradio reads the function's signature and type hints to inject
    `gr.Request` and `gr.Progress`, and streams only when it sees a generator function."""
    if inspect.isgeneratorfunction(handler):
        def bound(*inputs, **keywords):
            yield from handler(*leading, *inputs, **keywords)
    else:
        def bound(*inputs, **keywords):
            return handler(*leading, *inputs, **keywords)
    functools.update_wrapper(bound, handler)
    signature = inspect.signature(handler)
    bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[len(leading):])
    return bound
