"""The shipped model folders: small, loadable from the folder alone, and generating digits."""

import pytest
import torch

from conftest import REPO_ROOT
from genai_demo.hub import load_model_folder
from genai_demo.hub.registry import discover_models
from genai_demo.models import IMAGE_GENERATOR_CLASSES

SHIPPED = sorted(path for path in (REPO_ROOT / "checkpoints").iterdir() if path.is_dir())
MAX_FOLDER_BYTES = 8 * 1024 * 1024


def test_expected_models_are_shipped():
    assert {"dcgan-mnist", "cdcgan-mnist", "mlp-gan-mnist", "vae-mnist", "classifier-mnist"} <= {path.name for path in SHIPPED}
    assert {entry.name for entry in discover_models([REPO_ROOT / "checkpoints"])} == {path.name for path in SHIPPED}


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda path: path.name)
def test_shipped_folder(folder):
    assert sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) <= MAX_FOLDER_BYTES
    assert not list(folder.glob("training_state.*")), "resume state is not shipped (it triples the size)"
    assert (folder / "README.md").read_text().startswith("---\n")
    model = load_model_folder(folder)
    if model.model_type in IMAGE_GENERATOR_CLASSES:
        images = model.generate(model.sample_latents(16, seed=0))
        assert images.shape == (16, 1, 28, 28)
        assert images.min() >= -1 and images.max() <= 1
        # Digits: mostly dark background with bright strokes, and not all the same picture.
        assert (images < -0.5).float().mean() > 0.5
        assert (images > 0.5).float().mean() > 0.05
        assert images.std(dim=0).mean() > 0.2
