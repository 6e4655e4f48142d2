"""Data parallelism across the cores of one CPU, inside one process.

PyTorch runs each CPU kernel on all its threads at once (OpenMP). The small convolutions of the
MNIST models split badly that way: on 2 cores the VAE's step ran at 79% of twice its one-thread
speed, and slower still when a shared host took a core away, since every kernel waits for its
slowest thread. `CoreShards` instead splits the batch into one shard per core and runs each shard's
forward and backward on its own thread with one-thread kernels (PyTorch releases the GIL inside
its ops and its backward); the shards' weight gradients are summed in shard order (so a seeded
run repeats exactly) and the optimizer steps once. The step is the whole batch's step, to float
rounding, for networks whose layers see one sample at a time and draw no random numbers: layers
that pool statistics across the batch (BatchNorm) would see a shard instead, and dropout would draw
its masks in whichever order the threads run, so `shard_count` gives those networks one shard.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

import torch
from torch import nn

Result = TypeVar("Result")

MIN_SHARD_SIZE = 16  # smaller shards spend more on the Python of their forward than they save
MAX_SHARDS = 4  # measured gains are on 2 cores; past a few shards the GIL-bound Python adds up


def shards_change_the_step(model: nn.Module) -> bool:
    """True when some layer's output for a sample depends on the rest of its batch (BatchNorm) or
    on random numbers (dropout, also between the layers of an LSTM)."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            return True
        if isinstance(module, nn.modules.dropout._DropoutNd) and module.p > 0:
            return True
        if isinstance(module, nn.RNNBase) and module.dropout > 0:
            return True
    return False


def shard_count(device: torch.device, batch_size: int, model: nn.Module, processes: int = 1) -> int:
    """How many shards a step of `model` is split into: one per CPU thread PyTorch would use,
    within the limits above; 1 (no threads) on accelerators, under several training processes
    (each already trains a share of the batch) and where shards would change the step."""
    if device.type != "cpu" or processes > 1 or shards_change_the_step(model):
        return 1
    return max(1, min(torch.get_num_threads(), MAX_SHARDS, batch_size // MIN_SHARD_SIZE))


class CoreShards:
    """Runs a step function on shards of its tensors (split along the batch dimension), in parallel.

    While engaged, PyTorch's kernels run on one thread, in the shards' threads and in this one:
    a kernel of this thread on all cores between steps (a batch gather) would leave an OpenMP
    thread spinning for a while on the core a shard needs. Measured in the VAE trainer on 2 cores:
    1.52x the reference loop's speed engaged for the whole loop, 1.06x engaged for each step alone.
    """

    def __init__(self, count: int):
        self.count = count
        self._pool: ThreadPoolExecutor | None = None
        self._saved_threads: int | None = None

    @classmethod
    def for_training(cls, wanted: bool, device: torch.device, batch_size: int, model: nn.Module,
                     processes: int) -> CoreShards:
        """The shards a trainer's steps run on: `shard_count` of them when wanted, else one."""
        return cls(shard_count(device, batch_size, model, processes) if wanted else 1)

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

    def backward(self, shard_loss: Callable[..., tuple[torch.Tensor, Result]], parameters: Iterable[nn.Parameter],
                 *tensors: torch.Tensor) -> list[Result]:
        """Backpropagate each shard's loss into the parameters' `.grad`, as one backward of the sum
        of the shards' losses would; return what each shard reports beside its loss.

        shard_loss(*shard) -> (loss, report): the loss is the shard's share of the batch's loss
        (a sum over its samples divided by the batch size, not a mean over the shard).
        """
        if self.count == 1:
            loss, report = shard_loss(*tensors)
            loss.backward()  # on this thread: hooks such as data-parallel all-reduces fire as usual
            return [report]
        trained = [parameter for parameter in parameters if parameter.requires_grad]

        def shard_gradients(*shard: torch.Tensor) -> tuple[tuple[torch.Tensor | None, ...], Result]:
            loss, report = shard_loss(*shard)
            return torch.autograd.grad(loss, trained, allow_unused=True), report

        results = self.run(shard_gradients, *tensors)
        for index, parameter in enumerate(trained):
            total = None
            for gradients, _ in results:  # in shard order, whichever shard finished first
                gradient = gradients[index]
                if gradient is not None:
                    total = gradient if total is None else total.add_(gradient)
            if total is not None:
                parameter.grad = total if parameter.grad is None else parameter.grad.add_(total)
        return [report for _, report in results]

    def close(self) -> None:
        self.release()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
