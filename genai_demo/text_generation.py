"""Sampling text token by token from a char LSTM or any transformers causal LM, streamed.

One loop for both families, with transformers' own logits processors (temperature, top-k,
top-p, repetition penalty) and a seeded torch.Generator: the same seed gives the same text, and
concurrent requests cannot disturb each other's randomness (no global seed is touched).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.models.causal_lm import CausalLM
from genai_demo.models.char_lstm import CharLSTM

MAX_PROMPT_CHARS = 4000


@dataclass
class SamplingSettings:
    max_new_tokens: int = 200
    temperature: float = 0.8  # 0: greedy
    top_k: int = 0  # 0: off
    top_p: float = 1.0  # 1: off
    repetition_penalty: float = 1.0  # 1: off
    seed: int = 0

    def __post_init__(self) -> None:
        self.max_new_tokens = limits.MAX_NEW_TOKENS.check(self.max_new_tokens)
        self.temperature = limits.TEMPERATURE.check(self.temperature)
        self.top_k = limits.TOP_K.check(self.top_k)
        self.top_p = limits.TOP_P.check(self.top_p)
        self.repetition_penalty = limits.REPETITION_PENALTY.check(self.repetition_penalty)
        self.seed = limits.SEED.check(self.seed)


def _processors(settings: SamplingSettings):
    from transformers import (  # transformers is slow to import: loaded only when needed
        LogitsProcessorList,
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    )

    processors = LogitsProcessorList()
    if settings.repetition_penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(settings.repetition_penalty))
    if settings.temperature > 0:
        processors.append(TemperatureLogitsWarper(settings.temperature))
        if settings.top_k > 0:
            processors.append(TopKLogitsWarper(settings.top_k))
        if settings.top_p < 1.0:
            processors.append(TopPLogitsWarper(settings.top_p))
    return processors


class _CharLSTMStepper:
    def __init__(self, model: CharLSTM):
        self.model, self.state = model, None
        self.end_token = None

    def prompt_ids(self, prompt: str) -> torch.Tensor:
        return self.model.encode(prompt or "\n")

    def step(self, new_ids: torch.Tensor, all_ids: torch.Tensor) -> torch.Tensor:
        logits, self.state = self.model(new_ids.view(1, -1).to(self.model.head.weight.device), self.state)
        return logits[0, -1]

    def decode(self, ids: torch.Tensor) -> str:
        return self.model.decode(ids)


class _CausalLMStepper:
    def __init__(self, bundle: CausalLM):
        self.model, self.tokenizer = bundle.model, bundle.tokenizer
        self.context_length = bundle.context_length
        self.past = None
        self.end_token = self.tokenizer.eos_token_id

    def prompt_ids(self, prompt: str) -> torch.Tensor:
        if getattr(self.tokenizer, "chat_template", None) and prompt:
            ids = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, return_dict=False
            )
            ids = ids["input_ids"] if isinstance(ids, dict) else ids
        else:
            ids = self.tokenizer(prompt).input_ids if prompt else []
        if not ids:  # an empty prompt starts a new text
            start = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.end_token
            ids = [start]
        return torch.tensor(ids, dtype=torch.long)

    def step(self, new_ids: torch.Tensor, all_ids: torch.Tensor) -> torch.Tensor:
        device = self.model.device
        if len(all_ids) > self.context_length:  # slide the window: recompute without the cache
            self.past, new_ids = None, all_ids[-(self.context_length - 1):]
        # An explicit mask: our start token may double as the pad token, which makes transformers warn.
        mask_length = len(new_ids) if self.past is None else len(all_ids)
        output = self.model(
            input_ids=new_ids.view(1, -1).to(device), attention_mask=torch.ones(1, mask_length, device=device),
            past_key_values=self.past, use_cache=True,
        )
        self.past = output.past_key_values
        return output.logits[0, -1]

    def decode(self, ids: torch.Tensor) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)


def fit_prompt(prompt: str) -> tuple[str, str | None]:
    """The prompt cut to its last MAX_PROMPT_CHARS characters (the ones that condition the next
    token), with a notice saying so; (prompt, None) when it fits."""
    if not isinstance(prompt, str):
        raise InvalidInputError("the prompt must be text")
    if len(prompt) <= MAX_PROMPT_CHARS:
        return prompt, None
    return prompt[-MAX_PROMPT_CHARS:], (
        f"the prompt has {len(prompt):,} characters: only its last {MAX_PROMPT_CHARS:,} were used"
    )


@torch.inference_mode()
def stream_text(model, prompt: str, settings: SamplingSettings) -> Iterator[str]:
    """Yield the generated text so far (without the prompt) after each new token."""
    if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidInputError(f"the prompt must be text of at most {MAX_PROMPT_CHARS:,} characters")
    if isinstance(model, CharLSTM):
        stepper = _CharLSTMStepper(model)
    elif isinstance(model, CausalLM):
        stepper = _CausalLMStepper(model)
    else:
        raise InvalidInputError(f"a {getattr(model, 'model_type', type(model).__name__)} does not generate text")
    processors = _processors(settings)
    generator = torch.Generator(device="cpu").manual_seed(settings.seed)
    all_ids = stepper.prompt_ids(prompt)
    prompt_length = len(all_ids)
    new_ids = all_ids
    shown = ""
    for _ in range(settings.max_new_tokens):
        logits = stepper.step(new_ids, all_ids).float().cpu()
        scores = processors(all_ids.view(1, -1), logits.view(1, -1))[0]
        if settings.temperature == 0:
            token = scores.argmax().view(1)
        else:
            token = torch.multinomial(torch.softmax(scores, dim=-1), 1, generator=generator)
        if stepper.end_token is not None and int(token) == stepper.end_token:
            break
        all_ids = torch.cat([all_ids, token])
        new_ids = token
        text = stepper.decode(all_ids[prompt_length:])
        # A byte-level token may end inside a multi-byte character: wait for the rest of it.
        if text != shown and not text.endswith("\ufffd"):
            shown = text
            yield shown
    final = stepper.decode(all_ids[prompt_length:])
    if final != shown:
        yield final
