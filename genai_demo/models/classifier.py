"""A small LeNet-style classifier (LeCun et al. 1998), the feature extractor of classifier-FID.

Two conv blocks and two linear layers; `features()` returns the penultimate layer, whose
statistics the Fréchet distance compares (the MNIST analogue of Inception features in FID).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from genai_demo.models.config_checks import require_image_size, require_positive


@dataclass
class ClassifierConfig:
    image_channels: int = 1
    image_size: int = 28
    num_classes: int = 10
    conv_features: int = 32
    feature_dim: int = 128  # size of the penultimate layer used by classifier-FID

    def __post_init__(self) -> None:
        require_image_size("classifier", self.image_size)
        require_positive("classifier", self, "image_channels", "num_classes", "conv_features", "feature_dim")


class ImageClassifier(nn.Module):
    model_type = "classifier"
    config_class = ClassifierConfig

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        features = config.conv_features
        self.convolutions = nn.Sequential(
            nn.Conv2d(config.image_channels, features, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(features, features * 2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        flat_size = features * 2 * (config.image_size // 4) ** 2
        self.penultimate = nn.Sequential(nn.Dropout(0.3), nn.Linear(flat_size, config.feature_dim), nn.ReLU())
        self.head = nn.Linear(config.feature_dim, config.num_classes)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """(N, feature_dim) penultimate activations of images in [-1, 1]."""
        return self.penultimate(self.convolutions(images))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))
