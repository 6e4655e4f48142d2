"""The GAN trainer (MLP GAN, DCGAN): a plain object whose `train()` yields events and obeys a stop flag.

Loss: the non-saturating GAN loss of Goodfellow et al. 2014 (section 3), with
Adam(lr 2e-4, betas (0.5, 0.999)) for both networks as in Radford et al. 2016.

Speed without cleverness: the whole dataset lives on the training device as one float tensor,
batches are index gathers from a per-epoch permutation (no DataLoader workers, no host-device
copies), and losses are read back to the host only when an event is due.
"""

from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.data import ImageDataset
from genai_demo.errors import CheckpointError, GenaiDemoError, InvalidInputError
from genai_demo.hub.model_card import TrainingFacts, build_model_card
from genai_demo.hub.model_folder import read_model_config, save_model_folder
from genai_demo.images import make_grid, save_png
from genai_demo.io_utils import atomic_write_text
from genai_demo.models import GAN_CLASSES, DCGANConfig, MLPGANConfig
from genai_demo.training.checkpoint import STATE_WEIGHTS_NAME, load_training_state, save_training_state
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent, TrainingEvent

SAMPLE_GRID_NAME = "sample_grid.png"
METRICS_NAME = "metrics.jsonl"


class TrainingDivergedError(GenaiDemoError):
    """A loss became NaN or infinite; the last good checkpoint is kept, nothing is saved."""


@dataclass
class GANTrainingConfig:
    """Hyperparameters of a run; saved in the training state so a resume can check them."""

    dataset: str = "mnist"
    epochs: int = 25
    max_steps: int | None = None  # stop earlier than `epochs` when set
    batch_size: int = 64
    learning_rate: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    seed: int = 0
    log_every: int = 20
    sample_every: int = 200
    save_every: int = 1000
    num_sample_images: int = 64

    def __post_init__(self) -> None:
        limits.EPOCHS.check(self.epochs)
        if self.max_steps is not None:
            limits.MAX_STEPS.check(self.max_steps)
        limits.BATCH_SIZE.check(self.batch_size)
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)
        limits.SAMPLE_EVERY.check(self.sample_every)
        limits.SAVE_EVERY.check(self.save_every)
        limits.NUM_SAMPLES.check(self.num_sample_images)
        if not (0.0 <= self.beta1 < 1.0 and 0.0 <= self.beta2 < 1.0):
            raise InvalidInputError(f"Adam betas must be in [0, 1), got ({self.beta1}, {self.beta2})")


def _epoch_permutation(num_items: int, seed: int, epoch: int, device: torch.device) -> torch.Tensor:
    """The shuffle of one epoch, a pure function of (seed, epoch) so a resume mid-epoch replays it."""
    generator = torch.Generator(device="cpu").manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(num_items, generator=generator).to(device)


