"""What every image trainer shares: data on the device, resume, events, samples, checkpoints.

A family's trainer subclasses `ImageTrainer` and writes only `build_optimizers` and
`training_step`; the loop, the stop flag, the metrics file and the model folder are here.

Speed without cleverness: the whole dataset lives on the training device as one float tensor,
batches are index gathers from a per-epoch permutation (no DataLoader workers, no host-device
copies), and losses are read back to the host only when an event is due.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from genai_demo import limits
from genai_demo.data import ImageDataset
from genai_demo.device import has_fast_bfloat16
from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.folders.model_card import TrainingFacts, build_model_card
from genai_demo.folders.model_folder import read_model_config, save_model_folder
from genai_demo.images import make_grid, save_png
from genai_demo.training.checkpoint import (  # noqa: F401 (TrainingDivergedError: imported from here too)
    STATE_WEIGHTS_NAME,
    TrainingDivergedError,
    load_training_state,
    save_training_state,
)
from genai_demo.training.core_shards import CoreShards
from genai_demo.training.distributed import TrainingProcesses
from genai_demo.metrics_log import MetricsLog, read_metrics
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent, TrainingEvent

SAMPLE_GRID_NAME = "sample_grid.png"
BEST_DIR = "best"  # the model folder with the best classifier-FID so far (--eval-every)


@dataclass
class TrainingConfig:
    """Hyperparameters of a run; saved in the training state so a resume can check them."""

    dataset: str = "mnist"
    epochs: int = 25
    max_steps: int | None = None  # stop earlier than `epochs` when set
    batch_size: int = 64
    learning_rate: float = 2e-4
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
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)
        limits.SAMPLE_EVERY.check(self.sample_every)
        limits.SAVE_EVERY.check(self.save_every)
        limits.EVAL_EVERY.check(self.eval_every)
        limits.NUM_SAMPLES.check(self.num_sample_images)


def fused_optimizer_options(device: torch.device) -> dict:
    """Adam's single fused kernel per step where PyTorch has one for the device."""
    return {"fused": True} if device.type in ("cpu", "cuda", "mps") else {}


def has_convolutions(model: nn.Module) -> bool:
    return any(isinstance(module, nn.modules.conv._ConvNd) for module in model.modules())


def _epoch_permutation(num_items: int, seed: int, epoch: int, device: torch.device) -> torch.Tensor:
    """The shuffle of one epoch, a pure function of (seed, epoch) so a resume mid-epoch replays it."""
    generator = torch.Generator(device="cpu").manual_seed(seed * 1_000_003 + epoch)
    return torch.randperm(num_items, generator=generator).to(device)


