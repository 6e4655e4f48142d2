"""Several processes training one model (`accelerate launch`), through HF Accelerate.

One process (the CLI, the app's jobs) trains exactly as before and never touches accelerate. Under
`accelerate launch --num_processes N` each process gets an `Accelerator`: its own device, its
networks wrapped for data parallelism (gradients averaged across processes), a 1/N share of every
global batch, its own noise stream, and a shared stop flag; only the main process writes files.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from genai_demo.errors import InvalidInputError


def launched_processes() -> int:
    """How many processes `accelerate launch` (or torchrun) started for this run; 1 otherwise."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def launched_as_main() -> bool:
    """True in the one process that reports and writes (rank 0, or the only process)."""
    return launched_processes() == 1 or os.environ.get("RANK", "0") == "0"


class TrainingProcesses:
    """Who this process is among those training together, and what they share."""

    def __init__(self, device: torch.device, batch_size: int):
        self.accelerator = None
        self.device = device
        self.index, self.count = 0, 1
        if launched_processes() > 1:
            from accelerate import Accelerator  # only several processes need it

            self.accelerator = Accelerator(cpu=device.type == "cpu")
            self.device = self.accelerator.device
            self.index, self.count = self.accelerator.process_index, self.accelerator.num_processes
            if batch_size % self.count:
                raise InvalidInputError(
                    f"batch size {batch_size} does not split over {self.count} processes: use a multiple of {self.count}"
                )

    @property
    def is_main(self) -> bool:
        return self.index == 0

    def wrap(self, network: nn.Module) -> nn.Module:
        """The network as training calls it: data-parallel under several processes, itself otherwise."""
        return self.accelerator.prepare_model(network) if self.accelerator is not None else network

    def share_of(self, batch: torch.Tensor) -> torch.Tensor:
        """This process's rows of a global batch (all of it with one process)."""
        return batch[self.index :: self.count] if self.count > 1 else batch

    def mean(self, tensor: torch.Tensor) -> torch.Tensor:
        return self.accelerator.reduce(tensor, "mean") if self.accelerator is not None else tensor

    def average_gradients(self, module: nn.Module) -> None:
        """Average `module`'s gradients across the processes: for a backward taken outside the
        data-parallel wrapper (a double backward, which the wrapper does not support)."""
        if self.accelerator is None:
            return
        for parameter in module.parameters():
            if parameter.grad is not None:
                torch.distributed.all_reduce(parameter.grad)
                parameter.grad.div_(self.count)

    def any(self, flag: bool) -> bool:
        """True when any process has the flag set (a Stop seen by one process stops them all together)."""
        if self.accelerator is None:
            return flag
        return bool(self.accelerator.reduce(torch.tensor([float(flag)], device=self.device), "sum").item() > 0)

    def wait_for_everyone(self) -> None:
        if self.accelerator is not None:
            self.accelerator.wait_for_everyone()

    def check_in_sync(self, module: nn.Module) -> None:
        """Every process must hold the same weights (data parallelism averages the gradients);
        a mismatch means the run is wrong, so it stops instead of saving one process's view."""
        if self.accelerator is None:
            return
        with torch.no_grad():
            checksum = torch.stack([parameter.double().sum() for parameter in module.parameters()]).sum()
        checksums = self.accelerator.gather(checksum.view(1).to(self.device))
        if not torch.allclose(checksums, checksums[0].expand_as(checksums), rtol=1e-9, atol=0.0):
            raise RuntimeError(f"the {self.count} training processes hold different weights: {checksums.tolist()}")

    def noise_seed(self, seed: int) -> int:
        """Each process draws its own noise; process 0 keeps the single-process seed."""
        return seed + 1_000_003 * self.index
