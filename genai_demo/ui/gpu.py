"""ZeroGPU on Hugging Face Spaces: GPU work is wrapped with `spaces.GPU` when that package exists.

On a ZeroGPU Space a GPU is attached only while a function decorated with `spaces.GPU` runs, for
at most its `duration` in seconds; everywhere else (no `spaces` package, or not on ZeroGPU) the
decorator changes nothing. ZeroGPU refuses a call whose requested duration exceeds what is left of
the visitor's quota (a few minutes a day for anonymous visitors), so each handler asks for what
its request needs: `spaces.GPU(duration=callable)` calls the callable with the handler's own
arguments. The estimates below are upper bounds for the small models of this project on a shared
H200 slice (loading a model to the GPU included), clamped to a floor and a cap.

`app.py` imports `spaces` before torch: it patches `torch.cuda` only when imported, so imported
late the app would pick the CPU and every decorated call would spend GPU quota computing there.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Callable, TypeVar

Function = TypeVar("Function", bound=Callable)
FLOOR_SECONDS = 10  # a model's first move to the GPU, and the reply
CAP_SECONDS = 120  # what one generation request may hold a GPU for
EVALUATE_CAP_SECONDS = 300


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
                   sigma=0.5, strength=0.5, jump_length=5, jump_samples=5, *rest) -> float:
    calls = _number(steps, 50) * (_number(jump_samples, 5) if method == "repaint" else 1)
    return FLOOR_SECONDS + 0.01 * calls * _number(copies, 4)


def evaluate_images_seconds(names=(), num_samples=500, *rest) -> float:
    return 20 + 15 * len(names or ()) * max(1.0, _number(num_samples, 500) / 500)


def evaluate_text_seconds(names=(), corpus="", prompt="", seed=0, max_new_tokens=100, *rest) -> float:
    return 20 + len(names or ()) * (10 + 0.03 * _number(max_new_tokens, 100))
