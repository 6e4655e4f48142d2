"""ZeroGPU on Hugging Face Spaces: GPU work is wrapped with `spaces.GPU` when that package exists.

On a ZeroGPU Space a GPU is attached only while a function decorated with `spaces.GPU` runs, for
at most its `duration` in seconds; everywhere else (no `spaces` package, or not on ZeroGPU) the
decorator changes nothing. ZeroGPU refuses a call whose requested duration exceeds what is left of
the visitor's quota (a few minutes a day for anonymous visitors), so each handler asks for what
its request needs: `spaces.GPU(duration=callable)` calls the callable with the handler's own
arguments. The estimates below are upper bounds for the small models of this project on a shared
H200 slice (loading a model to the GPU included), clamped to a floor and a cap.

Training runs in slices there (`train_slices`): each slice is one such call, asking for the time
its steps need, and saves; the next resumes from the save (`genai_demo.jobs.train_slice`).

`app.py` imports `spaces` before torch: it patches `torch.cuda` only when imported, so imported
late the app would pick the CPU and every decorated call would spend GPU quota computing there.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
from typing import Callable, TypeVar

from genai_demo.families import FAMILIES
from genai_demo.jobs import Slices, train_slice
from genai_demo.train_args import parse_train_args

Function = TypeVar("Function", bound=Callable)
FLOOR_SECONDS = 10  # a model's first move to the GPU, and the reply
CAP_SECONDS = 120  # what one generation request may hold a GPU for
EVALUATE_CAP_SECONDS = 300
TRAIN_SLICE_FLOOR_SECONDS = 20  # a training slice's start: data, model and optimizer state to the GPU; its save

TRAIN_EVALUATION_SECONDS = 10  # one classifier-FID or validation-loss evaluation during training


def on_gpu(duration: int | Callable[..., int]) -> Callable[[Function], Function]:
    """Decorate a handler that may use the GPU; `duration`: seconds, or a function of the
    handler's arguments that sizes them from the request (see `sized`)."""
    if importlib.util.find_spec("spaces") is None:
        return lambda function: function
    import spaces  # the ZeroGPU package, on a Space only: loads only when needed

    return spaces.GPU(duration=duration)


def sized(estimate: Callable[..., float], floor: int = FLOOR_SECONDS, cap: int = CAP_SECONDS) -> Callable[..., int]:
    """A duration from the request: `estimate(*handler arguments)` in seconds, rounded up and clamped to
    [floor, cap]. A request it cannot read (bad input, which the handler then refuses) gets the floor."""

    def duration(*inputs, **keywords) -> int:
        try:
            seconds = float(estimate(*inputs, **keywords))
        except (TypeError, ValueError, IndexError, KeyError):
            seconds = floor
        if not math.isfinite(seconds):
            seconds = cap
        return int(min(cap, max(floor, math.ceil(seconds))))

    return duration


def _number(value, default: float) -> float:
    return default if value in (None, "") else float(value)


# Per-request estimates, by handler; arguments as Gradio passes them (the app state is bound first).
def images_seconds(model_name, num_samples=64, *rest) -> float:
    return FLOOR_SECONDS + 0.02 * _number(num_samples, 64)


def diffusion_seconds(model_name, sampler="dpm-solver++", steps=10, batch_size=16, *rest) -> float:
    # A 28 px UNet step on a batch of 64 takes ~20 ms on an H100; ancestral DDPM uses every step given.
    return FLOOR_SECONDS + 0.02 * _number(steps, 10) * max(1.0, _number(batch_size, 16) / 64)


def text_seconds(model_name, prompt="", max_new_tokens=200, *rest) -> float:
    return FLOOR_SECONDS + 0.03 * _number(max_new_tokens, 200)  # ~30 tokens/s worst case for a Hub LM


def repair_seconds(model_name, editor=None, mask=None, damage="", method="", steps=50, copies=4, seed=0,
                   sigma=0.5, strength=0.5, jump_length=5, jump_samples=5, candidates=1, *rest) -> float:
    calls = _number(steps, 50) * (_number(jump_samples, 5) if method == "repaint" else 1)
    batch = max(1.0, _number(candidates, 1) / 8)  # the candidates share each UNet call, in one batch
    return FLOOR_SECONDS + 0.01 * calls * _number(copies, 4) * batch


def evaluate_images_seconds(names=(), num_samples=500, *rest) -> float:
    return 20 + 15 * len(names or ()) * max(1.0, _number(num_samples, 500) / 500)


def evaluate_text_seconds(names=(), corpus="", prompt="", seed=0, max_new_tokens=100, *rest) -> float:
    return 20 + len(names or ()) * (10 + 0.03 * _number(max_new_tokens, 100))


# Training on ZeroGPU: a run in slices, each one `spaces.GPU` call sized from its steps.
def on_zero_gpu() -> bool:
    """Whether this app runs on a ZeroGPU Space (read as the `spaces` package reads it)."""
    return os.environ.get("SPACES_ZERO_GPU", "").lower() in ("1", "t", "true")


def train_step_seconds(arguments: argparse.Namespace) -> float:
    """Estimated seconds of one training step of the parsed `train` arguments, evaluations spread over the steps."""
    step = FAMILIES[arguments.model].gpu_step_seconds
    step *= max(1.0, arguments.batch_size / FAMILIES[arguments.model].defaults.batch_size)
    return step + (TRAIN_EVALUATION_SECONDS / arguments.eval_every if arguments.eval_every else 0.0)


def train_slice_seconds(argv: list[str], steps: int, *rest) -> float:
    """`train_slice(argv, steps)`'s estimate: the slice's start and save, then its steps."""
    return TRAIN_SLICE_FLOOR_SECONDS + _number(steps, 0) * train_step_seconds(parse_train_args(argv[1:]))


def slice_steps(arguments: argparse.Namespace) -> int:
    """The steps of one slice: as many as fit in CAP_SECONDS, a multiple of `--log-every` (a slice ends
    at a logged step), at least one log interval."""
    fitting = int((CAP_SECONDS - TRAIN_SLICE_FLOOR_SECONDS) / train_step_seconds(arguments))
    return max(arguments.log_every, fitting // arguments.log_every * arguments.log_every)


def train_slices() -> Slices | None:
    """On ZeroGPU, training in slices, each slice a GPU call asking for `train_slice_seconds` (at most
    CAP_SECONDS); elsewhere None: a run is one child process on the app's device."""
    if not on_zero_gpu():
        return None
    return Slices(run=on_gpu(sized(train_slice_seconds, floor=TRAIN_SLICE_FLOOR_SECONDS))(train_slice), steps=slice_steps)
