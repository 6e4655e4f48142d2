"""What each training speed-up buys on the DCGAN step, one at a time and together.

    python bench/speedups.py --device cpu [--compile] [--json FILE]
    python bench/speedups.py --device cuda --compile
    python bench/speedups.py --quick     # tiny sizes: checks that every variant still runs

Each variant is the pytorch/examples DCGAN step (the reference of bench/run.py) with some of the
trainer's speed-ups switched on: D frozen in the generator's step (no weight gradients that the
next zero_grad throws away), NHWC tensors (channels_last), fused Adam, bfloat16 autocast (CUDA,
and CPUs with bfloat16 instructions) and torch.compile (with --compile; its compile time is
reported apart). Variants alternate within each repeat; the figure is the median samples/s, and
`ratio` is over the reference.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from genai_demo.device import has_fast_bfloat16  # noqa: E402
from genai_demo.models import DCGANConfig  # noqa: E402
from genai_demo.models.gan import DCGAN  # noqa: E402
from genai_demo.training.gan_trainer import frozen  # noqa: E402
from run import report  # noqa: E402 (bench/run.py, beside this file)

VARIANTS = {  # name -> the speed-ups it switches on
    "reference": set(),
    "+ frozen D in G's step": {"frozen"},
    "+ channels_last": {"channels_last"},
    "+ fused Adam": {"fused"},
    "all three (our trainer)": {"frozen", "channels_last", "fused"},
}
BFLOAT16_VARIANTS = {"all three + bf16 autocast": {"frozen", "channels_last", "fused", "autocast"}}
COMPILE_VARIANTS = {"all + torch.compile": {"frozen", "channels_last", "fused", "compile"}}


def build_step(speedups: set[str], device: torch.device, batch: int):
    """A DCGAN training step with the given speed-ups, over fixed random data on the device."""
    torch.manual_seed(0)
    model = DCGAN(DCGANConfig()).to(device)
    memory_format = torch.channels_last if "channels_last" in speedups else torch.contiguous_format
    model.to(memory_format=memory_format)
    options = {"fused": True} if "fused" in speedups else {}
    optimizer_g = torch.optim.Adam(model.generator.parameters(), 2e-4, (0.5, 0.999), **options)
    optimizer_d = torch.optim.Adam(model.discriminator.parameters(), 2e-4, (0.5, 0.999), **options)
    generator, discriminator = model.generator, model.discriminator
    if "compile" in speedups:
        generator, discriminator = torch.compile(generator), torch.compile(discriminator)
    real = (torch.rand(batch, 1, 28, 28, device=device) * 2 - 1).contiguous(memory_format=memory_format)
    autocast = torch.autocast(device.type, torch.bfloat16, enabled="autocast" in speedups)

    def step() -> None:
        with autocast:
            fake = generator(torch.randn(batch, 100, 1, 1, device=device))
            real_logits, fake_logits = discriminator(real).float(), discriminator(fake.detach()).float()
        d_loss = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
        d_loss = d_loss + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
        optimizer_d.zero_grad(set_to_none=True)
        d_loss.backward()
        optimizer_d.step()
        freezing = frozen(model.discriminator) if "frozen" in speedups else contextlib.nullcontext()
        with autocast, freezing:
            fooled_logits = discriminator(fake).float()
        g_loss = F.binary_cross_entropy_with_logits(fooled_logits, torch.ones_like(fooled_logits))
        optimizer_g.zero_grad(set_to_none=True)
        g_loss.backward()
        optimizer_g.step()

    return step


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile (compiles first)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: every variant runs, figures mean little")
    parser.add_argument("--json", type=Path, default=None, help="write the rows to this JSON file")
    args = parser.parse_args()
    device = torch.device(args.device)
    batch, steps, repeats = (8, 2, 1) if args.quick else (64, 20, 3)
    variants = dict(VARIANTS)
    if has_fast_bfloat16(device):  # CUDA, or a CPU with bfloat16 instructions
        variants.update(BFLOAT16_VARIANTS)
    if args.compile:
        variants.update(COMPILE_VARIANTS)

    steps_by_name, setup_seconds = {}, {}
    for name, speedups in variants.items():
        started = time.perf_counter()
        step = build_step(speedups, device, batch)
        for _ in range(2):  # warm-up (and compilation)
            step()
        sync(device)
        steps_by_name[name], setup_seconds[name] = step, time.perf_counter() - started
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, step in steps_by_name.items():
            sync(device)
            started = time.perf_counter()
            for _ in range(steps):
                step()
            sync(device)
            rates[name].append(steps * batch / (time.perf_counter() - started))

    reference = statistics.median(rates["reference"])
    rows = [{"name": name, "samples_per_second": round(statistics.median(values), 1),
             "ratio": round(statistics.median(values) / reference, 3), "setup_seconds": round(setup_seconds[name], 1),
             "device": str(device), "batch": batch, "threads": torch.get_num_threads()}
            for name, values in rates.items()]
    report(rows, [("samples_per_second", ">18", ">18.1f"), ("ratio", ">7", ">7.3f"), ("setup_seconds", ">13", ">13.1f")],
           args.json, caption=f"  (DCGAN 28x28, batch {batch}, {device}, {torch.get_num_threads()} threads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
