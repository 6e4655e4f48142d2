"""Model families: pure torch modules and their config dataclasses, nothing about training."""

from genai_demo.models.classifier import ClassifierConfig, ImageClassifier
from genai_demo.models.gan import DCGAN, MLPGAN, DCGANConfig, GANPair, MLPGANConfig

# model_type (as written in a folder's config.json) -> the class that rebuilds it
MODEL_CLASSES = {model_class.model_type: model_class for model_class in (DCGAN, MLPGAN, ImageClassifier)}
# Families whose folders generate images from latents (the Images tab lists these).
GAN_CLASSES = {model_class.model_type: model_class for model_class in (DCGAN, MLPGAN)}

__all__ = [
    "DCGAN",
    "GAN_CLASSES",
    "MLPGAN",
    "MODEL_CLASSES",
    "ClassifierConfig",
    "DCGANConfig",
    "GANPair",
    "ImageClassifier",
    "MLPGANConfig",
]
