import pytest
import torch

from genai_demo.data import load_mnist
from genai_demo.metrics import class_accuracy, classifier_fid, frechet_distance
from genai_demo.training.classifier_trainer import ClassifierTrainer, ClassifierTrainingConfig


def test_frechet_distance_of_known_gaussians():
    generator = torch.Generator().manual_seed(0)
    base = torch.randn(20000, 3, generator=generator, dtype=torch.float64)
    assert frechet_distance(base, base) == pytest.approx(0.0, abs=1e-6)
    shifted = base + torch.tensor([3.0, 0.0, 0.0], dtype=torch.float64)
    assert frechet_distance(base, shifted) == pytest.approx(9.0, rel=1e-3)
    # N(0, I) vs N(0, 4I) in 3-D: 3 * (1 + 4 - 2 * 2) = 3
    assert frechet_distance(base, base * 2) == pytest.approx(3.0, rel=2e-2)  # sampled covariances


def test_too_few_samples():
    with pytest.raises(ValueError, match="at least 2"):
        frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3))


@pytest.fixture(scope="module")
def trained_classifier(tiny_dataset, tmp_path_factory):
    test_set = load_mnist("test", source="embedded")
    trainer = ClassifierTrainer(tiny_dataset, test_set, tmp_path_factory.mktemp("clf") / "classifier",
                                ClassifierTrainingConfig(epochs=4, batch_size=32))
    events = list(trainer.train())
    return trainer.model, test_set, events


def test_classifier_learns_and_separates_real_from_noise(trained_classifier):
    model, test_set, events = trained_classifier
    accuracies = [event.losses["test_accuracy"] for event in events if hasattr(event, "losses")]
    assert accuracies[-1] > 0.8  # 256 training digits, 4 epochs
    losses = [event.losses["loss"] for event in events if hasattr(event, "losses")]
    assert losses[-1] < losses[0]
    real = test_set.to_training_tensor()
    noise = torch.rand(len(real), 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    real_vs_real = classifier_fid(model, real[:250], real[250:])
    real_vs_noise = classifier_fid(model, real[:250], noise[:250])
    assert real_vs_noise > 3 * real_vs_real  # 250 images a side: the floor itself is large
    assert class_accuracy(model, real, test_set.labels) == pytest.approx(accuracies[-1])