class ImageTrainer:
    """Train an image model into `output_dir`, which is a loadable model folder after every save."""

    model_classes: dict[str, type[nn.Module]] = {}  # model_type -> class, set by each family
    config_class: type[TrainingConfig] = TrainingConfig
    loss_names: tuple[str, ...] = ()  # what training_step returns, in order
    default_model_type: str = ""
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
        self.dataset = dataset
        self.quality_probe = quality_probe  # a training.quality.ImageQualityProbe when eval_every > 0
        self.output_dir = Path(output_dir)
        model_type = model_type or self.default_model_type
        self.config = training_config or self.config_class()
        # Under `accelerate launch` the process's own device wins over `device`.
        self.processes = TrainingProcesses(torch.device(device), self.config.batch_size)
        self.device = self.processes.device
        self.stop_event = stop_event or threading.Event()
        self.command = command or f"python -m genai_demo train {model_type} (from Python)"
        self.commands = [self.command]  # one per run that built this folder, resumes included
        self.metrics_log = MetricsLog(self.output_dir)

        self.steps_per_epoch = len(dataset) // self.config.batch_size
        if self.steps_per_epoch < 1:
            raise InvalidInputError(
                f"batch size {self.config.batch_size} is larger than the dataset ({len(dataset)} images)"
            )
        self.total_steps = self.config.epochs * self.steps_per_epoch
        if self.config.max_steps is not None:
            self.total_steps = min(self.total_steps, self.config.max_steps)

        if model_type not in self.model_classes:
            raise InvalidInputError(
                f"unknown model {model_type!r} for {type(self).__name__}: choose one of {', '.join(self.model_classes)}"
            )
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
        model_class = self.model_classes[model_type]
        if model_config is None:
            shape = dict(image_channels=dataset.image_channels, image_size=dataset.image_size)
            if "num_classes" in {field.name for field in dataclasses.fields(model_class.config_class)}:
                shape["num_classes"] = len(dataset.class_names)
            model_config = model_class.config_class(**shape)
        self.model_config = model_config
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
        convolutional = self.config.channels_last and has_convolutions(self.model)
        self.memory_format = torch.channels_last if convolutional else torch.contiguous_format
        self.model.to(memory_format=self.memory_format)  # weights in place: the optimizers see the same tensors
        self.mixed_precision = (self.config.mixed_precision and has_fast_bfloat16(self.device)
                                and (self.device.type != "cpu" or self.bfloat16_on_cpu))
        self.optimizers = self.build_optimizers()
        self.core_shards = CoreShards.for_training(self.config.core_shards and self.steps_in_core_shards, self.device,
                                                   self.config.batch_size, self.model, self.processes.count)
        self.ema = None
        if self.config.ema_decay is not None:
            from diffusers.training_utils import EMAModel  # diffusers loads only when asked for

            self.ema = EMAModel(self.ema_parameters(), decay=self.config.ema_decay, use_ema_warmup=True)
        self.networks = {name: self.processes.wrap(network) for name, network in self.trained_networks().items()}
        self.noise_generator = torch.Generator(device=self.device).manual_seed(self.processes.noise_seed(self.config.seed))
        self.step = 0
        self.elapsed_before_resume = 0.0
        if resume:
            extra_tensors: dict[str, torch.Tensor] = {}
            scalars = load_training_state(
                self.output_dir, self.model, self.optimizers, {"noise": self.noise_generator}, extra_tensors
            )
            self._check_resumable(scalars)
            self.load_extra_state(extra_tensors)
            self.step = int(scalars["step"])
            if not self.processes.is_main:  # the saved noise state is the main process's
                self.noise_generator.manual_seed(self.processes.noise_seed(self.config.seed) + self.step)
            self.commands = list(scalars.get("commands", [])) + [self.command]
            self.metrics_log.truncate_after(self.step)
            self.elapsed_before_resume = float(scalars.get("elapsed_seconds", 0.0))
            # An explicit learning rate on resume wins over the saved one.
            for optimizer in self.optimizers.values():
                for group in optimizer.param_groups:
                    group["lr"] = self.config.learning_rate
        self.fixed_latents = self.model.sample_latents(self.config.num_sample_images, self.config.seed).to(
            self.device
        )
        self.last_losses: dict[str, float] = {}
        # The best classifier-FID so far (of this run, resumes included) and its step.
        earlier = [record for record in read_metrics(self.output_dir) if "classifier_fid" in record] if resume else []
        best = min(earlier, key=lambda record: record["classifier_fid"], default=None)
        self.best_metric = best["classifier_fid"] if best else math.inf
        self.best_step = best["step"] if best else None

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
        try:
            yield from self._train_events()
        finally:  # also when the caller stops iterating early or a step fails
            self.core_shards.close()

    def _train_events(self) -> Iterator[TrainingEvent]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        config = self.config
        # Indexing a batch out of NHWC data keeps it NHWC.
        data = self.dataset.to_training_tensor(self.device).contiguous(memory_format=self.memory_format)
        labels = self.dataset.labels.to(self.device)
        self.model.train()
        batch_size = config.batch_size
        loss_sums = torch.zeros(len(self.loss_names), device=self.device)  # since the last event
        steps_in_window = 0
        window_start = time.perf_counter()
        run_start = window_start
        permutation_epoch = -1
        permutation = None

        main = self.processes.is_main  # only the main process writes files and reports
        if self.step == 0 and main:
            yield self._save_sample_grid()
            window_start = time.perf_counter()  # samples/s counts training steps only
        self.core_shards.engage()
        while self.step < self.total_steps and not self.processes.any(self.stop_event.is_set()):
            epoch, batch_index = divmod(self.step, self.steps_per_epoch)
            if epoch != permutation_epoch:
                permutation = _epoch_permutation(len(data), config.seed, epoch, self.device)
                permutation_epoch = epoch
            batch = self.processes.share_of(permutation[batch_index * batch_size : (batch_index + 1) * batch_size])
            loss_sums += self.training_step(data[batch], labels[batch])
            steps_in_window += 1
            self.step += 1

            eval_due = self.quality_probe is not None and config.eval_every and self.step % config.eval_every == 0
            if self.step % config.log_every == 0 or self.step == self.total_steps or eval_due:
                now = time.perf_counter()
                means = dict(zip(self.loss_names, self.processes.mean(loss_sums / steps_in_window).tolist()))
                if not all(math.isfinite(value) for value in means.values()):
                    shown = ", ".join(f"{name}={value}" for name, value in means.items())
                    raise TrainingDivergedError(
                        f"losses became non-finite at step {self.step} ({shown}); "
                        "the last saved checkpoint is kept: try a lower learning rate"
                    )
                if eval_due and main:
                    with self.core_shards.paused():
                        means.update(self._measure_quality(self.elapsed_before_resume + now - run_start))
                self.last_losses = means
                event = ProgressEvent(
                    step=self.step,
                    total_steps=self.total_steps,
                    epoch=self.step // self.steps_per_epoch,
                    losses=dict(self.last_losses),
                    samples_per_second=steps_in_window * batch_size / max(now - window_start, 1e-9),
                    elapsed_seconds=self.elapsed_before_resume + now - run_start,
                )
                if main:
                    self._append_metrics(event)
                    yield event
                loss_sums.zero_()
                steps_in_window = 0
                window_start = time.perf_counter()
            pause_start = time.perf_counter()
            with self.core_shards.paused():
                if self.step % config.sample_every == 0 and main:
                    yield self._save_sample_grid()
                if self.step % config.save_every == 0 and self.step < self.total_steps:
                    if main:
                        yield self._save_checkpoint(self.elapsed_before_resume + time.perf_counter() - run_start)
                    self.processes.wait_for_everyone()
            window_start += time.perf_counter() - pause_start  # samples/s counts training steps only

        self.core_shards.close()
        stopped = self.step < self.total_steps
        elapsed = self.elapsed_before_resume + time.perf_counter() - run_start
        self.processes.check_in_sync(self.model)
        if main:
            # A stopped run saves at once (a diffusion grid can take seconds); it has its last grid.
            if self.step % config.sample_every != 0 and not stopped:
                yield self._save_sample_grid()
            yield self._save_checkpoint(elapsed)
        self.processes.wait_for_everyone()
        yield FinishedEvent(
            step=self.step,
            folder=self.output_dir,
            stopped=stopped,
            summary={"step": self.step, "elapsed_seconds": round(elapsed, 1), **self.last_losses},
        )

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

    def autocast(self) -> torch.autocast:
        """bfloat16 autocast around a step's forward passes where it is on; a no-op elsewhere."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.mixed_precision)

    def precision_summary(self) -> str:
        return "bfloat16 autocast" if self.mixed_precision else "float32"

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

    def training_step(self, real_images: torch.Tensor, real_labels: torch.Tensor) -> torch.Tensor:
        """One optimisation step on a batch in [-1, 1] and its class labels (unconditional
        families ignore them); returns the detached losses of `loss_names`."""
        raise NotImplementedError

    def _append_metrics(self, event: ProgressEvent) -> None:
        self.metrics_log.append({
            "step": event.step,
            "epoch": event.epoch,
            **event.losses,
            "samples_per_second": round(event.samples_per_second, 1),
            "elapsed_seconds": round(event.elapsed_seconds, 3),
        })

    def _measure_quality(self, elapsed_seconds: float) -> dict[str, float]:
        """The quality figures of the current (averaged) weights; a new best is saved in `best/`."""
        started = time.perf_counter()
        figures = self._with_ema_weights(lambda: self.quality_probe.measure(self.model))
        if figures["classifier_fid"] < self.best_metric:
            self.best_metric, self.best_step = figures["classifier_fid"], self.step
            card = build_model_card(self._training_facts(elapsed_seconds))
            self._with_ema_weights(lambda: save_model_folder(
                self.output_dir / BEST_DIR, self.model, card_text=card,
                weights_metadata={"step": str(self.step), "classifier_fid": f"{figures['classifier_fid']:.3f}"},
            ))
        figures["eval_seconds"] = time.perf_counter() - started
        return figures

    def _save_sample_grid(self) -> SampleEvent:
        return self._with_ema_weights(self._save_sample_grid_now)

    def _save_sample_grid_now(self) -> SampleEvent:
        if getattr(self.model, "is_conditional", False):
            per_class = max(1, len(self.fixed_latents) // self.model.num_classes)
            latents, labels = self.model.class_rows(self.fixed_latents[:per_class])
            grid = make_grid(self.model.generate(latents, labels), num_columns=per_class)
        else:
            grid = make_grid(self.model.generate(self.fixed_latents))
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
        save_training_state(
            self.output_dir, self.model, self.optimizers, {"noise": self.noise_generator}, scalars,
            self.extra_state(),
        )
        self.save_model(build_model_card(self._training_facts(elapsed_seconds)))
        return CheckpointEvent(step=self.step, folder=self.output_dir)

    def save_model(self, card_text: str) -> None:
        """Write the model folder that users load: with the averaged weights when there are some."""
        self._with_ema_weights(
            lambda: save_model_folder(
                self.output_dir, self.model, card_text=card_text, weights_metadata={"step": str(self.step)}
            )
        )

    def extra_state(self) -> dict[str, torch.Tensor]:
        """Tensors beyond model, optimizers and RNG that a resume needs: the EMA weights."""
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

    def optimizer_summary(self) -> str:
        return f"Adam(lr={self.config.learning_rate:g})"

    def ema_summary(self) -> str:
        return f", EMA decay {self.config.ema_decay:g}" if self.ema is not None else ""

    def parameter_summary(self) -> str:
        return f"{sum(parameter.numel() for parameter in self.model.parameters()):,}"

    def _training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        config = self.config
        figures = {
            "steps": f"{self.step:,}",
            "epochs": f"{self.step / self.steps_per_epoch:.1f}",
            "batch size": str(config.batch_size),
            "optimizer": self.optimizer_summary() + self.ema_summary(),
            "seed": str(config.seed),
            "device": f"{self.device.type} ({torch.__version__})",
            "wall time": f"{elapsed_seconds / 60:.1f} min",
            "parameters": self.parameter_summary(),
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
