"""The one training loop: every family's run is stopped, resumed, logged, evaluated, sampled and saved here.

Like minGPT's `Trainer`, the loop knows a model only through hooks. A family's trainer
(image_trainer.py, text_trainer.py, classifier_trainer.py) builds the model, its optimizers and its
data in small builder methods, then supplies:

    next_batch()              the tensors of the next step's batch
    training_step(*batch)     one optimisation step; returns the detached losses of `loss_names`
    evaluation_due()          whether to evaluate after this step (default: every `eval_every` steps)
    evaluate()                figures of the current model, e.g. {"val_bits_per_char": 2.1}
    sample()                  a SampleEvent: a grid or a text written into the run folder
    save_model(folder, ...)   the loadable model folder
    training_facts(elapsed)   what the model card says about the run
    rng_generators(), extra_state(), load_extra_state()   what a resume restores besides weights and optimizers

The loop owns the run folder: the resume/overwrite checks, `metrics.jsonl` (cut back to the
checkpoint on resume), the best evaluation so far in `best/`, the training state and the model
folder at every save, the wall time across resumes, and the events the CLI and the UI read.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from pathlib import Path
from typing import Iterator

import torch
from torch import nn

from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.families import FAMILIES, Family
from genai_demo.folders.model_card import TrainingFacts, best_checkpoint_facts, build_model_card
from genai_demo.folders.model_folder import read_model_config
from genai_demo.metrics_log import MetricsLog, read_metrics
from genai_demo.training.checkpoint import (
    STATE_WEIGHTS_NAME,
    TrainingDivergedError,
    load_training_state,
    save_training_state,
)
from genai_demo.training.core_shards import CoreShards
from genai_demo.training.distributed import TrainingProcesses
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent, TrainingEvent

BEST_DIR = "best"  # the model folder with the best evaluation so far (lowest `best_figure`)


def fused_optimizer_options(device: torch.device) -> dict:
    """Adam's single fused kernel per step where PyTorch has one for the device."""
    return {"fused": True} if device.type in ("cpu", "cuda", "mps") else {}


def check_run_folder(folder: Path, resume: bool) -> None:
    """A new run needs a folder without a run in it; a resume needs one."""
    has_run = (folder / STATE_WEIGHTS_NAME).is_file()
    if resume and not has_run:
        raise CheckpointError(f"nothing to resume in {folder}: no {STATE_WEIGHTS_NAME}")
    if has_run and not resume:
        raise CheckpointError(
            f"{folder} already holds a training run: pass --resume to continue it, or choose another output folder"
        )


