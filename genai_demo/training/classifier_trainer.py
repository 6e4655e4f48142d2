"""Train the LeNet-style classifier that classifier-FID and class accuracy are measured with."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.data import ImageDataset
from genai_demo.folders.model_card import TrainingFacts, build_model_card
from genai_demo.folders.model_folder import save_model_folder
from genai_demo.metrics.accuracy import classification_accuracy
from genai_demo.models import ClassifierConfig, ImageClassifier
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, TrainingEvent


@dataclass
class ClassifierTrainingConfig:
    epochs: int = 8
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 0

    def __post_init__(self) -> None:
        limits.EPOCHS.check(self.epochs)
        limits.BATCH_SIZE.check(self.batch_size)
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)


class ClassifierTrainer:
    """Cross-entropy training; reports held-out accuracy after every epoch."""

    def __init__(
        self,
        train_set: ImageDataset,
        test_set: ImageDataset,
        output_dir: str | Path,
        training_config: ClassifierTrainingConfig | None = None,
        device: torch.device | str = "cpu",
        stop_event: threading.Event | None = None,
        command: str = "",
    ):
        self.train_set, self.test_set = train_set, test_set
        self.output_dir = Path(output_dir)
        self.config = training_config or ClassifierTrainingConfig()
        self.device = torch.device(device)
        self.stop_event = stop_event or threading.Event()
        self.command = command or "python -m genai_demo train classifier (from Python)"
        torch.manual_seed(self.config.seed)
        self.model = ImageClassifier(
            ClassifierConfig(
                image_channels=train_set.image_channels,
                image_size=train_set.image_size,
                num_classes=len(train_set.class_names),
            )
        ).to(self.device)

    def train(self) -> Iterator[TrainingEvent]:
        config = self.config
        images = self.train_set.to_training_tensor(self.device)
        labels = self.train_set.labels.to(self.device)
        optimizer = torch.optim.Adam(self.model.parameters(), config.learning_rate)
        shuffle = torch.Generator(device="cpu").manual_seed(config.seed)
        steps_per_epoch = max(len(images) // config.batch_size, 1)
        step, started, accuracy = 0, time.perf_counter(), 0.0
        for epoch in range(config.epochs):
            if self.stop_event.is_set():
                break
            self.model.train()
            permutation = torch.randperm(len(images), generator=shuffle).to(self.device)
            loss_sum = torch.zeros((), device=self.device)
            epoch_start = time.perf_counter()
            for batch_index in range(steps_per_epoch):
                batch = permutation[batch_index * config.batch_size : (batch_index + 1) * config.batch_size]
                loss = F.cross_entropy(self.model(images[batch]), labels[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                loss_sum += loss.detach()
                step += 1
            accuracy = classification_accuracy(self.model, self.test_set, self.device)
            yield ProgressEvent(
                step=step,
                total_steps=steps_per_epoch * config.epochs,
                epoch=epoch + 1,
                losses={"loss": (loss_sum / steps_per_epoch).item(), "test_accuracy": accuracy},
                samples_per_second=steps_per_epoch * config.batch_size / (time.perf_counter() - epoch_start),
                elapsed_seconds=time.perf_counter() - started,
            )
        elapsed = time.perf_counter() - started
        facts = TrainingFacts(
            model_type=self.model.model_type,
            model_name=self.output_dir.name,
            dataset_name=self.train_set.name,
            dataset_source=f"{self.train_set.source}; accuracy on {len(self.test_set):,} held-out images",
            hub_dataset_id=self.train_set.hub_dataset_id,
            command=self.command,
            figures={
                "epochs": str(config.epochs),
                "steps": f"{step:,}",
                "test accuracy": f"{accuracy:.4f}",
                "device": f"{self.device.type} ({torch.__version__})",
                "wall time": f"{elapsed / 60:.1f} min",
            },
            sample_grid_file=None,
        )
        save_model_folder(self.output_dir, self.model.eval(), card_text=build_model_card(facts))
        yield CheckpointEvent(step=step, folder=self.output_dir)
        yield FinishedEvent(
            step=step,
            folder=self.output_dir,
            stopped=self.stop_event.is_set(),
            summary={"test_accuracy": accuracy, "elapsed_seconds": round(elapsed, 1)},
        )
