"""`python -m genai_demo eval-repair`: each repair task and method measured on held-out images.

For each case (a task with its damage: the lower half hidden, a centre box hidden, x4 and x2
down-scaling, Gaussian noise of sigma 0.5) and each method the model offers (its own and the plain
baseline): label agreement (the frozen classifier reads the repaired image as it reads the
original), PSNR and SSIM where the damage was (the hidden pixels; the whole image for the others),
and seconds per image, the images repaired in batches on this machine.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch

from genai_demo import repair
from genai_demo.data import load_image_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.generation import load_cached_model
from genai_demo.metrics.quality import shipped_classifier
from genai_demo.metrics.classifier_fid import predicted_classes
from genai_demo.metrics.repair import psnr, ssim


@dataclass(frozen=True)
class RepairCase:
    name: str
    task: str
    mask: str | None = None
    scale: int = 4
    sigma: float = 0.5


CASES = {case.name: case for case in (
    RepairCase("inpaint-lower-half", "inpaint", mask="lower-half"),
    RepairCase("inpaint-centre-box", "inpaint", mask="centre-box"),
    RepairCase("upscale-x4", "upscale", scale=4),
    RepairCase("upscale-x2", "upscale", scale=2),
    RepairCase("denoise-0.5", "denoise", sigma=0.5),
)}
REPAIR_BATCH = 100


def held_out_images(dataset: str, data_source: str, count: int) -> torch.Tensor:
    """`count` test images spread over the split (every class, not the first few sorted ones)."""
    test_set = load_image_dataset(dataset, split="test", source=data_source)
    images = test_set.to_training_tensor("cpu")
    return images[torch.linspace(0, len(images) - 1, min(count, len(images))).long()]


def damage(case: RepairCase, images: torch.Tensor, seed: int) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    """(what the method is given, the known mask or None, the region where the damage was)."""
    if case.task == "inpaint":
        known = repair.named_mask(case.mask, images.shape[-1], len(images), seed)
        return repair.hide(images, known), known, 1 - known
    whole = torch.ones_like(images[:, :1])
    if case.task == "upscale":
        return repair.downsample(images, case.scale), None, whole
    return repair.add_noise(images, case.sigma, seed), None, whole


def evaluate_repairs(model_dir: str | Path, dataset: str = "mnist", data_source: str = "auto", num: int = 500,
                     cases: list[str] | None = None, methods: list[str] | None = None, seed: int = 0,
                     steps: int = 50, device: torch.device | str = "cpu", progress=None, jump_length: int = 5,
                     jump_n_sample: int = 5, candidates: int = 1) -> list[dict]:
    """A row per (case, method): label agreement, PSNR and SSIM on the damaged region, seconds per image.
    With `candidates` K > 1 the model's methods keep the consensus of K repairs (`repair.consensus`)."""
    unknown = sorted(set(cases or ()) - set(CASES))
    if unknown:
        raise InvalidInputError(f"unknown repair case {unknown[0]!r}: choose from {', '.join(CASES)}")
    model = load_cached_model(model_dir, device)
    repair.check_image_generator(model, model_dir)
    classifier = load_cached_model(shipped_classifier(dataset), device)
    originals = held_out_images(dataset, data_source, num)
    read_as = predicted_classes(classifier, originals)
    rows = []
    for name in cases or list(CASES):
        case = CASES[name]
        damaged, known, region = damage(case, originals, seed)
        for method in methods or repair.methods_for(model, case.task):
            if method not in repair.methods_for(model, case.task):
                continue
            if progress:
                progress(f"{name}: {method}")
            started = time.perf_counter()
            repaired = torch.cat([
                repair.finish(repair.run_repair(
                    model, case.task, damaged[start : start + REPAIR_BATCH].to(device),
                    None if known is None else known[start : start + REPAIR_BATCH].to(device), method,
                    case.scale, case.sigma, seed=seed + start, steps=steps, jump_length=jump_length,
                    jump_n_sample=jump_n_sample, candidates=candidates)).cpu()
                for start in range(0, len(originals), REPAIR_BATCH)])
            seconds = time.perf_counter() - started
            rows.append({
                "case": name, "method": method, "images": len(originals),
                "candidates": 1 if method == repair.BASELINES[case.task] else candidates,
                "label_agreement": round((predicted_classes(classifier, repaired) == read_as).float().mean().item(), 4),
                "psnr_db": round(psnr(repaired, originals, region).mean().item(), 2),
                "ssim": round(ssim(repaired, originals, region).mean().item(), 4),
                "seconds_per_image": round(seconds / len(originals), 4),
            })
    return rows
