"""One lock for building networks in a server that also loads diffusers and transformers models.

Their `from_pretrained` disables `torch.nn.init` for the whole process while it builds a model
(diffusers' `no_init_weights`, transformers' too) and, with `low_cpu_mem_usage`, accelerate's
`init_empty_weights` makes every new parameter a meta tensor, also process-wide. A network built
in another thread meanwhile keeps uninitialised or meta weights: measured in the app, a Playground
run started while the Diffusion tab loaded its UNet failed with "Tensor on device meta". So every
`from_pretrained` of ours and every network built from scratch in the app holds this lock.
"""

from __future__ import annotations

import threading

building_lock = threading.RLock()
