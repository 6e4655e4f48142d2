"""Measure what a style-based GAN claims (issue 28): style mixing and truncation.

    python bench/stylegan.py checkpoints/stylegan-mnist --reference train --json stylegan-mnist.json
    python bench/stylegan.py checkpoints/stylegan-fashion-mnist --dataset fashion-mnist --json stylegan-fashion.json

- **Style mixing**: row seeds 0..N-1 give the coarse styles, column seeds N..2N-1 the fine ones. For
  each crossover layer, the share of the N x N mixed images that the frozen classifier reads as the
  class of their row (coarse) seed's own image, and of their column (fine) seed's; also over the cells
  whose two seeds' images are of different classes only (where the answer is not given away).
- **Truncation**: for each psi, classifier-FID of `--samples` images (as `python -m genai_demo eval`
  measures it, with the same reference and seed) and the class spread: the entropy of the classes
  the classifier reads (log2 10 = 3.32 bits when every class is equally common) and the rarest
  class's share.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genai_demo.data import load_image_dataset  # noqa: E402
from genai_demo.device import resolve_device  # noqa: E402
from genai_demo.generation import load_cached_model  # noqa: E402
from genai_demo.metrics.classifier_fid import predicted_classes  # noqa: E402
from genai_demo.metrics.quality import ImageQualityProbe, shipped_classifier  # noqa: E402


class Truncated:
    """The model as `ImageQualityProbe.measure` calls it, generating with truncation psi."""

    def __init__(self, model, psi: float):
        self.model, self.psi, self.training = model, psi, False
        self.last: list[torch.Tensor] = []

    def eval(self):
        return self

    def train(self, mode: bool = True):
        return self

    def sample_latents(self, count: int, seed: int) -> torch.Tensor:
        return self.model.sample_latents(count, seed)

    def generate(self, latents: torch.Tensor) -> torch.Tensor:
        images = self.model.generate(latents, truncation=self.psi)
        self.last.append(images.cpu())
        return images


def class_spread(classes: torch.Tensor, num_classes: int) -> dict[str, float]:
    shares = torch.bincount(classes, minlength=num_classes).float() / len(classes)
    entropy = -sum(float(p) * math.log2(float(p)) for p in shares if p > 0)
    return {"class_entropy_bits": round(entropy, 3), "rarest_class_share": round(float(shares.min()), 4)}


@torch.no_grad()
def mixing_figures(model, classifier, seeds: int, device) -> list[dict]:
    rows = torch.cat([model.sample_latents(1, seed) for seed in range(seeds)]).to(device)
    cols = torch.cat([model.sample_latents(1, seed) for seed in range(seeds, 2 * seeds)]).to(device)
    row_classes = predicted_classes(classifier, model.generate(rows).cpu())
    col_classes = predicted_classes(classifier, model.generate(cols).cpu())
    coarse_class = row_classes.repeat_interleave(seeds)
    fine_class = col_classes.repeat(seeds)
    differ = coarse_class != fine_class
    results = []
    for crossover in range(1, model.num_ws):
        mixed = model.mix(rows.repeat_interleave(seeds, dim=0), cols.repeat(seeds, 1), crossover)
        read = predicted_classes(classifier, mixed.cpu())
        results.append({
            "crossover": crossover,
            "coarse_layers": f"0-{crossover - 1}" if crossover > 1 else "0",
            "coarse_resolutions": sorted(set(model.layer_resolutions()[:crossover])),
            "cells": len(read),
            "row_class_share": round(float((read == coarse_class).float().mean()), 4),
            "column_class_share": round(float((read == fine_class).float().mean()), 4),
            "cells_of_two_classes": int(differ.sum()),
            "row_class_share_where_classes_differ": round(float((read == coarse_class)[differ].float().mean()), 4),
        })
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data-source", default="auto")
    parser.add_argument("--seeds", type=int, default=10, help="row and column seeds of the mixing grid (default 10)")
    parser.add_argument("--truncations", type=float, nargs="+", default=[0.5, 0.7, 1.0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference", choices=("test", "train"), default="test")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    device = resolve_device(args.device)
    model = load_cached_model(args.model_dir, device)
    classifier = load_cached_model(shipped_classifier(args.dataset), device)
    mixing = mixing_figures(model, classifier, args.seeds, device)
    print(f"style mixing, {args.seeds} x {args.seeds} seeds (rows 0-{args.seeds - 1} coarse, columns "
          f"{args.seeds}-{2 * args.seeds - 1} fine):")
    print(f"{'crossover':>9} {'coarse res.':>12} {'row class':>10} {'col class':>10} {'row class, 2-class cells':>26}")
    for row in mixing:
        print(f"{row['crossover']:>9} {str(row['coarse_resolutions']):>12} {row['row_class_share']:>10.1%} "
              f"{row['column_class_share']:>10.1%} {row['row_class_share_where_classes_differ']:>18.1%} "
              f"of {row['cells_of_two_classes']}")
    train_set = load_image_dataset(args.dataset, split="train", source=args.data_source)
    test_set = load_image_dataset(args.dataset, split="test", source=args.data_source)
    probe = ImageQualityProbe(train_set, test_set, classifier, args.samples, args.seed, args.reference)
    truncation = []
    for psi in args.truncations:
        wrapper = Truncated(model, psi)
        figures = probe.measure(wrapper)
        classes = predicted_classes(classifier, torch.cat(wrapper.last))
        truncation.append({"psi": psi, "classifier_fid": round(figures["classifier_fid"], 3),
                           **({"copy_ratio": round(figures["copy_ratio"], 3)} if "copy_ratio" in figures else {}),
                           **class_spread(classes, len(train_set.class_names))})
    print(f"truncation, {probe.count} samples, seed {args.seed}, reference {args.reference} "
          f"(real-vs-real floor {probe.floor:.2f}):")
    for row in truncation:
        print(f"  psi {row['psi']:<4g} classifier-FID {row['classifier_fid']:8.2f}  class entropy "
              f"{row['class_entropy_bits']:.2f} bits  rarest class {row['rarest_class_share']:.1%}"
              + (f"  copy ratio {row['copy_ratio']:.2f}" if "copy_ratio" in row else ""))
    if args.json:
        args.json.write_text(json.dumps({"model": str(args.model_dir), "mixing": mixing, "truncation": truncation,
                                         "floor": round(probe.floor, 3), "samples": probe.count,
                                         "reference": args.reference, "seed": args.seed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
