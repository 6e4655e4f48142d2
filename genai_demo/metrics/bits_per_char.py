"""Bits per character of held-out text, which compares models with different tokenizers, and
the character bigram baseline every text model must beat."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from genai_demo.models.char_lstm import CharLSTM

VALIDATION_CHARS = 20_000  # the held-out text scored at each evaluation


def bigram_bits_per_char(train_text: str, validation_text: str) -> float:
    """A character bigram model with add-one smoothing: the baseline every model must beat."""
    alphabet = {character: index for index, character in enumerate(sorted(set(train_text) | set(validation_text)))}
    size = len(alphabet)
    train_ids = torch.tensor([alphabet[c] for c in train_text])
    counts = torch.ones(size, size, dtype=torch.float64)
    counts.index_put_((train_ids[:-1], train_ids[1:]), torch.ones(len(train_ids) - 1, dtype=torch.float64), accumulate=True)
    log_probs = (counts / counts.sum(dim=1, keepdim=True)).log2()
    ids = torch.tensor([alphabet[c] for c in validation_text])
    return float(-log_probs[ids[:-1], ids[1:]].mean())


@torch.no_grad()
def validation_bits_per_char(model, text: str, device: torch.device, block_size: int = 128) -> tuple[float, int]:
    """(bits per character, characters scored) of `text` under a CharLSTM or a CausalLM.

    Every token after the first is scored, in windows of `block_size` tokens each with its own
    context reset; the characters are those after the first token, so the figure compares
    models with different tokenizers.
    """
    text = text[:VALIDATION_CHARS]
    if isinstance(model, CharLSTM):
        ids, logits_of = model.encode(text), (lambda inputs: model(inputs)[0])
        first = text[:1]
    else:
        tokenizer = model.tokenizer
        ids = torch.tensor(tokenizer(text).input_ids, dtype=torch.long)
        logits_of = lambda inputs: model.model(input_ids=inputs).logits  # noqa: E731
        block_size = min(block_size, model.context_length)
        first = tokenizer.decode(ids[:1])
    model.eval()
    ids = ids.to(device)
    total_nats = 0.0
    for start in range(0, len(ids) - 1, block_size):
        window = ids[start : start + block_size + 1]
        if len(window) < 2:
            break
        logits = logits_of(window[:-1].view(1, -1))[0]
        total_nats += F.cross_entropy(logits.float(), window[1:], reduction="sum").item()
    characters = max(1, len(text) - len(first))
    return total_nats / math.log(2) / characters, characters
