import pytest
import torch

from genai_demo.models import ClassifierConfig, ImageClassifier


def test_logits_and_features_shapes():
    model = ImageClassifier(ClassifierConfig(feature_dim=16))
    images = torch.rand(3, 1, 28, 28) * 2 - 1
    assert model(images).shape == (3, 10)
    assert model.features(images).shape == (3, 16)
    assert (model.features(images) >= 0).all()  # after ReLU


def test_invalid_config():
    with pytest.raises(ValueError, match="classifier image_size"):
        ClassifierConfig(image_size=10)
