"""The text trainer: next-token cross-entropy for the char LSTM and the tiny GPT.

Batches are random windows of the token stream drawn from a seeded generator; for the LSTM a
window is one truncated-BPTT segment. Validation loss is reported in bits per character of the
held-out text, which compares models with different tokenizers, and a character bigram model
gives the baseline to beat. The loop (stop, resume, log, evaluate, sample, save) is `loop.Trainer`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import AutoConfig, AutoTokenizer, GPT2LMHeadModel  # loaded by tiny_gpt already

from genai_demo import limits
from genai_demo.data.text import TextCorpus
from genai_demo.errors import InvalidInputError
from genai_demo.folders.model_card import TrainingFacts
from genai_demo.folders.model_folder import save_model_folder
from genai_demo.io_utils import atomic_write_text
from genai_demo.metrics.bits_per_char import VALIDATION_CHARS, validation_bits_per_char
from genai_demo.models.causal_lm import CausalLM
from genai_demo.models.char_lstm import CharLSTM, CharLSTMConfig
from genai_demo.models.tiny_gpt import TinyGPTConfig, build_tiny_gpt, build_tokenizer, tokenizer_kind
from genai_demo.text_generation import SamplingSettings, stream_text
from genai_demo.training.core_shards import CoreShards
from genai_demo.training.events import SampleEvent
from genai_demo.training.loop import Trainer, fused_optimizer_options

SAMPLE_TEXT_NAME = "sample_text.txt"


@dataclass
class TextTrainingConfig:
    corpus: str = "python-code"
    max_steps: int = 2000
    batch_size: int = 32
    block_size: int = 128  # tokens per window (LSTM: the truncated-BPTT length)
    learning_rate: float | None = None  # None: the family's default (genai_demo.families)
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
        if self.learning_rate is not None:
            limits.LEARNING_RATE.check(self.learning_rate)
        limits.SEED.check(self.seed)
        limits.SAVE_EVERY.check(self.save_every)
        limits.EVAL_EVERY.check(self.eval_every)
        limits.SAMPLE_EVERY.check(self.sample_every)
        limits.LOG_EVERY.check(self.log_every)


class TextTrainer(Trainer):
    """Train a char LSTM or a tiny GPT (the families that name this trainer) on a corpus."""

    best_figure = "val_bits_per_char"
    resume_keys = ("corpus", "batch_size", "seed", "block_size")
    keeps_latest_figures = True

    def __init__(
        self,
        corpus: TextCorpus,
        output_dir: str | Path,
        training_config: TextTrainingConfig | None = None,
        model_type: str = CharLSTM.model_type,
        model_settings: dict | None = None,
        device: torch.device | str = "cpu",
        resume: bool = False,
        stop_event: threading.Event | None = None,
        command: str = "",
    ):
        family = self.family_named(model_type)
        super().__init__(family, output_dir, training_config or TextTrainingConfig(), device, resume, stop_event, command)
        config = self.config
        self.corpus = corpus
        self.character_model = issubclass(family.model_class, CharLSTM)  # else a transformers GPT with a tokenizer
        self.total_steps = config.max_steps
        self.log_every, self.eval_every = config.log_every, config.eval_every
        self.sample_every, self.save_every = config.sample_every, config.save_every
        train_text, validation_text = corpus.split()
        self.validation_text = validation_text[:VALIDATION_CHARS]
        if len(train_text) < 2 * config.block_size or len(self.validation_text) < 10:
            raise InvalidInputError(f"the corpus is too short ({len(corpus.text):,} characters) for this context length")

        torch.manual_seed(config.seed)  # weight initialisation
        self.model, self.tokenizer = self._build_model(train_text, model_settings or {}, resume)
        # What sampling and bits/char read: the LSTM itself, or the GPT with its tokenizer.
        self.text_model = self.model if self.character_model else CausalLM(self.model, self.tokenizer)
        train_ids = self._encode(train_text)
        self.model.to(self.device)
        self.networks = {"model": self.processes.wrap(self.model)}
        self.core_shards = CoreShards.for_training(config.core_shards, self.device, config.batch_size, self.model,
                                                   self.processes.count)
        self.optimizers = {"model": torch.optim.AdamW(self.model.parameters(), config.learning_rate, weight_decay=0.01,
                                                      **fused_optimizer_options(self.device))}
        self.batch_generator = torch.Generator(device="cpu").manual_seed(config.seed)
        if resume:
            self.load_checkpoint()
        self.train_ids = train_ids.to(self.device)

    # -- builders -------------------------------------------------------------------------------

    def _build_model(self, train_text: str, settings: dict, resume: bool):
        """(model, tokenizer): a char LSTM reads characters (no tokenizer); a tiny GPT gets a tokenizer
        built on the corpus, or the run's own on resume."""
        if self.character_model:
            model_config = self.saved_model_config() if resume else CharLSTMConfig.for_text(train_text, **settings)
            return CharLSTM(model_config), None
        if resume:
            self.saved_model_config()  # a causal LM's folder
            tokenizer = AutoTokenizer.from_pretrained(self.output_dir)
            model = GPT2LMHeadModel(AutoConfig.from_pretrained(self.output_dir))
        else:
            # The context is the training window: longer positions would never be trained.
            gpt_config = TinyGPTConfig(**{"n_positions": self.config.block_size, **settings})
            tokenizer = build_tokenizer(train_text, gpt_config)
            model = build_tiny_gpt(gpt_config, tokenizer)
        if self.config.block_size > model.config.n_positions:
            raise InvalidInputError(
                f"block size {self.config.block_size} is longer than the model's context ({model.config.n_positions})"
            )
        return model, tokenizer

    def _encode(self, text: str) -> torch.Tensor:
        if self.character_model:
            return self.model.encode(text)
        return torch.tensor(self.tokenizer(text).input_ids, dtype=torch.long)

    def learning_rate_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to a tenth (a pure function of the step, so resume needs no state)."""
        config = self.config
        if step < config.warmup_steps:
            return config.learning_rate * (step + 1) / config.warmup_steps
        progress = (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps)
        return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    # -- the loop's hooks -----------------------------------------------------------------------

    def before_training(self) -> None:
        self.window_positions = torch.arange(self.config.block_size + 1, device=self.device)
        self.model.train()

    def next_batch(self) -> tuple[torch.Tensor]:
        # Every process draws the same global batch of windows and trains on its share of it.
        offsets_range = len(self.train_ids) - self.config.block_size - 1
        offsets = torch.randint(0, offsets_range, (self.config.batch_size,), generator=self.batch_generator)
        offsets = self.processes.share_of(offsets)
        # All windows in one gather on the device (no per-window slices, no host round trip).
        return (self.train_ids[offsets.to(self.device)[:, None] + self.window_positions],)

    def training_step(self, windows: torch.Tensor) -> torch.Tensor:
        optimizer = self.optimizers["model"]
        for group in optimizer.param_groups:
            group["lr"] = self.learning_rate_at(self.step)
        targets_in_batch = windows[:, 1:].numel()

        def shard_loss(shard_windows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            logits = self._logits(shard_windows[:, :-1])
            # The shard's share of the batch's mean cross-entropy.
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), shard_windows[:, 1:].reshape(-1),
                                   reduction="sum") / targets_in_batch
            return loss, loss.detach()

        optimizer.zero_grad(set_to_none=True)
        loss = sum(self.core_shards.backward(shard_loss, self.model.parameters(), windows))
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.gradient_clip)
        optimizer.step()
        return loss.view(1)

    def _logits(self, inputs: torch.Tensor) -> torch.Tensor:
        network = self.networks["model"]  # the model, data-parallel under several processes
        if self.character_model:
            return network(inputs)[0]
        return network(input_ids=inputs).logits

    def evaluation_due(self) -> bool:
        return super().evaluation_due() or self.step == self.total_steps

    def evaluate(self) -> dict[str, float]:
        return {"val_bits_per_char": self.validation_bits_per_char()}

    @torch.no_grad()
    def validation_bits_per_char(self) -> float:
        was_training = self.model.training
        bits, _ = validation_bits_per_char(self.text_model, self.validation_text, self.device, self.config.block_size)
        self.model.train(was_training)
        return bits

    def sample(self) -> SampleEvent:
        text = self._sample_text()
        path = self.output_dir / SAMPLE_TEXT_NAME
        atomic_write_text(path, text)
        return SampleEvent(step=self.step, path=path, text=text)

    def _sample_text(self) -> str:
        was_training = self.model.training
        self.model.eval()
        text = ""
        for text in stream_text(self.text_model, "", SamplingSettings(max_new_tokens=120, temperature=0.8, seed=0)):
            pass
        self.model.train(was_training)
        return text.replace("```", "'''")

    def save_model(self, folder: Path, card_text: str, weights_metadata: dict[str, str]) -> None:
        if self.character_model:
            save_model_folder(folder, self.model, card_text=card_text, weights_metadata=weights_metadata)
        else:  # a plain transformers folder
            self.model.save_pretrained(folder, safe_serialization=True)
            self.tokenizer.save_pretrained(folder)
            atomic_write_text(folder / "README.md", card_text)

    def rng_generators(self) -> dict[str, torch.Generator]:
        return {"batches": self.batch_generator}

    # -- the model card -------------------------------------------------------------------------

    def training_facts(self, elapsed_seconds: float) -> TrainingFacts:
        config = self.config
        vocabulary = (f"{self.model.vocab_size:,} characters" if self.character_model else
                      f"{self.model.config.vocab_size:,} tokens ({tokenizer_kind(self.tokenizer)} tokenizer)")
        figures = {
            "steps": f"{self.step:,}",
            "batch size": str(config.batch_size),
            "context (tokens)": str(config.block_size),
            "optimizer": (
                f"AdamW(lr={config.learning_rate:g}, weight decay 0.01), {config.warmup_steps} warm-up steps "
                f"then cosine decay to 10%, gradient clip {config.gradient_clip:g}"
            ),
            "vocabulary": vocabulary,
            "parameters": f"{sum(p.numel() for p in self.model.parameters()):,}",
            "seed": str(config.seed),
            "device": self.device_summary(),
            "wall time": f"{elapsed_seconds / 60:.1f} min",
            **self.final_figures(),
        }
        return TrainingFacts(
            model_type=self.family.name, model_name=self.output_dir.name, dataset_name=self.corpus.name,
            dataset_source=self.corpus.source, hub_dataset_id=None, command="\n".join(self.commands),
            figures=figures, sample_grid_file=None, sample_text=self._sample_text(),
        )
