"""Our step-by-step diffusion sampler vs diffusers' own `DDIMPipeline.__call__`, side by side.

Same weights, same starting noise, same number of DDIM steps, alternating runs in one process;
prints the median times and their ratio (ours / reference: below 1 means we are faster), and
checks that both give the same images.

    python bench/diffusion_sampling.py                       # 64 samples, 20 steps, CPU
    python bench/diffusion_sampling.py --device cuda --steps 50
    python bench/diffusion_sampling.py --model checkpoints/ddpm-mnist
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from diffusers import DDIMPipeline, DDIMScheduler  # noqa: E402

from genai_demo.folders.model_folder import load_model_folder  # noqa: E402
from genai_demo.models.diffusion import DiffusionConfig, DiffusionModel  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="a pipeline folder (default: a random UNet of the shipped ddpm-mnist's shape)")
    parser.add_argument("--num", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    device = torch.device(args.device)
    if args.model:
        model = load_model_folder(args.model, device)
    else:
        torch.manual_seed(0)
        model = DiffusionModel(DiffusionConfig(block_out_channels=[16, 32, 32])).to(device).eval()
    reference = DDIMPipeline(unet=model.unet, scheduler=DDIMScheduler.from_config(model.noise_scheduler.config))
    reference.set_progress_bar_config(disable=True)
    noise = model.sample_latents(args.num, 0)

    def ours() -> torch.Tensor:
        return model.generate(noise, sampler="ddim", num_inference_steps=args.steps)

    def theirs() -> torch.Tensor:
        # DDIMPipeline draws its own noise from the generator: same seed and shape, on the CPU.
        generator = torch.Generator(device="cpu").manual_seed(0)
        images = reference(batch_size=args.num, generator=generator, num_inference_steps=args.steps,
                           eta=0.0, output_type="np").images
        return torch.from_numpy(images).permute(0, 3, 1, 2) * 2 - 1

    def timed(function) -> float:
        if device.type == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        function()
        if device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - started

    ours(), theirs()  # warm-up
    times = {"ours": [], "diffusers DDIMPipeline": []}
    for _ in range(args.repeats):
        times["ours"].append(timed(ours))
        times["diffusers DDIMPipeline"].append(timed(theirs))
    max_difference = (ours().cpu() - theirs()).abs().max().item()
    medians = {name: statistics.median(values) for name, values in times.items()}
    result = {
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "threads": torch.get_num_threads(),
        "samples": args.num,
        "ddim_steps": args.steps,
        "model": str(args.model or "random UNet [16, 32, 32] + attention"),
        "median_seconds": {name: round(value, 3) for name, value in medians.items()},
        "ratio_ours_over_reference": round(medians["ours"] / medians["diffusers DDIMPipeline"], 3),
        "max_pixel_difference": round(max_difference, 5),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
