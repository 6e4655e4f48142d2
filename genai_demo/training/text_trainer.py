"""The text trainer: next-token cross-entropy for the char LSTM and the tiny GPT.

Same contract as the image trainers (progress events, a stop flag, resume from one safetensors
state file, a loadable folder after every save). Batches are random windows of the token stream
drawn from a seeded generator; for the LSTM a window is one truncated-BPTT segment. Validation
loss is reported in bits per character of the held-out text, which compares models with
different tokenizers, and a character bigram model gives the baseline to beat.
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
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.data.text import TextCorpus
from genai_demo.errors import CheckpointError, InvalidInputError
from genai_demo.folders.model_card import TrainingFacts, build_model_card
from genai_demo.folders.model_folder import read_model_config, save_model_folder
from genai_demo.io_utils import atomic_write_text
from genai_demo.models.char_lstm import CharLSTM, CharLSTMConfig
from genai_demo.models.tiny_gpt import TinyGPTConfig, build_tiny_gpt, build_tokenizer, tokenizer_kind
from genai_demo.training.checkpoint import STATE_WEIGHTS_NAME, load_training_state, save_training_state
from genai_demo.training.core_shards import CoreShards
from genai_demo.training.events import CheckpointEvent, FinishedEvent, ProgressEvent, SampleEvent, TrainingEvent
from genai_demo.training.image_trainer import BEST_DIR, TrainingDivergedError, fused_optimizer_options
from genai_demo.training.distributed import TrainingProcesses
from genai_demo.metrics.bits_per_char import VALIDATION_CHARS, validation_bits_per_char
from genai_demo.metrics_log import MetricsLog, read_metrics

TEXT_MODEL_TYPES = ("char-lstm", "tiny-gpt")
SAMPLE_TEXT_NAME = "sample_text.txt"


@dataclass
class TextTrainingConfig:
    corpus: str = "python-code"
    max_steps: int = 2000
    batch_size: int = 32
    block_size: int = 128  # tokens per window (LSTM: the truncated-BPTT length)
    learning_rate: float = 2e-3
    seed: int = 0
    log_every: int = 20
    eval_every: int = 250
    sample_every: int = 250  # a seeded text sample (seen live in the Train tab)
    save_every: int = 1000
    gradient_clip: float = 1.0
    warmup_steps: int = 100  # then cosine decay to 10% of the learning rate at max_steps
    # On a CPU, models without dropout split each step's batch into one shard per core, each on
    # its own thread (core_shards.py); False runs the whole batch at once.
    core_shards: bool = True

    def __post_init__(self) -> None:
        limits.MAX_STEPS.check(self.max_steps)
        limits.BATCH_SIZE.check(self.batch_size)
        limits.BLOCK_SIZE.check(self.block_size)
        limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)
        limits.SAVE_EVERY.check(self.save_every)
        limits.SAVE_EVERY.check(self.eval_every)
        limits.SAMPLE_EVERY.check(self.sample_every)
        limits.LOG_EVERY.check(self.log_every)


class TextTrainer:
    def __init__(
        self,
        corpus: TextCorpus,
        output_dir: str | Path,
        training_config: TextTrainingConfig | None = None,
        model_type: str = "char-lstm",
        model_settings: dict | None = None,
        device: torch.device | str = "cpu",
        resume: bool = False,
        stop_event: threading.Event | None = None,
        command: str = "",
    ):
        if model_type not in TEXT_MODEL_TYPES:
            raise InvalidInputError(f"unknown text model {model_type!r}: choose one of {', '.join(TEXT_MODEL_TYPES)}")
        self.corpus, self.model_type = corpus, model_type
        self.output_dir = Path(output_dir)
        self.config = training_config or TextTrainingConfig()
        # Under `accelerate launch` the process's own device wins over `device`.
        self.processes = TrainingProcesses(torch.device(device), self.config.batch_size)
        self.device = self.processes.device
        self.stop_event = stop_event or threading.Event()
        self.commands = [command or f"python -m genai_demo train {model_type} (from Python)"]
        self.metrics_log = MetricsLog(self.output_dir)
        has_state = (self.output_dir / STATE_WEIGHTS_NAME).is_file()
        if resume and not has_state:
            raise CheckpointError(f"nothing to resume in {self.output_dir}: no {STATE_WEIGHTS_NAME}")
        if has_state and not resume:
            raise CheckpointError(
                f"{self.output_dir} already holds a training run: pass --resume to continue it, "
                "or choose another output folder"
            )
        train_text, validation_text = corpus.split()
        self.validation_text = validation_text[:VALIDATION_CHARS]
        if len(train_text) < 2 * self.config.block_size or len(self.validation_text) < 10:
            raise InvalidInputError(f"the corpus is too short ({len(corpus.text):,} characters) for this context length")
        torch.manual_seed(self.config.seed)  # weight initialisation
        self.tokenizer = None
        if model_type == "char-lstm":
            if resume:
                saved_type, model_config = read_model_config(self.output_dir)
                if saved_type != "char-lstm":
                    raise CheckpointError(f"cannot resume: {self.output_dir} holds a {saved_type}")
            else:
                model_config = CharLSTMConfig.for_text(train_text, **(model_settings or {}))
            self.model = CharLSTM(model_config)
            self.train_ids = self.model.encode(train_text)
        else:
            if resume:
                from transformers import AutoConfig, AutoTokenizer, GPT2LMHeadModel

                self.tokenizer = AutoTokenizer.from_pretrained(self.output_dir)
                self.model = GPT2LMHeadModel(AutoConfig.from_pretrained(self.output_dir))
            else:
                # The context is the training window: longer positions would never be trained.
                gpt_config = TinyGPTConfig(**{"n_positions": self.config.block_size, **(model_settings or {})})
                self.tokenizer = build_tokenizer(train_text, gpt_config)
                self.model = build_tiny_gpt(gpt_config, self.tokenizer)
            if self.config.block_size > self.model.config.n_positions:
                raise InvalidInputError(
                    f"block size {self.config.block_size} is longer than the model's context ({self.model.config.n_positions})"
                )
            self.train_ids = torch.tensor(self.tokenizer(train_text).input_ids, dtype=torch.long)
        self.model.to(self.device)
        self.networks = {"model": self.processes.wrap(self.model)}
        self.core_shards = CoreShards.for_training(self.config.core_shards, self.device, self.config.batch_size,
                                                   self.model, self.processes.count)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), self.config.learning_rate, weight_decay=0.01,
                                           **fused_optimizer_options(self.device))
        self.batch_generator = torch.Generator(device="cpu").manual_seed(self.config.seed)
        self.step, self.elapsed_before_resume = 0, 0.0
        self.last_losses: dict[str, float] = {}
        if resume:
            scalars = load_training_state(self.output_dir, self.model, {"model": self.optimizer},
                                          {"batches": self.batch_generator})
            if scalars.get("training_config", {}).get("block_size") not in (None, self.config.block_size):
                raise CheckpointError("cannot resume with another block size")
            self.step = int(scalars["step"])
            self.elapsed_before_resume = float(scalars.get("elapsed_seconds", 0.0))
            self.commands = list(scalars.get("commands", [])) + self.commands
            self.last_losses = dict(scalars.get("last_losses", {}))
            self.metrics_log.truncate_after(self.step)
        self.train_ids = self.train_ids.to(self.device)
        # The best validation bits/char so far (resumes included), whose model is kept in `best/`.
        earlier = [record["val_bits_per_char"] for record in read_metrics(self.output_dir) if "val_bits_per_char" in record]
        self.best_metric = min(earlier) if resume and earlier else math.inf

    # -- the model-specific parts --------------------------------------------------------------

    def _logits(self, inputs: torch.Tensor) -> torch.Tensor:
        network = self.networks["model"]  # the model, data-parallel under several processes
        if self.model_type == "char-lstm":
            return network(inputs)[0]
        return network(input_ids=inputs).logits

    @torch.no_grad()
    def validation_bits_per_char(self) -> float:
        from genai_demo.models.causal_lm import CausalLM

        was_training = self.model.training
        model = self.model if self.model_type == "char-lstm" else CausalLM(self.model, self.tokenizer)
        bits, _ = validation_bits_per_char(model, self.validation_text, self.device, self.config.block_size)
        self.model.train(was_training)
        return bits

    # -- the loop -----------------------------------------------------------------------------

    def train(self) -> Iterator[TrainingEvent]:
        """Run until `max_steps` or the stop flag; yield events; leave a loadable folder."""
        try:
            yield from self._train_events()
        finally:  # also when the caller stops iterating early or a step fails
            self.core_shards.close()

    def _train_events(self) -> Iterator[TrainingEvent]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        config = self.config
        self.model.train()
        block = config.block_size
        run_start = window_start = time.perf_counter()
        loss_sum, steps_in_window = torch.zeros((), device=self.device), 0
        offsets_range = len(self.train_ids) - block - 1
        window_positions = torch.arange(block + 1, device=self.device)
        main = self.processes.is_main  # only the main process writes files and reports
        self.core_shards.engage()
        while self.step < config.max_steps and not self.processes.any(self.stop_event.is_set()):
            # Every process draws the same global batch of windows and trains on its share of it.
            offsets = torch.randint(0, offsets_range, (config.batch_size,), generator=self.batch_generator)
            offsets = self.processes.share_of(offsets)
            # All windows in one gather on the device (no per-window slices, no host round trip).
            windows = self.train_ids[offsets.to(self.device)[:, None] + window_positions]
            for group in self.optimizer.param_groups:
                group["lr"] = self.learning_rate_at(self.step)
            targets_in_batch = windows[:, 1:].numel()

            def shard_loss(shard_windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
                logits = self._logits(shard_windows[:, :-1])
                # The shard's share of the batch's mean cross-entropy.
                loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), shard_windows[:, 1:].reshape(-1),
                                       reduction="sum") / targets_in_batch
                return loss, loss.detach()

            self.optimizer.zero_grad(set_to_none=True)
            loss = sum(self.core_shards.backward(shard_loss, self.model.parameters(), windows))
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), config.gradient_clip)
            self.optimizer.step()
            loss_sum += loss
            steps_in_window += 1
            self.step += 1
            log_due = self.step % config.log_every == 0 or self.step == config.max_steps
            eval_due = self.step % config.eval_every == 0 or self.step == config.max_steps
            if log_due or eval_due:
                mean_loss = self.processes.mean(loss_sum / max(steps_in_window, 1)).item()
                if not math.isfinite(mean_loss):
                    raise TrainingDivergedError(f"the loss became {mean_loss} at step {self.step}; try a lower learning rate")
                now = time.perf_counter()
                losses = {"loss": mean_loss}
                if eval_due and main:
                    with self.core_shards.paused():
                        losses["val_bits_per_char"] = self.validation_bits_per_char()
                        if losses["val_bits_per_char"] < self.best_metric:
                            self.best_metric = losses["val_bits_per_char"]
                            self._save_model(self.output_dir / BEST_DIR, build_model_card(
                                self._training_facts(self.elapsed_before_resume + now - run_start)))
                self.last_losses = {**self.last_losses, **losses}
                event = ProgressEvent(
                    step=self.step, total_steps=config.max_steps, epoch=0, losses=losses,
                    samples_per_second=steps_in_window * config.batch_size / max(now - window_start, 1e-9),
                    elapsed_seconds=self.elapsed_before_resume + now - run_start,
                )
                if main:
                    self._append_metrics(event)
                    yield event
                loss_sum.zero_()
                steps_in_window, window_start = 0, time.perf_counter()
            with self.core_shards.paused():
                if (self.step % config.sample_every == 0 or self.step == config.max_steps) and main:
                    yield self._sample_event()
                if self.step % config.save_every == 0 and self.step < config.max_steps:
                    if main:
                        yield self._save_checkpoint(self.elapsed_before_resume + time.perf_counter() - run_start)
                    self.processes.wait_for_everyone()
        self.core_shards.close()
        self.processes.check_in_sync(self.model)
        elapsed = self.elapsed_before_resume + time.perf_counter() - run_start
        if main:
            yield self._save_checkpoint(elapsed)
        self.processes.wait_for_everyone()
        yield FinishedEvent(step=self.step, folder=self.output_dir, stopped=self.step < config.max_steps,
                            summary={"step": self.step, "elapsed_seconds": round(elapsed, 1), **self.last_losses})

    def learning_rate_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to a tenth (a pure function of the step, so resume needs no state)."""
        config = self.config
        if step < config.warmup_steps:
            return config.learning_rate * (step + 1) / config.warmup_steps
        progress = (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps)
        return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    def _append_metrics(self, event: ProgressEvent) -> None:
        self.metrics_log.append({"step": event.step, **event.losses, "samples_per_second": round(event.samples_per_second, 1),
                                 "elapsed_seconds": round(event.elapsed_seconds, 3)})

    def _sample_text(self) -> str:
        from genai_demo.text_generation import SamplingSettings, stream_text

        from genai_demo.models.causal_lm import CausalLM

        model = self.model if self.model_type == "char-lstm" else CausalLM(self.model, self.tokenizer)
        was_training = self.model.training
        self.model.eval()
        text = ""
        for text in stream_text(model, "", SamplingSettings(max_new_tokens=120, temperature=0.8, seed=0)):
            pass
        self.model.train(was_training)
        return text.replace("```", "'''")

    def _sample_event(self) -> SampleEvent:
        text = self._sample_text()
        path = self.output_dir / SAMPLE_TEXT_NAME
        atomic_write_text(path, text)
        return SampleEvent(step=self.step, path=path, text=text)

    def _save_checkpoint(self, elapsed_seconds: float) -> CheckpointEvent:
        scalars = {
            "step": self.step, "elapsed_seconds": elapsed_seconds, "training_config": dataclasses.asdict(self.config),
            "device": str(self.device), "commands": self.commands, "last_losses": self.last_losses,
        }
        save_training_state(self.output_dir, self.model, {"model": self.optimizer}, {"batches": self.batch_generator}, scalars)
        self._save_model(self.output_dir, build_model_card(self._training_facts(elapsed_seconds)))
        return CheckpointEvent(step=self.step, folder=self.output_dir)

    def _save_model(self, folder: Path, card: str) -> None:
        if self.model_type == "char-lstm":
            save_model_folder(folder, self.model, card_text=card, weights_metadata={"step": str(self.step)})
        else:
            self.model.save_pretrained(folder, safe_serialization=True)
            self.tokenizer.save_pretrained(folder)
            atomic_write_text(folder / "README.md", card)

    def _training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        train_text, _ = self.corpus.split()
        figures = {
            "steps": f"{self.step:,}",
            "batch size": str(self.config.batch_size),
            "context (tokens)": str(self.config.block_size),
            "optimizer": (
                f"AdamW(lr={self.config.learning_rate:g}, weight decay 0.01), {self.config.warmup_steps} warm-up steps "
                f"then cosine decay to 10%, gradient clip {self.config.gradient_clip:g}"
            ),
            "vocabulary": (f"{self.model.config.vocab_size:,} tokens ({tokenizer_kind(self.tokenizer)} tokenizer)"
                           if self.model_type == "tiny-gpt" else f"{self.model.vocab_size:,} characters"),
            "parameters": f"{sum(p.numel() for p in self.model.parameters()):,}",
            "seed": str(self.config.seed),
            "device": f"{self.device.type} ({torch.__version__})",
            "wall time": f"{elapsed_seconds / 60:.1f} min",
        }
        figures.update({f"final {name}": f"{value:.3f}" for name, value in self.last_losses.items()})
        return TrainingFacts(
            model_type=self.model_type, model_name=self.output_dir.name, dataset_name=self.corpus.name,
            dataset_source=self.corpus.source, hub_dataset_id=None, command="\n".join(self.commands),
            figures=figures, sample_grid_file=None, sample_text=self._sample_text(),
        )