class GANTrainer:
    """Train a GAN into `output_dir`, which is a loadable model folder after every save."""

    def __init__(
        self,
        dataset: ImageDataset,
        output_dir: str | Path,
        training_config: GANTrainingConfig | None = None,
        model_config: DCGANConfig | MLPGANConfig | None = None,
        model_type: str = "dcgan",
        device: torch.device | str = "cpu",
        resume: bool = False,
        stop_event: threading.Event | None = None,
        command: str = "",
    ):
        self.dataset = dataset
        self.output_dir = Path(output_dir)
        self.config = training_config or GANTrainingConfig()
        self.device = torch.device(device)
        self.stop_event = stop_event or threading.Event()
        self.command = command or f"python -m genai_demo train {model_type} (from Python)"
        self.commands = [self.command]  # one per run that built this folder, resumes included

        self.steps_per_epoch = len(dataset) // self.config.batch_size
        if self.steps_per_epoch < 1:
            raise InvalidInputError(
                f"batch size {self.config.batch_size} is larger than the dataset ({len(dataset)} images)"
            )
        self.total_steps = self.config.epochs * self.steps_per_epoch
        if self.config.max_steps is not None:
            self.total_steps = min(self.total_steps, self.config.max_steps)

        if model_type not in GAN_CLASSES:
            raise InvalidInputError(f"unknown GAN {model_type!r}: choose one of {', '.join(GAN_CLASSES)}")
        if resume:
            if not (self.output_dir / STATE_WEIGHTS_NAME).is_file():
                raise CheckpointError(f"nothing to resume in {self.output_dir}: no {STATE_WEIGHTS_NAME}")
            saved_type, model_config = read_model_config(self.output_dir)
            if saved_type != model_type:
                raise CheckpointError(f"cannot resume: {self.output_dir} holds a {saved_type}, not a {model_type}")
        elif (self.output_dir / STATE_WEIGHTS_NAME).is_file():
            raise CheckpointError(
                f"{self.output_dir} already holds a training run: pass --resume to continue it, "
                "or choose another output folder"
            )
        model_class = GAN_CLASSES[model_type]
        self.model_config = model_config or model_class.config_class(
            image_channels=dataset.image_channels, image_size=dataset.image_size
        )
        if (self.model_config.image_channels, self.model_config.image_size) != (
            dataset.image_channels,
            dataset.image_size,
        ):
            raise InvalidInputError(
                f"the model makes {self.model_config.image_channels}x{self.model_config.image_size}px images "
                f"but the dataset has {dataset.image_channels}x{dataset.image_size}px"
            )

        torch.manual_seed(self.config.seed)  # weight initialisation
        self.model = model_class(self.model_config).to(self.device)
        betas = (self.config.beta1, self.config.beta2)
        self.optimizers = {
            "generator": torch.optim.Adam(self.model.generator.parameters(), self.config.learning_rate, betas),
            "discriminator": torch.optim.Adam(
                self.model.discriminator.parameters(), self.config.learning_rate, betas
            ),
        }
        self.noise_generator = torch.Generator(device=self.device).manual_seed(self.config.seed)
        self.step = 0
        self.elapsed_before_resume = 0.0
        if resume:
            scalars = load_training_state(
                self.output_dir, self.model, self.optimizers, {"noise": self.noise_generator}
            )
            self._check_resumable(scalars)
            self.step = int(scalars["step"])
            self.commands = list(scalars.get("commands", [])) + [self.command]
            self._truncate_metrics_after(self.step)
            self.elapsed_before_resume = float(scalars.get("elapsed_seconds", 0.0))
            # An explicit learning rate on resume wins over the saved one.
            for optimizer in self.optimizers.values():
                for group in optimizer.param_groups:
                    group["lr"] = self.config.learning_rate
        self.fixed_latents = self.model.sample_latents(self.config.num_sample_images, self.config.seed).to(
            self.device
        )
        self.last_losses: dict[str, float] = {}

    def _check_resumable(self, scalars: dict) -> None:
        saved = scalars.get("training_config", {})
        for key in ("dataset", "batch_size", "seed"):
            if key in saved and saved[key] != getattr(self.config, key):
                raise CheckpointError(
                    f"cannot resume: the run used {key}={saved[key]!r}, not {getattr(self.config, key)!r}"
                )
        if scalars.get("dataset_size") not in (None, len(self.dataset)):
            raise CheckpointError(
                f"cannot resume: the run used {scalars['dataset_size']} images, this dataset has "
                f"{len(self.dataset)} (another data source?)"
            )

    def train(self) -> Iterator[TrainingEvent]:
        """Run until `total_steps` or the stop flag; yield events; leave a loadable folder."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        config = self.config
        data = self.dataset.to_training_tensor(self.device)
        generator, discriminator = self.model.generator, self.model.discriminator
        generator.train()
        discriminator.train()
        batch_size = config.batch_size
        real_targets = torch.ones(batch_size, device=self.device)
        fake_targets = torch.zeros(batch_size, device=self.device)
        loss_sums = torch.zeros(2, device=self.device)  # d_loss, g_loss since the last event
        steps_in_window = 0
        window_start = time.perf_counter()
        run_start = window_start
        permutation_epoch = -1
        permutation = None

        if self.step == 0:
            yield self._save_sample_grid()
        while self.step < self.total_steps and not self.stop_event.is_set():
            epoch, batch_index = divmod(self.step, self.steps_per_epoch)
            if epoch != permutation_epoch:
                permutation = _epoch_permutation(len(data), config.seed, epoch, self.device)
                permutation_epoch = epoch
            real_images = data[permutation[batch_index * batch_size : (batch_index + 1) * batch_size]]
            latents = torch.randn(
                batch_size, self.model_config.latent_dim, generator=self.noise_generator, device=self.device
            )
            fake_images = generator(latents)

            # Discriminator: maximise log D(x) + log(1 - D(G(z))).
            d_loss = F.binary_cross_entropy_with_logits(
                discriminator(real_images), real_targets
            ) + F.binary_cross_entropy_with_logits(discriminator(fake_images.detach()), fake_targets)
            self.optimizers["discriminator"].zero_grad(set_to_none=True)
            d_loss.backward()
            self.optimizers["discriminator"].step()

            # Generator, non-saturating: maximise log D(G(z)) rather than minimise log(1 - D(G(z))).
            g_loss = F.binary_cross_entropy_with_logits(discriminator(fake_images), real_targets)
            self.optimizers["generator"].zero_grad(set_to_none=True)
            g_loss.backward()
            self.optimizers["generator"].step()

            loss_sums += torch.stack([d_loss.detach(), g_loss.detach()])
            steps_in_window += 1
            self.step += 1

            if self.step % config.log_every == 0 or self.step == self.total_steps:
                now = time.perf_counter()
                d_mean, g_mean = (loss_sums / steps_in_window).tolist()
                if not (math.isfinite(d_mean) and math.isfinite(g_mean)):
                    raise TrainingDivergedError(
                        f"losses became non-finite at step {self.step} (d_loss={d_mean}, g_loss={g_mean}); "
                        "the last saved checkpoint is kept: try a lower learning rate"
                    )
                self.last_losses = {"d_loss": d_mean, "g_loss": g_mean}
                event = ProgressEvent(
                    step=self.step,
                    total_steps=self.total_steps,
                    epoch=self.step // self.steps_per_epoch,
                    losses=dict(self.last_losses),
                    samples_per_second=steps_in_window * batch_size / max(now - window_start, 1e-9),
                    elapsed_seconds=self.elapsed_before_resume + now - run_start,
                )
                self._append_metrics(event)
                yield event
                loss_sums.zero_()
                steps_in_window = 0
                window_start = time.perf_counter()
            if self.step % config.sample_every == 0:
                yield self._save_sample_grid()
            if self.step % config.save_every == 0 and self.step < self.total_steps:
                yield self._save_checkpoint(self.elapsed_before_resume + time.perf_counter() - run_start)

        stopped = self.step < self.total_steps
        elapsed = self.elapsed_before_resume + time.perf_counter() - run_start
        if self.step % config.sample_every != 0:
            yield self._save_sample_grid()
        yield self._save_checkpoint(elapsed)
        yield FinishedEvent(
            step=self.step,
            folder=self.output_dir,
            stopped=stopped,
            summary={"step": self.step, "elapsed_seconds": round(elapsed, 1), **self.last_losses},
        )

    def _truncate_metrics_after(self, step: int) -> None:
        """Drop curve points logged after the checkpoint we resume from: they will be redone."""
        metrics_path = self.output_dir / METRICS_NAME
        if not metrics_path.is_file():
            return
        kept = []
        for line in metrics_path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line).get("step", 0) <= step:
                    kept.append(line + "\n")
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
        atomic_write_text(metrics_path, "".join(kept))

    def _append_metrics(self, event: ProgressEvent) -> None:
        record = {
            "step": event.step,
            "epoch": event.epoch,
            **event.losses,
            "samples_per_second": round(event.samples_per_second, 1),
            "elapsed_seconds": round(event.elapsed_seconds, 3),
        }
        with open(self.output_dir / METRICS_NAME, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def _save_sample_grid(self) -> SampleEvent:
        images = self.model.generate(self.fixed_latents)
        grid = make_grid(images)
        step_path = save_png(grid, self.output_dir / "samples" / f"step_{self.step:07d}.png")
        save_png(grid, self.output_dir / SAMPLE_GRID_NAME, {"step": str(self.step), "seed": str(self.config.seed)})
        return SampleEvent(step=self.step, path=step_path)

    def _save_checkpoint(self, elapsed_seconds: float) -> CheckpointEvent:
        """Resume state first, then the model folder: every file is replaced atomically."""
        scalars = {
            "step": self.step,
            "epoch": self.step // self.steps_per_epoch,
            "elapsed_seconds": elapsed_seconds,
            "dataset_size": len(self.dataset),
            "training_config": dataclasses.asdict(self.config),
            "device": str(self.device),
            "commands": self.commands,
        }
        save_training_state(self.output_dir, self.model, self.optimizers, {"noise": self.noise_generator}, scalars)
        save_model_folder(
            self.output_dir,
            self.model,
            card_text=build_model_card(self._training_facts(elapsed_seconds)),
            weights_metadata={"step": str(self.step)},
        )
        return CheckpointEvent(step=self.step, folder=self.output_dir)

    def _training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        config = self.config
        figures = {
            "steps": f"{self.step:,}",
            "epochs": f"{self.step / self.steps_per_epoch:.1f}",
            "batch size": str(config.batch_size),
            "optimizer": f"Adam(lr={config.learning_rate:g}, betas=({config.beta1:g}, {config.beta2:g}))",
            "seed": str(config.seed),
            "device": f"{self.device.type} ({torch.__version__})",
            "wall time": f"{elapsed_seconds / 60:.1f} min",
            "parameters": f"{sum(p.numel() for p in self.model.generator.parameters()):,} (generator), "
            f"{sum(p.numel() for p in self.model.discriminator.parameters()):,} (discriminator)",
        }
        figures.update({f"final {name}": f"{value:.3f}" for name, value in self.last_losses.items()})
        return TrainingFacts(
            model_type=self.model.model_type,
            model_name=self.output_dir.name,
            dataset_name=self.dataset.name,
            dataset_source=self.dataset.source,
            hub_dataset_id=self.dataset.hub_dataset_id,
            command="\n".join(self.commands),
            figures=figures,
        )
