"""A fixture of the tab tests (imported by them, not a conftest, so that `from conftest import ...` keeps
meaning tests/conftest.py): a training run as the app lists it, its latest folder and its `best/`."""

from __future__ import annotations

import pytest
import torch

from conftest import TINY_DCGAN
from genai_demo.data import load_image_dataset
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS, user_models_dir
from genai_demo.generation import load_cached_model
from genai_demo.metrics.quality import ImageQualityProbe
from genai_demo.training import GANTrainer, GANTrainingConfig

RUN_NAME = "ui-run"


@pytest.fixture(scope="session")
def run_with_best(mnist_train) -> str:
    """A tiny DCGAN trained in the user models folder with evaluations, so the run folder holds its
    latest checkpoint, its curves and grid, and `best/` (listed as "ui-run/best")."""
    folder = user_models_dir() / RUN_NAME
    if not (folder / "best").is_dir():
        test_set = load_image_dataset("mnist", split="test", source="embedded")
        classifier = load_cached_model(SHIPPED_CHECKPOINTS / "classifier-mnist", torch.device("cpu"))
        probe = ImageQualityProbe(mnist_train, test_set, classifier, 50, 0)
        config = GANTrainingConfig(max_steps=4, batch_size=32, log_every=1, sample_every=1000, save_every=1000,
                                   eval_every=2)
        trainer = GANTrainer(mnist_train, folder, config, model_config=TINY_DCGAN, model_type="dcgan", device="cpu",
                             quality_probe=probe)
        list(trainer.train())
    return RUN_NAME
