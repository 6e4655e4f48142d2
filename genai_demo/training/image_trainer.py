"""What every image family's trainer shares: data on the device, the model and its EMA, sample grids,
classifier-FID while training, and the model card's figures.

A family's trainer subclasses `ImageTrainer` and writes `build_optimizers` and `training_step`;
the loop itself (stop, resume, log, evaluate, sample, save) is `loop.Trainer`.

Speed without cleverness: the whole dataset lives on the training device as one float tensor,
batches are index gathers from a per-epoch permutation (no DataLoader workers, no host-device
copies), and losses are read back to the host only when an event is due.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from genai_demo import limits
from genai_demo.data import ImageDataset
from genai_demo.device import has_fast_bfloat16
from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.folders.model_card import TrainingFacts
from genai_demo.folders.model_folder import save_model_folder
from genai_demo.folders.registry import SAMPLE_GRID_NAME
from genai_demo.images import make_grid, save_png
from genai_demo.training.core_shards import CoreShards
from genai_demo.training.events import SampleEvent
from genai_demo.training.loop import Trainer


@dataclass
class TrainingConfig:
    """Hyperparameters of a run; saved in the training state so a resume can check them."""

    dataset: str = "mnist"
    epochs: int = 25
    max_steps: int | None = None  # stop earlier than `epochs` when set
    batch_size: int = 64
    learning_rate: float | None = None  # None: the family's default (genai_demo.families)
    seed: int = 0
    log_every: int = 20
    sample_every: int = 200
    save_every: int = 1000
    num_sample_images: int = 64
    # A moving average of the generating network's weights (diffusers' EMAModel), used for
    # the sample grids and saved as the model; None trains and saves the raw weights.
    ema_decay: float | None = None
    # Sample quality (classifier-FID) every N steps on a fixed sample budget; 0: off.
    eval_every: int = 0
    # Speed (bench/speedups.py measures each): NHWC tensors for convolutional models, which oneDNN and
    # cuDNN run faster; bfloat16 autocast for the families whose step uses it, where bfloat16 is
    # fast: CUDA, and CPUs with bfloat16 instructions (elsewhere it is emulated, and slower).
    channels_last: bool = True
    mixed_precision: bool = True
    # On a CPU, the families whose layers see one sample at a time split each step's batch into one
    # shard per core, each on its own thread (core_shards.py); False runs the whole batch at once.
    core_shards: bool = True

    def __post_init__(self) -> None:
        limits.EPOCHS.check(self.epochs)
        if self.ema_decay is not None:
            limits.EMA_DECAY.check(self.ema_decay)
        if self.max_steps is not None:
            limits.MAX_STEPS.check(self.max_steps)
        limits.BATCH_SIZE.check(self.batch_size)
        if self.learning_rate is not None:
            limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)
        limits.SAMPLE_EVERY.check(self.sample_every)
        limits.SAVE_EVERY.check(self.save_every)
        limits.EVAL_EVERY.check(self.eval_every)
        limits.NUM_SAMPLES.check(self.num_sample_images)


def has_convolutions(model: nn.Module) -> bool:
    return any(isinstance(module, nn.modules.conv._ConvNd) for module in model.modules())


def _epoch_permutation(num_items: int, seed: int, epoch: int, device: torch.device) -> torch.Tensor:
    """The shuffle of one epoch, a pure function of (seed, epoch) so a resume mid-epoch replays it."""
    generator = torch.Generator(device="cpu").manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(num_items, generator=generator).to(device)


class ImageTrainer(Trainer):
    """Train an image model of one of the families that name this trainer in genai_demo.families."""

    config_class: type[TrainingConfig] = TrainingConfig
    loss_names: tuple[str, ...] = ()
    default_model_type: str = ""
    best_figure = "classifier_fid"
    resume_keys = ("dataset", "batch_size", "seed")
    sample_at_start = True
    # Whether this family's step runs faster in bfloat16 on a CPU with bfloat16 instructions
    # (measured per family: bench/speedups.py for the DCGAN).
    bfloat16_on_cpu: bool = True
    # Whether this family's step runs through `self.core_shards` (the others never engage it, so
    # their kernels keep every thread).
    steps_in_core_shards: bool = False

    def __init__(
        self,
        dataset: ImageDataset,
        output_dir: str | Path,
        training_config: TrainingConfig | None = None,
        model_config: object | None = None,
        model_type: str | None = None,
        device: torch.device | str = "cpu",
        resume: bool = False,
        stop_event: threading.Event | None = None,
        command: str = "",
        quality_probe=None,
    ):
        family = self.family_named(model_type or self.default_model_type)
        super().__init__(family, output_dir, training_config or self.config_class(), device, resume, stop_event, command)
        self.dataset, self.dataset_size = dataset, len(dataset)
        self.quality_probe = quality_probe  # a metrics.quality.ImageQualityProbe when eval_every > 0
        config = self.config
        self.steps_per_epoch, self.total_steps = self._schedule()
        self.log_every, self.sample_every, self.save_every = config.log_every, config.sample_every, config.save_every
        self.eval_every = config.eval_every if quality_probe is not None else 0
        self.model_config = self.saved_model_config() if resume else (model_config or self._default_model_config())
        self._check_image_shape()

        torch.manual_seed(config.seed)  # weight initialisation
        self.model = family.model_class(self.model_config).to(self.device)
        convolutional = config.channels_last and has_convolutions(self.model)
        self.memory_format = torch.channels_last if convolutional else torch.contiguous_format
        self.model.to(memory_format=self.memory_format)  # weights in place: the optimizers see the same tensors
        self.mixed_precision = (config.mixed_precision and has_fast_bfloat16(self.device)
                                and (self.device.type != "cpu" or self.bfloat16_on_cpu))
        self.optimizers = self.build_optimizers()
        self.core_shards = CoreShards.for_training(config.core_shards and self.steps_in_core_shards, self.device,
                                                   config.batch_size, self.model, self.processes.count)
        self.ema = self._build_ema()
        self.networks = {name: self.processes.wrap(network) for name, network in self.trained_networks().items()}
        self.noise_generator = torch.Generator(device=self.device).manual_seed(self.processes.noise_seed(config.seed))
        if resume:
            self.load_checkpoint()
        self.fixed_latents = self.model.sample_latents(config.num_sample_images, config.seed).to(self.device)

    # -- builders -------------------------------------------------------------------------------

    def _schedule(self) -> tuple[int, int]:
        """(steps per epoch, steps of the run)."""
        batch_size = self.config.batch_size
        steps_per_epoch = len(self.dataset) // batch_size
        if steps_per_epoch < 1:
            raise InvalidInputError(f"batch size {batch_size} is larger than the dataset ({len(self.dataset)} images)")
        total_steps = self.config.epochs * steps_per_epoch
        if self.config.max_steps is not None:
            total_steps = min(total_steps, self.config.max_steps)
        return steps_per_epoch, total_steps

    def _default_model_config(self):
        """The family's default architecture, shaped for the dataset's images (and classes)."""
        config_class = self.family.model_class.config_class
        shape = dict(image_channels=self.dataset.image_channels, image_size=self.dataset.image_size)
        if "num_classes" in {field.name for field in dataclasses.fields(config_class)}:
            shape["num_classes"] = len(self.dataset.class_names)
        return config_class(**shape)

    def _check_image_shape(self) -> None:
        made = (self.model_config.image_channels, self.model_config.image_size)
        if made != (self.dataset.image_channels, self.dataset.image_size):
            raise InvalidInputError(
                f"the model makes {made[0]}x{made[1]}px images "
                f"but the dataset has {self.dataset.image_channels}x{self.dataset.image_size}px"
            )

    def _build_ema(self):
        if self.config.ema_decay is None:
            return None
        from diffusers.training_utils import EMAModel  # diffusers is slow to import: loaded only when asked for

        return EMAModel(self.ema_parameters(), decay=self.config.ema_decay, use_ema_warmup=True)

    def build_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        """Named optimizers over `self.model`; their state is saved for resume."""
        raise NotImplementedError

    def trained_networks(self) -> dict[str, nn.Module]:
        """The modules `training_step` calls, by name; `self.networks` holds them as training
        calls them (wrapped for data parallelism under several processes)."""
        return {"model": self.model}

    def ema_parameters(self) -> list[nn.Parameter]:
        """The weights a moving average is kept of: those that generate (a GAN's generator)."""
        generator = getattr(self.model, "generator", self.model)
        return list(generator.parameters())

    # -- the loop's hooks -----------------------------------------------------------------------

    def load_checkpoint(self) -> None:
        super().load_checkpoint()
        if not self.processes.is_main:  # the saved noise state is the main process's
            self.noise_generator.manual_seed(self.processes.noise_seed(self.config.seed) + self.step)

    def before_training(self) -> None:
        # Indexing a batch out of NHWC data keeps it NHWC.
        self.data = self.dataset.to_training_tensor(self.device).contiguous(memory_format=self.memory_format)
        self.labels = self.dataset.labels.to(self.device)
        self.permutation_epoch, self.permutation = -1, None
        self.model.train()

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        epoch, batch_index = divmod(self.step, self.steps_per_epoch)
        if epoch != self.permutation_epoch:
            self.permutation = _epoch_permutation(len(self.data), self.config.seed, epoch, self.device)
            self.permutation_epoch = epoch
        batch_size = self.config.batch_size
        batch = self.processes.share_of(self.permutation[batch_index * batch_size : (batch_index + 1) * batch_size])
        return self.data[batch], self.labels[batch]

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        """One optimisation step on a batch in [-1, 1] and its class labels (unconditional
        families ignore them); returns the detached losses of `loss_names`."""
        raise NotImplementedError

    def epoch(self) -> int:
        return self.step // self.steps_per_epoch

    def evaluate(self) -> dict[str, float]:
        """Classifier-FID of the current (averaged) weights, and how long measuring it took."""
        started = time.perf_counter()
        figures = self._with_ema_weights(lambda: self.quality_probe.measure(self.model))
        figures["eval_seconds"] = time.perf_counter() - started
        return figures

    def sample(self) -> SampleEvent:
        return self._with_ema_weights(self._save_sample_grid)

    def save_model(self, folder: Path, card_text: str, weights_metadata: dict[str, str]) -> None:
        """Write the model folder that users load: with the averaged weights when there are some."""
        self._with_ema_weights(lambda: save_model_folder(folder, self.model, card_text=card_text,
                                                         weights_metadata=weights_metadata))

    def rng_generators(self) -> dict[str, torch.Generator]:
        return {"noise": self.noise_generator}

    def extra_state(self) -> dict[str, torch.Tensor]:
        """The EMA weights."""
        if self.ema is None:
            return {}
        tensors = {f"ema.{index}": tensor for index, tensor in enumerate(self.ema.shadow_params)}
        tensors["ema.optimization_step"] = torch.tensor(self.ema.optimization_step)
        return tensors

    def load_extra_state(self, tensors: dict[str, torch.Tensor]) -> None:
        if self.ema is None:
            return
        if "ema.optimization_step" not in tensors:
            raise CheckpointError("cannot resume with an EMA: the run was trained without one")
        for index, shadow in enumerate(self.ema.shadow_params):
            shadow.copy_(tensors[f"ema.{index}"].to(shadow.device))
        self.ema.optimization_step = int(tensors["ema.optimization_step"])

    # -- for training steps ---------------------------------------------------------------------

    def autocast(self) -> torch.autocast:
        """bfloat16 autocast around a step's forward passes where it is on; a no-op elsewhere."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.mixed_precision)

    def after_optimizer_step(self) -> None:
        """Called by `training_step` implementations after the generating network's update."""
        if self.ema is not None:
            self.ema.step(self.ema_parameters())

    def _with_ema_weights(self, action):
        """Run `action` with the averaged weights in the model, then put the training weights back."""
        if self.ema is None:
            return action()
        parameters = self.ema_parameters()
        self.ema.store(parameters)
        self.ema.copy_to(parameters)
        try:
            return action()
        finally:
            self.ema.restore(parameters)

    def _save_sample_grid(self) -> SampleEvent:
        if getattr(self.model, "is_conditional", False):
            per_class = max(1, len(self.fixed_latents) // self.model.num_classes)
            latents, labels = self.model.class_rows(self.fixed_latents[:per_class])
            grid = make_grid(self.model.generate(latents, labels), num_columns=per_class)
        else:
            grid = make_grid(self.model.generate(self.fixed_latents))
        step_path = save_png(grid, self.output_dir / "samples" / f"step_{self.step:07d}.png")
        save_png(grid, self.output_dir / SAMPLE_GRID_NAME, {"step": str(self.step), "seed": str(self.config.seed)})
        return SampleEvent(step=self.step, path=step_path)

    # -- the model card -------------------------------------------------------------------------

    def precision_summary(self) -> str:
        return "bfloat16 autocast" if self.mixed_precision else "float32"

    def optimizer_summary(self) -> str:
        return f"Adam(lr={self.config.learning_rate:g})"

    def ema_summary(self) -> str:
        return f", EMA decay {self.config.ema_decay:g}" if self.ema is not None else ""

    def parameter_summary(self) -> str:
        return f"{sum(parameter.numel() for parameter in self.model.parameters()):,}"

    def training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        config = self.config
        figures = {
            "steps": f"{self.step:,}",
            "epochs": f"{self.step / self.steps_per_epoch:.1f}",
            "batch size": str(config.batch_size),
            "optimizer": self.optimizer_summary() + self.ema_summary(),
            "seed": str(config.seed),
            "device": self.device_summary(),
            "wall time": f"{elapsed_seconds / 60:.1f} min",
            "parameters": self.parameter_summary(),
            **self.final_figures(),
        }
        return TrainingFacts(
            model_type=self.family.name,
            model_name=self.output_dir.name,
            dataset_name=self.dataset.name,
            dataset_source=self.dataset.source,
            hub_dataset_id=self.dataset.hub_dataset_id,
            command="\n".join(self.commands),
            figures=figures,
        )
