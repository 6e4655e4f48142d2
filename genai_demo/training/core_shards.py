"""Data parallelism across the cores of one CPU, inside one process.

PyTorch runs each CPU kernel on all its threads at once (OpenMP). The small convolutions of the
MNIST models split badly that way: on 2 cores the VAE's step ran at 79% of twice its one-thread
speed, and slower still when a shared host took a core away, since every kernel waits for its
slowest thread. `CoreShards` instead splits the batch into one shard per core and runs each shard's
forward and backward on its own thread with one-thread kernels (PyTorch releases the GIL inside
its ops and its backward); autograd sums the shards' weight gradients into `.grad` under a lock,
and the optimizer steps once. The step is the same sum as on the whole batch, to float rounding,
for networks whose layers see one sample at a time: layers that pool statistics across the batch
(BatchNorm) would see a shard instead, so `shard_count` gives those one shard.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import torch
from torch import nn

Result = TypeVar("Result")

MIN_SHARD_SIZE = 16  # smaller shards spend more on the Python of their forward than they save
MAX_SHARDS = 4  # measured gains are on 2 cores; past a few shards the GIL-bound Python adds up


def has_batch_statistics(model: nn.Module) -> bool:
    """True when some layer's output for one sample depends on the others in its batch."""
    return any(isinstance(module, nn.modules.batchnorm._BatchNorm) for module in model.modules())


def shard_count(device: torch.device, batch_size: int, model: nn.Module, processes: int = 1) -> int:
    """How many shards a step of `model` is split into: one per CPU thread PyTorch would use,
    within the limits above; 1 (no threads) on accelerators, under several training processes
    (each already trains a share of the batch) and for models with batch statistics."""
    if device.type != "cpu" or processes > 1 or has_batch_statistics(model):
        return 1
    return max(1, min(torch.get_num_threads(), MAX_SHARDS, batch_size // MIN_SHARD_SIZE))


class CoreShards:
    """Runs a step function on shards of its tensors (split along the batch dimension), in parallel.

    While engaged, PyTorch's kernels run on one thread, in the shards' threads and in this one:
    a kernel of this thread on all cores between steps (a batch gather) would leave an OpenMP
    thread spinning for a while on the core a shard needs. Measured in the VAE trainer on 2 cores:
    1.52x the reference loop's speed engaged for the whole loop, 1.06x switching per step.
    """

    def __init__(self, count: int):
        self.count = count
        self._pool: ThreadPoolExecutor | None = None
        self._saved_threads: int | None = None

    def engage(self) -> None:
        """One kernel thread per shard from now until `release` (nothing to do with one shard)."""
        if self.count > 1 and self._saved_threads is None:
            self._saved_threads = torch.get_num_threads()
            torch.set_num_threads(1)  # the process's threads follow it, the shards' too

    def release(self) -> None:
        """PyTorch's kernels on all the threads they had before `engage`."""
        if self._saved_threads is not None:
            torch.set_num_threads(self._saved_threads)
            self._saved_threads = None

    @contextmanager
    def paused(self) -> Iterator[None]:
        """All kernel threads for the work between steps (sample grids, checkpoints, evaluations)."""
        engaged = self._saved_threads is not None
        self.release()
        try:
            yield
        finally:
            if engaged:
                self.engage()

    def run(self, shard_step: Callable[..., Result], *tensors: torch.Tensor) -> list[Result]:
        """[shard_step(*shard) for each shard]: the whole tensors when there is one shard."""
        if self.count == 1:
            return [shard_step(*tensors)]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.count, thread_name_prefix="core-shard")
        engaged_here = self._saved_threads is None
        self.engage()
        try:
            futures = [self._pool.submit(shard_step, *shard)
                       for shard in zip(*(tensor.tensor_split(self.count) for tensor in tensors))]
            wait(futures)  # every shard ends its backward before an error is raised or weights change
            return [future.result() for future in futures]
        finally:
            if engaged_here:
                self.release()

    def close(self) -> None:
        self.release()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
