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


class _Replayer(torch.nn.Module):
    """A "generator" that returns given images: training images (a copier) or held-out ones."""

    is_conditional = False

    def __init__(self, images):
        super().__init__()
        self.images = images

    def sample_latents(self, count, seed):
        return torch.arange(count)

    def generate(self, indices):
        return self.images[indices]


def test_against_training_images_the_probe_goes_past_the_test_split_and_catches_a_copier():
    from genai_demo.data import load_image_dataset
    from genai_demo.metrics.quality import DEFAULT_CLASSIFIER

    train = load_image_dataset("mnist", split="train", source="embedded")
    test = load_image_dataset("mnist", split="test", source="embedded")
    classifier = load_model_folder(DEFAULT_CLASSIFIER)
    probe = ImageQualityProbe(train, test, classifier, num_samples=1000, seed=0, reference="train")
    assert probe.count == 1000 > len(test)  # the test split holds 500 digits
    assert ImageQualityProbe(train, test, classifier, num_samples=1000, seed=0).count == len(test)
    training_images, held_out = train.to_training_tensor("cpu"), test.to_training_tensor("cpu")
    copier = probe.measure(_Replayer(training_images[1::2]))  # the floor's own images: FID == floor
    assert copier["classifier_fid"] == pytest.approx(probe.floor, rel=1e-5)
    assert copier["copy_ratio"] < 0.01  # every image is a training image (0 but for rounding)
    fresh = probe.measure(_Replayer(torch.cat([held_out, held_out.flip(-1)])))  # new images, half mirrored
    assert 0.8 < fresh["copy_ratio"] < 1.25 and fresh["classifier_fid"] > copier["classifier_fid"]
    with pytest.raises(InvalidInputError, match="unknown reference 'valid'"):
        ImageQualityProbe(train, test, classifier, num_samples=100, seed=0, reference="valid")
