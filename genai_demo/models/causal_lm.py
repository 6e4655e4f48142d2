"""Any transformers causal language model with its tokenizer, as one object the app can cache."""

from __future__ import annotations

from torch import nn


class CausalLM(nn.Module):
    """A transformers `*ForCausalLM` and its tokenizer (our tiny GPT, or a model from the Hub)."""

    model_type = "causal-lm"

    def __init__(self, model: nn.Module, tokenizer):
        super().__init__()
        self.model = model
        self.tokenizer = tokenizer

    @property
    def context_length(self) -> int:
        config = self.model.config
        return int(getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", 2048))
