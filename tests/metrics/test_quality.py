"""--eval-every: classifier-FID while a model trains, and the best checkpoint kept beside the latest."""

import pytest
import torch
from safetensors import safe_open

from conftest import TINY_CONFIGS
from genai_demo.data import ImageDataset
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_folder import load_model_folder
from genai_demo.folders.registry import discover_models
from genai_demo.training import GANTrainer, GANTrainingConfig
from genai_demo.metrics_log import read_metrics
from genai_demo.metrics.quality import ImageQualityProbe


@pytest.fixture(scope="module")
def probe(tiny_dataset):
    return ImageQualityProbe.for_training(tiny_dataset, "embedded", num_samples=200, seed=0, device=torch.device("cpu"))


def test_metric_rows_at_the_right_steps_and_the_best_checkpoint_is_the_best(tiny_dataset, tmp_path, probe):
    config = GANTrainingConfig(max_steps=12, batch_size=32, log_every=5, sample_every=100, save_every=100, eval_every=4)
    trainer = GANTrainer(tiny_dataset, tmp_path / "run", config, model_config=TINY_CONFIGS["dcgan"],
                         model_type="dcgan", quality_probe=probe)
    list(trainer.train())
    records = read_metrics(tmp_path / "run")
    measured = {record["step"]: record["classifier_fid"] for record in records if "classifier_fid" in record}
    assert sorted(measured) == [4, 8, 12]
    assert [record["step"] for record in records] == [4, 5, 8, 10, 12]  # loss rows every 5 steps, and at each eval
    assert all(record["fid_floor"] == pytest.approx(probe.floor) for record in records if "classifier_fid" in record)
    assert 0 < probe.floor < min(measured.values())  # real data beats an untrained generator

    best_step = min(measured, key=measured.get)
    best_folder = tmp_path / "run" / "best"
    with safe_open(best_folder / "model.safetensors", "pt") as weights:
        assert weights.metadata()["step"] == str(best_step)
    # The kept model really is the one that scored best: measuring it again gives the same figure.
    again = probe.measure(load_model_folder(best_folder))["classifier_fid"]
    assert again == pytest.approx(measured[best_step], rel=1e-6)
    names = [entry.name for entry in discover_models([tmp_path])]
    assert names == ["run", "run/best"]  # "use latest" and "use best" in the generate tabs


def test_a_dataset_the_classifier_cannot_read_is_a_clear_error(tiny_dataset):
    colour = ImageDataset(name="my-pictures", split="train", images=torch.zeros(8, 3, 32, 32, dtype=torch.uint8),
                          labels=torch.zeros(8, dtype=torch.long), class_names=["all"], source="test")
    with pytest.raises(InvalidInputError, match="reads 1x28px images of 10 classes; this dataset has 3x32px"):
        ImageQualityProbe.for_training(colour, "auto", 100, 0, torch.device("cpu"))
