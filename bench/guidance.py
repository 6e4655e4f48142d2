"""A guided class-conditional diffusion folder, measured: class accuracy and classifier-FID across
guidance scales (the trade-off curve), and how far apart prompted attributes land.

    python bench/guidance.py checkpoints/cddpm-mnist --samples 2000 --scales 0 1 2 4 --json guidance.json

- Accuracy: `--samples` images, the same number of each class, classified by the shipped classifier
  of the folder's dataset.
- Classifier-FID: the first min(samples, test images) of them (class-balanced) against as many
  held-out test images, beside the real-vs-real floor of the same count (`metrics.quality`).
- Attributes (a folder trained with --attributes): for thickness and slant, `--attribute-samples`
  images per class prompted at each extreme bin (the other attribute left to the data), measured
  with `data/attributes.py`; the gap between the extremes' means in pooled standard deviations,
  over all classes together and for the worst class.
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

from genai_demo.data import load_image_dataset  # noqa: E402
from genai_demo.data.attributes import measure  # noqa: E402
from genai_demo.folders.model_folder import load_model_folder  # noqa: E402
from genai_demo.folders.registry import dataset_of_folder  # noqa: E402
from genai_demo.metrics.classifier_fid import class_accuracy, classifier_features, frechet_distance  # noqa: E402
from genai_demo.metrics.quality import shipped_classifier  # noqa: E402

BATCH = 250


def generate(model, labels: torch.Tensor, seed: int, scale: float, sampler: str, steps: int,
             attributes: torch.Tensor | None = None) -> torch.Tensor:
    latents = model.sample_latents(len(labels), seed)
    images = []
    for start in range(0, len(labels), BATCH):
        part = slice(start, start + BATCH)
        images.append(model.generate(latents[part], labels[part], sampler=sampler, num_inference_steps=steps,
                                     seed=seed + start, guidance_scale=scale,
                                     attributes=None if attributes is None else attributes[part]))
    return torch.cat(images)


def pooled_gap(low: torch.Tensor, high: torch.Tensor) -> float:
    """(mean(high) - mean(low)) / pooled standard deviation."""
    pooled = ((low.var(unbiased=True) + high.var(unbiased=True)) / 2).sqrt()
    return float((high.mean() - low.mean()) / pooled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--scales", type=float, nargs="+", default=[0, 1, 2, 4])
    parser.add_argument("--sampler", default="ddim")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--attribute-samples", type=int, default=100, help="per class and extreme (0: skip)")
    parser.add_argument("--attribute-scale", type=float, default=None, help="default: the model's guidance")
    parser.add_argument("--data-source", default="auto")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_grad_enabled(False)

    model = load_model_folder(args.folder).eval()
    dataset = dataset_of_folder(args.folder) or "mnist"
    classifier = load_model_folder(shipped_classifier(dataset)).eval()
    test_set = load_image_dataset(dataset, split="test", source=args.data_source)
    train_set = load_image_dataset(dataset, split="train", source=args.data_source)
    count = min(args.samples, len(test_set))
    real = classifier_features(classifier, test_set.to_training_tensor()[:count])
    spread = torch.linspace(0, len(train_set) - 1, count).long()
    floor = frechet_distance(real, classifier_features(classifier, train_set.to_training_tensor()[spread]))
    labels = torch.arange(args.samples) % model.num_classes
    result = {"folder": str(args.folder), "dataset": dataset, "sampler": args.sampler, "steps": args.steps,
              "samples": args.samples, "fid_images": count, "fid_floor": round(floor, 3), "scales": []}
    print(f"{args.folder}: {args.samples} samples ({args.sampler}, {args.steps} steps); classifier-FID on {count} "
          f"against {count} test images, floor {floor:.2f}")
    for scale in args.scales:
        started = time.perf_counter()
        images = generate(model, labels, args.seed, scale, args.sampler, args.steps)
        accuracy = class_accuracy(classifier, images, labels)
        fid = frechet_distance(real, classifier_features(classifier, images[:count]))
        seconds = time.perf_counter() - started
        result["scales"].append({"guidance": scale, "class_accuracy": round(accuracy, 4),
                                 "classifier_fid": round(fid, 3), "seconds": round(seconds, 1)})
        print(f"guidance {scale:g}: class accuracy {accuracy:.4f}, classifier-FID {fid:.2f} ({seconds:.0f} s)")

    if args.attribute_samples and model.has_attributes:
        scale = args.attribute_scale
        result["attributes"] = {}
        per_class = torch.arange(model.num_classes).repeat_interleave(args.attribute_samples)
        for index, name in enumerate(("thickness", "slant")):
            values = []
            for extreme in (0, 2):
                asked = torch.full((len(per_class), 2), -1)
                asked[:, index] = extreme
                images = generate(model, per_class, args.seed + 1, scale, args.sampler, args.steps, asked)
                values.append(measure(images)[name])
            gaps = [pooled_gap(values[0][per_class == c], values[1][per_class == c]) for c in range(model.num_classes)]
            overall = pooled_gap(values[0], values[1])
            result["attributes"][name] = {"pooled_sd_gap": round(overall, 3), "worst_class_gap": round(min(gaps), 3),
                                          "median_class_gap": round(statistics.median(gaps), 3),
                                          "per_class": [round(gap, 3) for gap in gaps]}
            print(f"{name}: extremes {overall:.2f} pooled SD apart (per class: worst {min(gaps):.2f}, "
                  f"median {statistics.median(gaps):.2f})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
