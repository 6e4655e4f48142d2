"""How far can any repair go on label agreement? A classifier trained on the damaged digits themselves.

    python bench/repair_ceiling.py --cases inpaint-lower-half inpaint-centre-box upscale-x4 --json ceiling.json

`eval-repair` measures label agreement: the shipped classifier reads the repaired image as it reads
the original. A repair followed by that classifier is itself a classifier of the damaged image, so it
can do no better than the best such classifier (the Bayes rate of the damaged digits). This script
estimates that rate from below: a small CNN trained, on the training split damaged as each case
damages it (shifted by up to 2 px before the damage, for more variety), to predict what the shipped
classifier reads in the undamaged image; then measured on the same held-out images as `eval-repair`
(its first `--num`). It is an estimate, not a bound: a larger training set or a better network could
read the damaged digits better.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genai_demo.data import load_image_dataset  # noqa: E402
from genai_demo.generation import load_cached_model  # noqa: E402
from genai_demo.metrics.classifier_fid import predicted_classes  # noqa: E402
from genai_demo.metrics.quality import shipped_classifier  # noqa: E402
from genai_demo.repair_evaluation import CASES, damage, held_out_images  # noqa: E402
from genai_demo import repair  # noqa: E402


def as_seen(case, images: torch.Tensor) -> torch.Tensor:
    """What a repair of `case` is given, at full size (an up-scale's small image repeated back up)."""
    damaged, _, _ = damage(case, images, seed=0)
    return repair.upsample(damaged, case.scale) if case.task == "upscale" else damaged


def network() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.3),
        nn.Linear(64 * 49, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def ceiling(case_name: str, train: torch.Tensor, train_read: torch.Tensor, test: torch.Tensor, test_read: torch.Tensor,
            epochs: int, seed: int) -> dict:
    case = CASES[case_name]
    torch.manual_seed(seed)
    model = network()
    optimizer = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=1e-4)
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train))
        for start in range(0, len(train), 64):
            batch = order[start : start + 64]
            shift = torch.randint(-2, 3, (2,))
            images = torch.roll(train[batch], (int(shift[0]), int(shift[1])), (2, 3))
            loss = F.cross_entropy(model(as_seen(case, images)), train_read[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        agreement = (model(as_seen(case, test)).argmax(1) == test_read).float().mean().item()
    return {"case": case_name, "images": len(test), "training_images": len(train), "epochs": epochs,
            "label_agreement": round(agreement, 4), "seconds": round(time.perf_counter() - started, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["inpaint-lower-half", "inpaint-centre-box", "upscale-x4"],
                        choices=sorted(CASES))
    parser.add_argument("--num", type=int, default=500, help="held-out images (default 500, as eval-repair)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--train-images", type=int, default=None,
                        help="N training digits drawn at random with --seed (default: all); the split is sorted by class")
    parser.add_argument("--data-source", default="auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)  # the same figures on any machine
    classifier = load_cached_model(shipped_classifier("mnist"), "cpu")
    train = load_image_dataset("mnist", split="train", source=args.data_source).to_training_tensor("cpu")
    if args.train_images is not None:  # at random: the first N of a split sorted by class would be 0s, 1s and 2s
        train = train[torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed))[: args.train_images]]
    test = held_out_images("mnist", args.data_source, args.num)
    train_read, test_read = predicted_classes(classifier, train), predicted_classes(classifier, test)
    rows = []
    for name in args.cases:
        rows.append(ceiling(name, train, train_read, test, test_read, args.epochs, args.seed))
        print(json.dumps(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