class Trainer:
    """Train `self.model` into `output_dir`, which is a loadable model folder after every save."""

    loss_names: tuple[str, ...] = ("loss",)  # what training_step returns, in order
    best_figure: str | None = None  # the evaluate() figure whose lowest value is kept in `best/`
    resume_keys: tuple[str, ...] = ("batch_size", "seed")  # training-config fields a resume must keep
    sample_at_start = False  # image grids: one of the untrained model before the first step
    # Text runs: the card's "final" figures keep the latest of each figure (the validation figure
    # between evaluations, across resumes); image runs: those of the last progress event.
    keeps_latest_figures = False

    # Set by the family's builder: the model and what trains it ...
    model: nn.Module
    optimizers: dict[str, torch.optim.Optimizer]
    # ... and the cadence, in steps (0: never).
    total_steps: int
    log_every: int
    eval_every: int = 0
    sample_every: int = 0
    save_every: int = 0
    dataset_size: int | None = None  # images trained on: a resume must see as many

    def __init__(self, family: Family, output_dir: str | Path, config, device: torch.device | str, resume: bool,
                 stop_event: threading.Event | None, command: str):
        if config.learning_rate is None:  # the family's default: the registry is the one place that holds it
            config = dataclasses.replace(config, learning_rate=family.defaults.learning_rate)
        self.family, self.config = family, config
        self.output_dir = Path(output_dir)
        check_run_folder(self.output_dir, resume)
        # Under `accelerate launch` the process's own device wins over `device`.
        self.processes = TrainingProcesses(torch.device(device), config.batch_size)
        self.device = self.processes.device
        self.stop_event = stop_event or threading.Event()
        self.command = command or f"python -m genai_demo train {family.name} (from Python)"
        self.commands = [self.command]  # one per run that built this folder, resumes included
        self.metrics_log = MetricsLog(self.output_dir)
        self.core_shards = CoreShards(1)  # families whose step runs through shards replace it
        self.step, self.elapsed_before_resume = 0, 0.0
        self.last_losses: dict[str, float] = {}
        self.best_value, self.best_step = math.inf, None

    @classmethod
    def trained_families(cls) -> dict[str, Family]:
        """The families this trainer trains: those whose registry record names it."""
        return {name: record for name, record in FAMILIES.items() if record.trainer == cls.__name__}

    @classmethod
    def family_named(cls, name: str) -> Family:
        families = cls.trained_families()
        if name not in families:
            raise InvalidInputError(f"unknown model {name!r} for {cls.__name__}: choose one of {', '.join(families)}")
        return families[name]

    # -- resume ---------------------------------------------------------------------------------

    def saved_model_config(self):
        """The model config of the run being resumed, which must be one of this family."""
        saved_type, model_config = read_model_config(self.output_dir)
        if saved_type != self.family.model_type:
            raise CheckpointError(f"cannot resume: {self.output_dir} holds a {saved_type}, not a {self.family.model_type}")
        return model_config

    def load_checkpoint(self) -> None:
        """Continue the run in the output folder: weights, optimizers, RNGs, step, commands, curves."""
        extra_tensors: dict[str, torch.Tensor] = {}
        scalars = load_training_state(self.output_dir, self.model, self.optimizers, self.rng_generators(), extra_tensors)
        self.check_resumable(scalars)
        self.load_extra_state(extra_tensors)
        self.step = int(scalars["step"])
        self.elapsed_before_resume = float(scalars.get("elapsed_seconds", 0.0))
        self.commands = list(scalars.get("commands", [])) + [self.command]
        if self.keeps_latest_figures:
            self.last_losses = dict(scalars.get("last_losses", {}))
        self.metrics_log.truncate_after(self.step)
        # An explicit learning rate on resume wins over the saved one.
        for optimizer in self.optimizers.values():
            for group in optimizer.param_groups:
                group["lr"] = self.config.learning_rate
        if self.best_figure:  # the best so far of this run, resumes included
            earlier = [record for record in read_metrics(self.output_dir) if self.best_figure in record]
            best = min(earlier, key=lambda record: record[self.best_figure], default=None)
            if best:
                self.best_value, self.best_step = best[self.best_figure], best["step"]

    def check_resumable(self, scalars: dict) -> None:
        saved = scalars.get("training_config", {})
        for key in self.resume_keys:
            if key in saved and saved[key] != getattr(self.config, key):
                raise CheckpointError(f"cannot resume: the run used {key}={saved[key]!r}, not {getattr(self.config, key)!r}")
        if scalars.get("dataset_size") not in (None, self.dataset_size):
            raise CheckpointError(f"cannot resume: the run used {scalars['dataset_size']} images, this dataset has "
                                  f"{self.dataset_size} (another data source?)")

    # -- the loop -------------------------------------------------------------------------------

    def train(self) -> Iterator[TrainingEvent]:
        """Run until `total_steps` or the stop flag; yield events; leave a loadable folder."""
        try:
            yield from self._run()
        finally:  # also when the caller stops iterating early or a step fails
            self.core_shards.close()

    def _run(self) -> Iterator[TrainingEvent]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.before_training()
        main = self.processes.is_main  # only the main process writes files and reports
        loss_sums = torch.zeros(len(self.loss_names), device=self.device)  # since the last progress event
        steps_in_window = 0
        run_start = window_start = time.perf_counter()
        if self.step == 0 and self.sample_at_start and main:
            yield self.sample()
            window_start = time.perf_counter()  # samples/s counts training steps only
        self.core_shards.engage()
        while self.step < self.total_steps and not self.processes.any(self.stop_event.is_set()):
            loss_sums += self.training_step(*self.next_batch())
            steps_in_window += 1
            self.step += 1

            evaluation_due = self.evaluation_due()
            if self.step % self.log_every == 0 or self.step == self.total_steps or evaluation_due:
                now = time.perf_counter()
                losses = self._mean_losses(loss_sums / steps_in_window)
                elapsed = self.elapsed_before_resume + now - run_start
                if evaluation_due and main:
                    with self.core_shards.paused():
                        losses.update(self._evaluate(elapsed))
                self.last_losses = {**self.last_losses, **losses} if self.keeps_latest_figures else losses
                event = ProgressEvent(
                    step=self.step,
                    total_steps=self.total_steps,
                    epoch=self.epoch() or 0,
                    losses=dict(losses),
                    samples_per_second=steps_in_window * self.config.batch_size / max(now - window_start, 1e-9),
                    elapsed_seconds=elapsed,
                )
                if main:
                    self._append_metrics(event)
                    yield event
                loss_sums.zero_()
                steps_in_window = 0
                window_start = time.perf_counter()
            pause_start = time.perf_counter()
            with self.core_shards.paused():
                if self.sample_every and (self.step % self.sample_every == 0 or self.step == self.total_steps) and main:
                    yield self.sample()
                if self.save_every and self.step % self.save_every == 0 and self.step < self.total_steps:
                    if main:
                        yield self.save_checkpoint(self.elapsed_before_resume + time.perf_counter() - run_start)
                    self.processes.wait_for_everyone()
            window_start += time.perf_counter() - pause_start  # samples/s counts training steps only

        self.core_shards.close()
        stopped = self.step < self.total_steps
        elapsed = self.elapsed_before_resume + time.perf_counter() - run_start
        self.processes.check_in_sync(self.model)
        if main:
            yield self.save_checkpoint(elapsed)
        self.processes.wait_for_everyone()
        yield FinishedEvent(
            step=self.step,
            folder=self.output_dir,
            stopped=stopped,
            summary={"step": self.step, "elapsed_seconds": round(elapsed, 1), **self.last_losses},
        )

    def _mean_losses(self, means: torch.Tensor) -> dict[str, float]:
        """The losses averaged over the steps since the last event (and over the processes)."""
        losses = dict(zip(self.loss_names, self.processes.mean(means).tolist()))
        if not all(math.isfinite(value) for value in losses.values()):
            shown = ", ".join(f"{name}={value}" for name, value in losses.items())
            raise TrainingDivergedError(
                f"losses became non-finite at step {self.step} ({shown}); "
                "the last saved checkpoint is kept: try a lower learning rate"
            )
        return losses

    def _evaluate(self, elapsed_seconds: float) -> dict[str, float]:
        """The figures of `evaluate`; a new best is saved in `best/` beside the latest."""
        figures = self.evaluate()
        if self.best_figure and figures[self.best_figure] < self.best_value:
            self.best_value, self.best_step = figures[self.best_figure], self.step
            card = build_model_card(best_checkpoint_facts(self.training_facts(elapsed_seconds),
                                                          f"step {self.step:,}, {self.best_figure} {self.best_value:.3f}"))
            self.save_model(self.output_dir / BEST_DIR, card,
                            {"step": str(self.step), self.best_figure: f"{self.best_value:.3f}"})
        return figures

    def _append_metrics(self, event: ProgressEvent) -> None:
        epoch = {"epoch": event.epoch} if self.epoch() is not None else {}
        self.metrics_log.append({
            "step": event.step,
            **epoch,
            **event.losses,
            "samples_per_second": round(event.samples_per_second, 1),
            "elapsed_seconds": round(event.elapsed_seconds, 3),
        })

    def save_checkpoint(self, elapsed_seconds: float) -> CheckpointEvent:
        """Resume state first, then the model folder: every file is replaced atomically."""
        epoch = self.epoch()
        scalars = {
            "step": self.step,
            **({"epoch": epoch} if epoch is not None else {}),
            "elapsed_seconds": elapsed_seconds,
            **({"dataset_size": self.dataset_size} if self.dataset_size is not None else {}),
            "training_config": dataclasses.asdict(self.config),
            "device": str(self.device),
            "commands": self.commands,
            **({"last_losses": self.last_losses} if self.keeps_latest_figures else {}),
        }
        save_training_state(self.output_dir, self.model, self.optimizers, self.rng_generators(), scalars,
                            self.extra_state())
        self.save_model(self.output_dir, build_model_card(self.training_facts(elapsed_seconds)), {"step": str(self.step)})
        return CheckpointEvent(step=self.step, folder=self.output_dir)

    # -- hooks ----------------------------------------------------------------------------------

    def before_training(self) -> None:
        """Put the data on the device and the model in training mode."""
        self.model.train()

    def next_batch(self) -> tuple[torch.Tensor, ...]:
        raise NotImplementedError

    def training_step(self, *batch: torch.Tensor) -> torch.Tensor:
        """One optimisation step; returns the detached losses of `loss_names` as one tensor."""
        raise NotImplementedError

    def evaluation_due(self) -> bool:
        return bool(self.eval_every) and self.step % self.eval_every == 0

    def evaluate(self) -> dict[str, float]:
        return {}

    def sample(self) -> SampleEvent:
        raise NotImplementedError

    def save_model(self, folder: Path, card_text: str, weights_metadata: dict[str, str]) -> None:
        raise NotImplementedError

    def training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        raise NotImplementedError

    def epoch(self) -> int | None:
        """Epochs done, for families that train in epochs; None for the others."""
        return None

    def rng_generators(self) -> dict[str, torch.Generator]:
        """The generators a resume restores, so the resumed run draws what one run would have."""
        return {}

    def extra_state(self) -> dict[str, torch.Tensor]:
        """Tensors beyond model, optimizers and RNGs that a resume needs (e.g. EMA weights)."""
        return {}

    def load_extra_state(self, tensors: dict[str, torch.Tensor]) -> None:
        pass

    # -- for the cards --------------------------------------------------------------------------

    def device_summary(self) -> str:
        return f"{self.device.type} ({torch.__version__})"

    def final_figures(self) -> dict[str, str]:
        return {f"final {name}": f"{value:.3f}" for name, value in self.last_losses.items()}
