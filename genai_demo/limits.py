"""Ranges of every number a user can set, shared by the UI sliders, the API and the CLI."""

from __future__ import annotations

import math
from dataclasses import dataclass

from genai_demo.errors import InvalidInputError


@dataclass(frozen=True)
class IntRange:
    label: str
    minimum: int
    maximum: int

    def check(self, value: object) -> int:
        """The value as an int, or InvalidInputError saying what is allowed."""
        if isinstance(value, str):
            try:
                number = float(value.strip()) if value.strip() else None
            except ValueError:
                raise self.refused(value) from None
        else:
            number = value
        if isinstance(number, float):
            if not math.isfinite(number) or number != int(number):
                raise self.refused(value)
            number = int(number)
        if not isinstance(number, int) or isinstance(number, bool) or not self.minimum <= number <= self.maximum:
            raise self.refused(value)
        return number

    def refused(self, value: object) -> InvalidInputError:
        """What is allowed, and what was given (an empty number box says so)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return InvalidInputError(f"{self.label} must be a whole number from {self.minimum:,} to {self.maximum:,}; "
                                     "the box is empty: enter one")
        return InvalidInputError(f"{self.label} must be a whole number from {self.minimum:,} to {self.maximum:,}, "
                                 f"got {value!r}")


@dataclass(frozen=True)
class FloatRange:
    label: str
    minimum: float
    maximum: float

    def check(self, value: object) -> float:
        try:
            number = float(value) if not isinstance(value, bool) and value is not None else math.nan
        except (TypeError, ValueError):
            raise self.refused(value) from None
        if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
            raise self.refused(value)
        return number

    def refused(self, value: object) -> InvalidInputError:
        """What is allowed, and what was given (an empty number box says so)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return InvalidInputError(f"{self.label} must be a number from {self.minimum:g} to {self.maximum:g}; "
                                     "the box is empty: enter one")
        return InvalidInputError(f"{self.label} must be a number from {self.minimum:g} to {self.maximum:g}, got {value!r}")


SEED = IntRange("seed", 0, 2**32 - 1)
NUM_SAMPLES = IntRange("number of samples", 1, 256)
INTERPOLATION_STEPS = IntRange("number of interpolation steps", 2, 64)
EVAL_SAMPLES = IntRange("number of evaluation images", 2, 100_000)
EPOCHS = IntRange("epochs", 1, 10_000)
MAX_STEPS = IntRange("steps", 1, 10_000_000)
BATCH_SIZE = IntRange("batch size", 1, 4096)
LEARNING_RATE = FloatRange("learning rate", 1e-7, 1.0)
SAMPLE_EVERY = IntRange("sample every N steps", 1, 1_000_000)
SAVE_EVERY = IntRange("save every N steps", 1, 1_000_000)
LOG_EVERY = IntRange("report losses every N steps", 1, 100_000)
EVAL_EVERY = IntRange("evaluate every N steps", 0, 1_000_000)
LATENT_DIM = IntRange("latent size", 2, 1024)
NETWORK_FEATURES = IntRange("network width (feature maps)", 1, 1024)
N_CRITIC = IntRange("critic steps per generator step", 1, 100)
GRADIENT_PENALTY_WEIGHT = FloatRange("gradient penalty weight (lambda)", 0.0, 1000.0)
KL_WEIGHT = FloatRange("KL weight (beta)", 0.0, 100.0)
R1_GAMMA = FloatRange("R1 penalty weight (gamma)", 0.0, 1000.0)
MAPPING_LAYERS = IntRange("mapping layers", 1, 16)
R1_EVERY = IntRange("R1 penalty every N steps", 1, 1000)
STYLE_MIXING = FloatRange("style-mixing probability", 0.0, 1.0)
MIX_SEEDS = IntRange("seeds per side of the mixing grid", 1, 16)
TRUNCATION = FloatRange("truncation (psi)", -1.0, 2.0)
INFERENCE_STEPS = IntRange("number of denoising steps", 1, 1000)
GUIDANCE = FloatRange("guidance scale", 0.0, 10.0)
NOISE_SIGMA = FloatRange("noise level (sigma)", 0.01, 2.0)
SKETCH_STRENGTH = FloatRange("strength", 0.01, 1.0)
REPAIR_COPIES = IntRange("number of repairs", 1, 16)
REPAIR_CANDIDATES = IntRange("candidates per repair (consensus)", 1, 32)
JUMP_LENGTH = IntRange("RePaint jump length", 1, 100)
JUMP_SAMPLES = IntRange("RePaint resamplings (jump count)", 1, 20)
EMA_DECAY = FloatRange("EMA decay", 0.0, 0.99999)
PLAYGROUND_STEPS = IntRange("steps", 1, 1_000_000)
MEASURE_SAMPLES = IntRange("generated points per measurement", 100, 100_000)
STEPS_PER_FRAME = IntRange("steps per frame", 1, 2000)
DIFFUSION_TIMESTEP = IntRange("t of the denoising field", 0, 99)
MIN_SNR_GAMMA = FloatRange("min-SNR gamma", 0.1, 100.0)
CLUSTERS = IntRange("self-conditioning clusters", 2, 256)
MAX_NEW_TOKENS = IntRange("max new tokens", 1, 2048)
TEMPERATURE = FloatRange("temperature", 0.0, 5.0)
TOP_K = IntRange("top-k", 0, 100_000)
TOP_P = FloatRange("top-p", 0.01, 1.0)
REPETITION_PENALTY = FloatRange("repetition penalty", 0.5, 3.0)
BLOCK_SIZE = IntRange("context length (block size)", 8, 4096)
