"""ZeroGPU on Hugging Face Spaces: GPU work is wrapped with `spaces.GPU` when that package exists.

On a ZeroGPU Space a GPU is attached only while a function decorated with `spaces.GPU` runs, for
at most its `duration` in seconds; everywhere else (no `spaces` package) the decorator is a no-op.
"""

from __future__ import annotations

import importlib.util
from typing import Callable, TypeVar

Function = TypeVar("Function", bound=Callable)


def on_gpu(duration: int) -> Callable[[Function], Function]:
    """Decorate a handler that may use the GPU; `duration` is its longest expected run in seconds."""
    if importlib.util.find_spec("spaces") is None:
        return lambda function: function
    import spaces  # the ZeroGPU package, on a Space only: loads only when needed

    return spaces.GPU(duration=duration)
