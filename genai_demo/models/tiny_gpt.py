"""A tiny GPT: transformers' GPT-2 architecture from a small config, with a tokenizer built on the
corpus by the `tokenizers` library: byte-level BPE (Radford et al. 2019; Sennrich et al. 2016), or
one token per character, for scripts such as Chinese where a character is already a word-sized unit.

Both are saved with `save_pretrained`, so `AutoModelForCausalLM.from_pretrained(folder)` and
`AutoTokenizer.from_pretrained(folder)` load them with no code of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

END_OF_TEXT = "<|endoftext|>"
UNKNOWN_CHARACTER = "\ufffd"  # the char tokenizer's token for characters the corpus did not have
TOKENIZER_KINDS = ("byte-bpe", "char")


@dataclass
class TinyGPTConfig:
    vocab_size: int = 512  # byte-bpe: merges learned on the corpus, plus the 256 bytes (char: unused)
    tokenizer: str = "byte-bpe"  # or "char": every character of the corpus, plus unknown and end of text
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    n_positions: int = 256
    dropout: float = 0.0  # short runs on megabytes of text barely overfit; dropout only slows them

    def __post_init__(self) -> None:
        if self.tokenizer not in TOKENIZER_KINDS:
            raise ValueError(f"tiny-gpt tokenizer must be one of {', '.join(TOKENIZER_KINDS)}, got {self.tokenizer!r}")
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
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # loaded only when needed

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


def train_character_tokenizer(text: str) -> PreTrainedTokenizerFast:
    """One token per character of `text`, plus end of text; any other character is one unknown token.

    The same open-vocabulary treatment as the char LSTM's, so bits/char compare the two models
    and not their tokenizers: a byte-level BPE spells an unseen Chinese character in 3 byte
    tokens, which costs it several bits that the char LSTM's single unknown class does not pay.
    """
    from tokenizers import Tokenizer, decoders, models  # loaded only when needed

    characters = sorted(set(text) - {UNKNOWN_CHARACTER})
    vocabulary = {END_OF_TEXT: 0, UNKNOWN_CHARACTER: 1} | {c: i + 2 for i, c in enumerate(characters)}
    # BPE with no merges is a character-level model that knows an unknown token; Fuse joins the
    # characters back without the spaces a plain decode would put between tokens.
    tokenizer = Tokenizer(models.BPE(vocab=vocabulary, merges=[], unk_token=UNKNOWN_CHARACTER))
    tokenizer.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=END_OF_TEXT, eos_token=END_OF_TEXT, unk_token=UNKNOWN_CHARACTER,
        pad_token=END_OF_TEXT, model_max_length=1_000_000, clean_up_tokenization_spaces=False,
    )


def build_tokenizer(text: str, config: TinyGPTConfig) -> PreTrainedTokenizerFast:
    if config.tokenizer == "char":
        return train_character_tokenizer(text)
    return train_tokenizer(text, config.vocab_size)


def tokenizer_kind(tokenizer: PreTrainedTokenizerFast) -> str:
    """"char" for a tokenizer built by train_character_tokenizer (its unknown token is U+FFFD), else "byte-bpe"."""
    return "char" if tokenizer.unk_token == UNKNOWN_CHARACTER else "byte-bpe"


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
