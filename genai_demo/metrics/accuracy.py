"""Test accuracy of an image classifier (the frozen classifier that classifier-FID uses)."""

from __future__ import annotations

import torch

from genai_demo.data import ImageDataset
from genai_demo.models import ImageClassifier


@torch.no_grad()
def classification_accuracy(model: ImageClassifier, dataset: ImageDataset, device: torch.device) -> float:
    model.eval()
    predictions = model(dataset.to_training_tensor(device)).argmax(dim=1).cpu()
    return (predictions == dataset.labels).float().mean().item()
