"""Each shipped card's figures are reproduced by `python -m genai_demo eval` (issue: shipped models),
and meet the shipped-models issue's quality bars."""

import json

import pytest
import torch

from conftest import skip_without_debian_data
from genai_demo.evaluation import CARD_SECTION_START, evaluate_model_folder
from genai_demo.folders.model_folder import read_model_config
from genai_demo.folders.registry import SHIPPED_CHECKPOINTS

TOLERANCE = {"classifier_fid": 0.02, "class_accuracy": 0.01, "test_accuracy": 0.005, "negative_elbo_nats": 0.005,
             "bits_per_char": 0.005}
FOLDERS = sorted(path for path in SHIPPED_CHECKPOINTS.iterdir() if path.is_dir())


def recorded_figures(name: str) -> dict:
    return json.loads((SHIPPED_CHECKPOINTS / name / "eval_results.json").read_text())


def check_quality_bar(name: str, measured: dict) -> None:
    """The shipped-models issue's bars, on the figures just measured. A bar relative to another
    shipped model uses that model's recorded figures, which its own case re-measures."""
    if name == "classifier-mnist":
        assert measured["test_accuracy"] > 0.95
    elif name == "dcgan-mnist":
        assert measured["classifier_fid"] <= 3 * measured["real_vs_real_floor"]
    elif name == "cdcgan-mnist":
        assert measured["class_accuracy"] >= 0.95
    elif name == "vae-mnist":
        assert measured["negative_elbo_nats"] <= 100
    elif name == "ddpm-mnist":
        dcgan = recorded_figures("dcgan-mnist")
        assert measured["real_vs_real_floor"] == dcgan["real_vs_real_floor"]  # the same real images: comparable
        assert measured["classifier_fid"] <= 2 * dcgan["classifier_fid"]
    elif name == "stylegan-mnist":
        # Issue 28: at or below the DCGAN at 2,000 samples (27.7 at seed 0 against the training digits,
        # measured with the same command; the DCGAN's own card records its 500-sample figure), not copying.
        assert measured["classifier_fid"] <= 27.7 and measured["copy_ratio"] > 0.9
    elif name == "stylegan-fashion-mnist":
        assert measured["classifier_fid"] <= 31.4  # dcgan-fashion-mnist at 2,000 samples, seed 0
    elif name == "char-lstm-python-code":
        assert measured["bits_per_char"] < measured["bigram_bits_per_char"]
    elif name == "tiny-gpt-python-code":
        char_lstm = recorded_figures("char-lstm-python-code")
        assert measured["validation_characters"] == char_lstm["validation_characters"]  # the same held-out text
        assert measured["bits_per_char"] < char_lstm["bits_per_char"]


def eval_case(folder):
    # A diffusion model's 500 samples take minutes on two cores: those cases are opt-in.
    is_diffusion = read_model_config(folder)[0] == "ddpm"  # read_model_config names a pipeline folder "ddpm"
    return pytest.param(folder, id=folder.name, marks=[pytest.mark.slow] if is_diffusion else [])


@pytest.mark.parametrize("folder", [eval_case(folder) for folder in FOLDERS])
def test_eval_reproduces_the_card(folder):
    recorded = json.loads((folder / "eval_results.json").read_text())
    settings = recorded["settings"]
    skip_without_debian_data(dataset=settings.get("dataset"), corpus=settings.get("corpus"))
    measured = evaluate_model_folder(
        folder, SHIPPED_CHECKPOINTS / settings.get("classifier", "classifier-mnist"), settings.get("num_samples", 500),
        settings.get("seed", 0), torch.device("cpu"), dataset_name=settings.get("dataset", "mnist"),
        corpus_name=settings.get("corpus"), reference=settings.get("reference", "test"),
    )
    compared = [name for name in TOLERANCE if name in recorded]
    assert compared, f"{folder.name}: no headline figure in eval_results.json"
    for name in compared:
        assert measured[name] == pytest.approx(recorded[name], rel=TOLERANCE[name]), (folder.name, name)
    card = (folder / "README.md").read_text()
    assert CARD_SECTION_START in card, folder.name
    assert f"| {recorded[compared[0]]} |" in card[card.index(CARD_SECTION_START):]  # the card shows that figure
    check_quality_bar(folder.name, measured)
