"""A tiny GPT: transformers' GPT-2 architecture from a small config, with a byte-level BPE
tokenizer trained on the corpus by the `tokenizers` library (Radford et al. 2019; Sennrich et al. 2016).

Both are saved with `save_pretrained`, so `AutoModelForCausalLM.from_pretrained(folder)` and
`AutoTokenizer.from_pretrained(folder)` load them with no code of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

END_OF_TEXT = "<|endoftext|>"


@dataclass
class TinyGPTConfig:
    vocab_size: int = 512  # BPE merges learned on the corpus, plus the 256 bytes
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    n_positions: int = 256
    dropout: float = 0.0  # short runs on megabytes of text barely overfit; dropout only slows them

    def __post_init__(self) -> None:
        if self.vocab_size < 257:
            raise ValueError(f"tiny-gpt vocab_size must be at least 257 (256 bytes + end of text), got {self.vocab_size}")
        if self.n_embd % self.n_head:
            raise ValueError(f"tiny-gpt n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"tiny-gpt dropout must be in [0, 1), got {self.dropout}")
        for name in ("n_layer", "n_head", "n_embd", "n_positions"):
            if getattr(self, name) < 1:
                raise ValueError(f"tiny-gpt {name} must be positive")


def train_tokenizer(text: str, vocab_size: int) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer learned from `text` (any Unicode: unknown characters become bytes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[END_OF_TEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tokenizer.train_from_iterator(_chunks(text), trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=END_OF_TEXT, eos_token=END_OF_TEXT, unk_token=END_OF_TEXT,
        pad_token=END_OF_TEXT, model_max_length=1_000_000,
    )


def _chunks(text: str, size: int = 100_000):
    for start in range(0, len(text), size):
        yield text[start : start + size]


def build_tiny_gpt(config: TinyGPTConfig, tokenizer: PreTrainedTokenizerFast) -> GPT2LMHeadModel:
    end = tokenizer.convert_tokens_to_ids(END_OF_TEXT)
    gpt_config = GPT2Config(
        vocab_size=len(tokenizer), n_positions=config.n_positions, n_embd=config.n_embd,
        n_layer=config.n_layer, n_head=config.n_head, resid_pdrop=config.dropout,
        embd_pdrop=config.dropout, attn_pdrop=config.dropout,
        bos_token_id=end, eos_token_id=end, pad_token_id=end,  # ours, not GPT-2's 50256
    )
    return GPT2LMHeadModel(gpt_config)
