"""The shipped model folders: small, loadable from the folder alone, and generating digits."""

import pytest

from conftest import REPO_ROOT
from genai_demo.hub import load_model_folder
from genai_demo.folders.registry import discover_models
from genai_demo.models import IMAGE_GENERATOR_CLASSES
from genai_demo.text_generation import SamplingSettings, stream_text

SHIPPED = sorted(path for path in (REPO_ROOT / "checkpoints").iterdir() if path.is_dir())
MAX_FOLDER_BYTES = 8 * 1024 * 1024


def test_expected_models_are_shipped():
    expected = {"dcgan-mnist", "cdcgan-mnist", "mlp-gan-mnist", "wgan-gp-mnist", "vae-mnist", "classifier-mnist",
                "ddpm-mnist", "tiny-gpt-python-code", "char-lstm-python-code", "tiny-gpt-tang-poems",
                "classifier-fashion-mnist", "dcgan-fashion-mnist", "cdcgan-fashion-mnist",
                "ddpm-fashion-mnist", "cddpm-mnist", "cddpm-fashion-mnist", "stylegan-mnist", "stylegan-fashion-mnist"}
    assert expected <= {path.name for path in SHIPPED}
    assert {entry.name for entry in discover_models([REPO_ROOT / "checkpoints"])} == {path.name for path in SHIPPED}


@pytest.mark.parametrize("folder", SHIPPED, ids=lambda path: path.name)
def test_shipped_folder(folder):
    assert sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) <= MAX_FOLDER_BYTES
    assert not list(folder.glob("training_state.*")), "resume state is not shipped (it triples the size)"
    assert (folder / "README.md").read_text().startswith("---\n")
    model = load_model_folder(folder)
    if model.model_type in ("char-lstm", "causal-lm"):
        settings = SamplingSettings(max_new_tokens=60, temperature=0.5, seed=0)
        if "tang" in folder.name:
            # Tang poems: Chinese characters and the poems' full-width punctuation.
            text = list(stream_text(model, "《", settings))[-1]
            assert sum("\u4e00" <= character <= "\u9fff" for character in text) >= 10
            assert "，" in text or "。" in text
        else:
            # Python sources: ASCII text with Python's punctuation, not noise.
            text = list(stream_text(model, "def ", settings))[-1]
            assert len(text) >= 30
            assert sum(character.isascii() for character in text) / len(text) > 0.95
            assert sum(text.count(mark) for mark in "():=.,") >= 3
        return
    if model.model_type in (*IMAGE_GENERATOR_CLASSES, "ddpm"):
        images = model.generate(model.sample_latents(16, seed=0))
        assert images.shape == (16, 1, 28, 28)
        assert images.min() >= -1 and images.max() <= 1
        # Digits or clothes (real Fashion-MNIST: 59% of pixels below -0.5, 18% above 0.5): mostly dark
        # background with bright strokes, and not all the same picture.
        assert (images < -0.5).float().mean() > 0.5
        assert (images > 0.5).float().mean() > 0.05
        assert images.std(dim=0).mean() > 0.2


def test_a_shipped_conditional_diffusion_folder_carries_the_current_pipeline_class():
    """The pipeline file a class-conditional folder carries is the package's, not a stale copy."""
    source = (REPO_ROOT / "genai_demo" / "folders" / "class_conditional_pipeline.py").read_text()
    carried = [folder for folder in SHIPPED if (folder / "class_conditional_pipeline.py").is_file()]
    assert carried and all((folder / "class_conditional_pipeline.py").read_text() == source for folder in carried)
