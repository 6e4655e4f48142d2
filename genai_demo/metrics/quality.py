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


REFERENCES = ("test", "train")
COPY_CHECK_IMAGES = 500  # generated and held-out images whose nearest training image is looked up


def nearest_distances(images: torch.Tensor, train_images: torch.Tensor, chunk: int = 250) -> torch.Tensor:
    """Each image's pixel (L2) distance to its nearest training image."""
    flat_train = train_images.flatten(1).float()
    return torch.cat([torch.cdist(batch.flatten(1).float(), flat_train).min(dim=1).values
                      for batch in images.split(chunk)])


def copy_ratio(generated: torch.Tensor, train_images: torch.Tensor, held_out: torch.Tensor) -> float:
    """Median distance from a generated image to its nearest training image over the same for
    held-out real images: about 1 when the model draws new images as far from its training set as
    fresh data lies, well under 1 when it copies training images."""
    count = min(COPY_CHECK_IMAGES, len(generated), len(held_out))
    generated_distance = nearest_distances(generated[:count], train_images).median()
    held_out_distance = nearest_distances(held_out[:count], train_images).median()
    return float(generated_distance / held_out_distance.clamp_min(1e-12))


class ImageQualityProbe:
    """Classifier-FID of a generator against a fixed real slice; shared by `eval` and `--eval-every`.

    `reference` "test" (the default) compares with the held-out split and puts a spread-out slice of
    the training images beside it as the floor. "train" compares with every other training image and
    takes the images between them as the floor: for more images than the test split holds (embedded
    MNIST holds 500 test digits, and FID at 500 is too noisy to rank models), to be read with the
    copy check (`copy_ratio`, which `measure` adds), since a model that copied its training images
    would score well against them.
    """

    def __init__(self, train_set: ImageDataset, test_set: ImageDataset, classifier, num_samples: int, seed: int,
                 reference: str = "test"):
        check_classifier_fits(classifier, train_set)
        if reference not in REFERENCES:
            raise InvalidInputError(f"unknown reference {reference!r}: use one of {', '.join(REFERENCES)}")
        self.classifier, self.seed, self.reference = classifier, seed, reference
        self.device = next(classifier.parameters()).device
        self.train_images = train_set.to_training_tensor("cpu")
        self.held_out = test_set.to_training_tensor("cpu")
        if reference == "train":
            real, floor_images = self.train_images[0::2], self.train_images[1::2]
            self.count = min(num_samples, len(floor_images))
            real, floor_images = real[: self.count], floor_images[: self.count]
            self.test_source = f"{train_set.source}: every other training image"
        else:
            self.count = min(num_samples, len(test_set), len(train_set))
            real = self.held_out[: self.count]
            # A fixed, spread-out subset of the training images, so every class is in the floor.
            floor_images = self.train_images[torch.linspace(0, len(train_set) - 1, self.count).long()]
            self.test_source = test_set.source
        self.real_features = classifier_features(classifier, real)
        self.floor = frechet_distance(self.real_features, classifier_features(classifier, floor_images))

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
        """classifier_fid (and class_accuracy for a conditional model) of `count` samples from fixed
        latents; against the training images, also `copy_ratio`."""
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
        if self.reference == "train":
            figures["copy_ratio"] = copy_ratio(generated, self.train_images, self.held_out)
        return figures
