"""The classifier trains through the one loop: per-epoch accuracy, a loadable folder, exact resume."""

import threading

import pytest
import torch

from genai_demo.data import ImageDataset
from genai_demo.errors import CheckpointError
from genai_demo.folders.model_folder import load_model_folder
from genai_demo.metrics_log import read_metrics
from genai_demo.training.classifier_trainer import ClassifierTrainer, ClassifierTrainingConfig
from genai_demo.training.events import FinishedEvent, ProgressEvent


@pytest.fixture(scope="module")
def test_set(tiny_dataset) -> ImageDataset:
    return ImageDataset(name="mnist", split="test", images=tiny_dataset.images[:64].clone(),
                        labels=tiny_dataset.labels[:64].clone(), class_names=tiny_dataset.class_names,
                        source="test subset", hub_dataset_id=None)


def _train(train_set, test_set, folder, epochs, resume=False, stop_after_step=None):
    stop = threading.Event()
    trainer = ClassifierTrainer(train_set, test_set, folder, ClassifierTrainingConfig(epochs=epochs, batch_size=64),
                                stop_event=stop, resume=resume)
    events = []
    for event in trainer.train():
        events.append(event)
        if isinstance(event, ProgressEvent) and event.step == stop_after_step:
            stop.set()
    return trainer, events


def test_one_progress_event_per_epoch_and_a_loadable_folder(tiny_dataset, test_set, tmp_path):
    trainer, events = _train(tiny_dataset, test_set, tmp_path, epochs=2)
    progress = [event for event in events if isinstance(event, ProgressEvent)]
    assert [(event.step, event.epoch) for event in progress] == [(4, 1), (8, 2)]  # 256 images, batch 64
    assert set(progress[0].losses) == {"loss", "test_accuracy"}
    assert [record["step"] for record in read_metrics(tmp_path)] == [4, 8]
    assert isinstance(events[-1], FinishedEvent) and not events[-1].stopped
    assert trainer.config.learning_rate == 1e-3  # the family's default
    loaded = load_model_folder(tmp_path)
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(tensor, loaded.state_dict()[name]), name
    assert f"| test accuracy | {progress[-1].losses['test_accuracy']:.4f} |" in (tmp_path / "README.md").read_text()


def test_a_stopped_run_resumes_to_the_weights_of_one_run(tiny_dataset, test_set, tmp_path):
    """Dropout's generator and the epoch shuffles carry over: resuming equals one run."""
    straight, _ = _train(tiny_dataset, test_set, tmp_path / "straight", epochs=3)
    _, events = _train(tiny_dataset, test_set, tmp_path / "split", epochs=3, stop_after_step=4)
    assert events[-1].stopped and events[-1].step == 4
    with pytest.raises(CheckpointError, match="already holds a training run"):
        _train(tiny_dataset, test_set, tmp_path / "split", epochs=3)
    resumed, _ = _train(tiny_dataset, test_set, tmp_path / "split", epochs=3, resume=True)
    assert resumed.step == 12
    for name, tensor in straight.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    assert [record["step"] for record in read_metrics(tmp_path / "split")] == [4, 8, 12]
