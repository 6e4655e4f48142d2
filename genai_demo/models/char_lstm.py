"""Character-level LSTM language model (Hochreiter & Schmidhuber 1997; Karpathy's char-rnn).

embedding -> stacked nn.LSTM -> linear over the vocabulary. The vocabulary (the corpus's
characters) is part of the config, so the model folder alone can encode and decode text.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

UNKNOWN = "\ufffd"  # index 0: characters the corpus did not have


@dataclass
class CharLSTMConfig:
    vocabulary: str = UNKNOWN
    embedding_dim: int = 64
    hidden_size: int = 256
    num_layers: int = 2
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if not isinstance(self.vocabulary, str) or not self.vocabulary.startswith(UNKNOWN):
            raise ValueError("char-lstm vocabulary must be a string that starts with U+FFFD (unknown)")
        if len(set(self.vocabulary)) != len(self.vocabulary):
            raise ValueError("char-lstm vocabulary has repeated characters")
        for name in ("embedding_dim", "hidden_size", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"char-lstm {name} must be positive, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"char-lstm dropout must be in [0, 1), got {self.dropout}")

    @classmethod
    def for_text(cls, text: str, **settings) -> "CharLSTMConfig":
        return cls(vocabulary=UNKNOWN + "".join(sorted(set(text) - {UNKNOWN})), **settings)


class CharLSTM(nn.Module):
    model_type = "char-lstm"
    config_class = CharLSTMConfig

    def __init__(self, config: CharLSTMConfig):
        super().__init__()
        self.config = config
        self.index = {character: position for position, character in enumerate(config.vocabulary)}
        self.embedding = nn.Embedding(len(config.vocabulary), config.embedding_dim)
        self.lstm = nn.LSTM(
            config.embedding_dim, config.hidden_size, config.num_layers,
            batch_first=True, dropout=config.dropout if config.num_layers > 1 else 0.0,
        )
        self.head = nn.Linear(config.hidden_size, len(config.vocabulary))

    @property
    def vocab_size(self) -> int:
        return len(self.config.vocabulary)

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index.get(character, 0) for character in text], dtype=torch.long)

    def decode(self, ids) -> str:
        return "".join(self.config.vocabulary[int(position)] for position in ids)

    def forward(self, ids: torch.Tensor, state=None) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Logits (batch, time, vocab) for ids (batch, time), and the LSTM state to carry on."""
        output, state = self.lstm(self.embedding(ids), state)
        return self.head(output), state
