"""Sample quality measured while an image model trains (`--eval-every N`).

The real side is fixed when the run starts: the frozen classifier's features of a fixed slice of
the test split, and the real-vs-real floor (a spread-out slice of the training split against it),
so each evaluation only generates `num_samples` images from fixed latents and compares them.
"""

from __future__ import annotations

from pathlib import Path

import torch

from genai_demo.data import ImageDataset, load_image_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_folder import load_model_folder
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS
from genai_demo.metrics.classifier_fid import (
    class_accuracy,
    classifier_features,
    frechet_distance,
)
from genai_demo.models import ImageClassifier

DEFAULT_CLASSIFIER = SHIPPED_CHECKPOINTS / "classifier-mnist"
GENERATE_BATCH = 500


def shipped_classifier(dataset_name: str) -> Path:
    """The frozen classifier shipped for `dataset_name` (checkpoints/classifier-<name>), else MNIST's,
    which a classifier-fits check then refuses clearly for images of another shape."""
    folder = SHIPPED_CHECKPOINTS / f"classifier-{dataset_name}"
    return folder if (folder / "config.json").is_file() else DEFAULT_CLASSIFIER


def check_is_classifier(model, folder: str | Path) -> None:
    if not isinstance(model, ImageClassifier):
        raise InvalidInputError(f"{folder} is a {model.model_type}, not a classifier folder")


def check_classifier_fits(classifier, train_set: ImageDataset) -> None:
    """Classifier-FID means something only with a classifier of this data's shape and classes."""
    classifier_shape = (classifier.config.image_channels, classifier.config.image_size, classifier.config.num_classes)
    data_shape = (train_set.image_channels, train_set.image_size, len(train_set.class_names))
    if classifier_shape != data_shape:
        raise InvalidInputError(
            f"classifier-FID needs a classifier for this data: the classifier reads {classifier_shape[0]}x"
            f"{classifier_shape[1]}px images of {classifier_shape[2]} classes; this dataset has {data_shape[0]}x"
            f"{data_shape[1]}px images of {data_shape[2]} classes: train a classifier on it "
            "(`python -m genai_demo train classifier`) and pass its folder"
        )


class ImageQualityProbe:
    """Classifier-FID of a generator against a fixed real slice; shared by `eval` and `--eval-every`."""

    def __init__(self, train_set: ImageDataset, test_set: ImageDataset, classifier, num_samples: int, seed: int):
        check_classifier_fits(classifier, train_set)
        self.count = min(num_samples, len(test_set), len(train_set))
        self.classifier, self.seed = classifier, seed
        self.device = next(classifier.parameters()).device
        self.test_source = test_set.source
        self.real_features = classifier_features(classifier, test_set.to_training_tensor("cpu")[: self.count])
        # A fixed, spread-out subset of the training images, so every class is in the floor.
        spread = torch.linspace(0, len(train_set) - 1, self.count).long()
        floor_features = classifier_features(classifier, train_set.to_training_tensor("cpu")[spread])
        self.floor = frechet_distance(self.real_features, floor_features)

    @classmethod
    def for_training(cls, train_set: ImageDataset, data_source: str, num_samples: int, seed: int,
                     device: torch.device, classifier_dir: str | Path | None = None) -> ImageQualityProbe:
        """The probe of a training run: its dataset's test split and a classifier folder."""
        classifier_dir = classifier_dir or shipped_classifier(train_set.name)
        classifier = load_model_folder(classifier_dir, device)
        check_is_classifier(classifier, classifier_dir)
        check_classifier_fits(classifier, train_set)  # before the test split is looked for
        test_set = load_image_dataset(train_set.name, split="test", source=data_source)
        return cls(train_set, test_set, classifier, num_samples, seed)

    @torch.no_grad()
    def measure(self, generator) -> dict[str, float]:
        """classifier_fid (and class_accuracy for a conditional model) of `count` samples from fixed latents."""
        was_training = generator.training
        generator.eval()
        latents = generator.sample_latents(self.count, self.seed)
        conditional = getattr(generator, "is_conditional", False)
        labels = generator.default_labels(self.count) if conditional else None
        images = []
        for start in range(0, self.count, GENERATE_BATCH):
            batch = [latents[start : start + GENERATE_BATCH].to(self.device)]
            if conditional:
                batch.append(labels[start : start + GENERATE_BATCH].to(self.device))
            images.append(generator.generate(*batch).cpu())
        generator.train(was_training)
        generated = torch.cat(images)
        figures = {"classifier_fid": frechet_distance(self.real_features, classifier_features(self.classifier, generated)),
                   "fid_floor": self.floor}
        if conditional:
            figures["class_accuracy"] = class_accuracy(self.classifier, generated, labels)
        return figures
