"""Train the LeNet-style classifier that classifier-FID and class accuracy are measured with.

Cross-entropy over shuffled epochs, the held-out accuracy after every epoch; the loop (stop,
resume, log, save) is `loop.Trainer`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.data import ImageDataset
from genai_demo.folders.model_card import TrainingFacts
from genai_demo.folders.model_folder import save_model_folder
from genai_demo.metrics.accuracy import classification_accuracy
from genai_demo.models import ClassifierConfig, ImageClassifier
from genai_demo.training.loop import Trainer


@dataclass
class ClassifierTrainingConfig:
    epochs: int = 8
    batch_size: int = 64
    learning_rate: float | None = None  # None: the family's default (genai_demo.families)
    seed: int = 0

    def __post_init__(self) -> None:
        limits.EPOCHS.check(self.epochs)
        limits.BATCH_SIZE.check(self.batch_size)
        if self.learning_rate is not None:
            limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)


class ClassifierTrainer(Trainer):
    """Cross-entropy training; reports the loss and the held-out accuracy after every epoch."""

    def __init__(
        self,
        train_set: ImageDataset,
        test_set: ImageDataset,
        output_dir: str | Path,
        training_config: ClassifierTrainingConfig | None = None,
        device: torch.device | str = "cpu",
        stop_event: threading.Event | None = None,
        command: str = "",
        resume: bool = False,
    ):
        family = self.family_named(ImageClassifier.model_type)
        super().__init__(family, output_dir, training_config or ClassifierTrainingConfig(), device, resume, stop_event,
                         command)
        config = self.config
        self.train_set, self.test_set, self.dataset_size = train_set, test_set, len(train_set)
        self.steps_per_epoch = max(len(train_set) // config.batch_size, 1)
        self.total_steps = self.steps_per_epoch * config.epochs
        self.log_every = self.eval_every = self.steps_per_epoch  # the loss and the test accuracy once an epoch
        torch.manual_seed(config.seed)  # weight initialisation (and dropout from there on)
        model_config = self.saved_model_config() if resume else ClassifierConfig(
            image_channels=train_set.image_channels,
            image_size=train_set.image_size,
            num_classes=len(train_set.class_names),
        )
        self.model = ImageClassifier(model_config).to(self.device)
        self.networks = {"model": self.processes.wrap(self.model)}
        self.optimizers = {"model": torch.optim.Adam(self.model.parameters(), config.learning_rate)}
        if resume:
            self.load_checkpoint()

    def _epoch_permutation(self, epoch: int) -> torch.Tensor:
        """The shuffle of one epoch: the epoch-th draw of one generator seeded once (replayed, so a
        resume mid-epoch shuffles the same way)."""
        shuffle = torch.Generator(device="cpu").manual_seed(self.config.seed)
        for _ in range(epoch + 1):
            permutation = torch.randperm(len(self.images), generator=shuffle)
        return permutation.to(self.device)

    # -- the loop's hooks -----------------------------------------------------------------------

    def before_training(self) -> None:
        self.images = self.train_set.to_training_tensor(self.device)
        self.labels = self.train_set.labels.to(self.device)
        self.permutation_epoch, self.permutation = -1, None
        self.model.train()

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        epoch, batch_index = divmod(self.step, self.steps_per_epoch)
        if epoch != self.permutation_epoch:
            self.permutation, self.permutation_epoch = self._epoch_permutation(epoch), epoch
        batch_size = self.config.batch_size
        batch = self.processes.share_of(self.permutation[batch_index * batch_size : (batch_index + 1) * batch_size])
        return self.images[batch], self.labels[batch]

    def training_step(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        loss = F.cross_entropy(self.networks["model"](images), labels)
        optimizer = self.optimizers["model"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach().view(1)

    def epoch(self) -> int:
        return self.step // self.steps_per_epoch

    def evaluate(self) -> dict[str, float]:
        accuracy = classification_accuracy(self.model, self.test_set, self.device)
        self.model.train()
        return {"test_accuracy": accuracy}

    def save_model(self, folder: Path, card_text: str, weights_metadata: dict[str, str]) -> None:
        save_model_folder(folder, self.model, card_text=card_text, weights_metadata=weights_metadata)

    def rng_generators(self) -> dict[str, torch.Generator]:
        # Dropout draws its masks from the device's default generator: saved, so a resumed run draws the same.
        if self.device.type == "cuda":
            return {"dropout": torch.cuda.default_generators[self.device.index or torch.cuda.current_device()]}
        return {"dropout": torch.default_generator} if self.device.type == "cpu" else {}

    def training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        return TrainingFacts(
            model_type=self.family.name,
            model_name=self.output_dir.name,
            dataset_name=self.train_set.name,
            dataset_source=f"{self.train_set.source}; accuracy on {len(self.test_set):,} held-out images",
            hub_dataset_id=self.train_set.hub_dataset_id,
            command="\n".join(self.commands),
            figures={
                "epochs": str(self.config.epochs),
                "steps": f"{self.step:,}",
                "test accuracy": f"{self.last_losses.get('test_accuracy', 0.0):.4f}",
                "device": self.device_summary(),
                "wall time": f"{elapsed_seconds / 60:.1f} min",
            },
            sample_grid_file=None,
        )
