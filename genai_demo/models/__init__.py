"""Model families: pure torch modules and their config dataclasses, nothing about training."""

from genai_demo.models.classifier import ClassifierConfig, ImageClassifier
from genai_demo.models.gan import DCGAN, DCGANConfig

# model_type (as written in a folder's config.json) -> the class that rebuilds it
MODEL_CLASSES = {model_class.model_type: model_class for model_class in (DCGAN, ImageClassifier)}

__all__ = ["DCGAN", "ClassifierConfig", "DCGANConfig", "ImageClassifier", "MODEL_CLASSES"]
