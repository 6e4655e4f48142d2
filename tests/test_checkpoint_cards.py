"""Each shipped card's figures are reproduced by `python -m genai_demo eval` (issue: shipped models)."""

import json

import pytest
import torch

from genai_demo.data import dataset_availability
from genai_demo.evaluation import CARD_SECTION_START, evaluate_model_folder
from genai_demo.folders.model_folder import read_model_config
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS

# The fast ones: a diffusion model's 500 samples take minutes on two cores; it is re-checked by hand.
SLOW = {"ddpm"}  # read_model_config names a diffusers pipeline folder "ddpm"
TOLERANCE = {"classifier_fid": 0.02, "class_accuracy": 0.01, "test_accuracy": 0.005, "negative_elbo_nats": 0.005,
             "bits_per_char": 0.005}
FOLDERS = sorted(path for path in SHIPPED_CHECKPOINTS.iterdir() if (path / "eval_results.json").is_file())


def model_type_of(folder):
    return read_model_config(folder)[0]


def test_every_shipped_model_has_measured_figures_in_its_card():
    shipped = {path.name for path in SHIPPED_CHECKPOINTS.iterdir() if path.is_dir()}
    assert {path.name for path in FOLDERS} == shipped
    for folder in FOLDERS:
        recorded = json.loads((folder / "eval_results.json").read_text())
        card = (folder / "README.md").read_text()
        assert CARD_SECTION_START in card, folder.name
        section = card[card.index(CARD_SECTION_START):]
        headline = next(name for name in TOLERANCE if name in recorded)
        assert f"| {recorded[headline]} |" in section, (folder.name, headline)


@pytest.mark.parametrize("folder", [f for f in FOLDERS if model_type_of(f) not in SLOW], ids=lambda path: path.name)
def test_eval_reproduces_the_card(folder):
    recorded = json.loads((folder / "eval_results.json").read_text())
    settings = recorded["settings"]
    available = {name: here for name, here, _ in dataset_availability()}
    if not available.get(settings.get("dataset", "mnist"), True):
        pytest.skip(f"{settings['dataset']} is not on this machine (install dataset-fashion-mnist)")
    measured = evaluate_model_folder(
        folder, SHIPPED_CHECKPOINTS / settings.get("classifier", "classifier-mnist"), settings.get("num_samples", 500),
        settings.get("seed", 0), torch.device("cpu"), dataset_name=settings.get("dataset", "mnist"),
        corpus_name=settings.get("corpus"),
    )
    compared = [name for name in TOLERANCE if name in recorded]
    assert compared, f"{folder.name}: no headline figure in eval_results.json"
    for name in compared:
        assert measured[name] == pytest.approx(recorded[name], rel=TOLERANCE[name]), (folder.name, name)


def test_shipped_models_meet_the_quality_bars():
    """The shipped-models issue's bars, on the figures `eval` cached (which the test above re-measures)."""
    def figures(name):
        return json.loads((SHIPPED_CHECKPOINTS / name / "eval_results.json").read_text())

    dcgan = figures("dcgan-mnist")
    assert dcgan["classifier_fid"] <= 3 * dcgan["real_vs_real_floor"]
    assert figures("cdcgan-mnist")["class_accuracy"] >= 0.95
    assert figures("vae-mnist")["negative_elbo_nats"] <= 100
    ddpm = figures("ddpm-mnist")
    assert ddpm["classifier_fid"] <= 2 * dcgan["classifier_fid"]
    assert ddpm["real_vs_real_floor"] == dcgan["real_vs_real_floor"]  # the same real images: comparable
    tiny_gpt, char_lstm = figures("tiny-gpt-python-code"), figures("char-lstm-python-code")
    assert tiny_gpt["bits_per_char"] < char_lstm["bits_per_char"] < char_lstm["bigram_bits_per_char"]
    assert tiny_gpt["validation_characters"] == char_lstm["validation_characters"]  # the same held-out text
