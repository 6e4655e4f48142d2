"""Denoising diffusion (Ho et al. 2020) on diffusers' `UNet2DModel` and schedulers: no hand copies.

`DiffusionModel` holds the noise-predicting UNet and the training noise schedule, and samples
with DDPM, DDIM (Song et al. 2021) or DPM-Solver++ (Lu et al. 2022) step by step, so the app can
show the denoising as it happens. Its `sample_latents`/`generate` pair matches the GANs': the
"latent" is the starting noise x_T, so seeds, grids, evaluation and (with deterministic DDIM)
latent interpolation work as for any other generator.

A class-conditional model is guided (classifier-free guidance, Ho & Salimans 2022): trained with
the condition dropped now and then, its last class embedding means "no condition", and sampling
mixes the two predictions, eps = eps(x, none) + w (eps(x, c) - eps(x, none)): w = 0 is
unconditional, 1 plain conditional, more follows the condition harder. With `attributes` the
condition is (class, stroke thickness bin, slant bin), one embedding per cell
(`data/attributes.py` measures them), plus one per class that leaves both attributes open (trained
on half of the images, so every class embedding sees far more data than a cell's); a prompt that
asks for one attribute only has the other drawn from the training images' frequencies for the class.

UNet class-embedding indices of a model with attributes: class * 9 + thickness * 3 + slant for a
cell (0 to 9C - 1), 9C + class for the class alone, and the last, 10C, for no condition.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

import torch
from torch import nn

from genai_demo.models.class_conditioning import ClassConditional

if TYPE_CHECKING:
    from diffusers import DDPMScheduler, UNet2DModel

# name shown in the UI and CLI -> (diffusers scheduler class name, extra config). By name: diffusers
# takes seconds to import, so the app's start (which lists the samplers) does not import it.
SAMPLERS: dict[str, tuple[str, dict]] = {
    "ddim": ("DDIMScheduler", {}),
    "ddpm": ("DDPMScheduler", {}),
    "dpm-solver++": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2}),
}


def diffusers_class(name: str) -> type:
    """A class of diffusers by name, importing diffusers when first asked."""
    return getattr(importlib.import_module("diffusers"), name)


DEFAULT_SAMPLER = "dpm-solver++"  # matches DDIM's 25 steps in 10 (see cddpm-mnist's and ddpm-mnist's cards)
DEFAULT_INFERENCE_STEPS = 10
# A guided model's default guidance scale: cddpm-mnist's class accuracy passes 99% there (99.5%, classifier-FID
# 26.5; at 1.25: 98.6%, 21.8; at 1: 94.8%, 22.8; bench/guidance.py, 2,000 samples, DPM-Solver++ 10 steps).
DEFAULT_GUIDANCE = 1.5
ATTRIBUTE_CELLS = 9  # 3 thickness bins × 3 slant bins


@dataclass
class DiffusionConfig:
    """A small UNet: one stage per entry of `block_out_channels`, halving the size between stages."""

    image_size: int = 28
    image_channels: int = 1
    block_out_channels: list[int] = field(default_factory=lambda: [32, 64, 64])
    layers_per_block: int = 1
    attention: bool = True  # self-attention at the lowest resolution
    num_class_embeds: int | None = None  # the classes a class-conditional model takes (None: unconditional)
    num_train_timesteps: int = 1000
    beta_schedule: str = "linear"  # Ho et al.: betas from 1e-4 to 0.02
    guided: bool = True  # conditional: one more embedding, "no condition", for classifier-free guidance
    attributes: bool = False  # conditional: on (class, thickness bin, slant bin)
    # Set by the trainer from the training images (data/attributes.py): the bins' edges and names,
    # and how many images each (class, cell) has, counts[class][thickness * 3 + slant].
    attribute_bins: dict | None = None
    attribute_counts: list[list[int]] | None = None
    # A guided model's own default guidance scale, set after measuring it (None: DEFAULT_GUIDANCE).
    default_guidance: float | None = None

    def __post_init__(self) -> None:
        self.block_out_channels = [int(channels) for channels in self.block_out_channels]
        if not self.block_out_channels or any(c < 8 or c % 8 for c in self.block_out_channels):
            raise ValueError(f"diffusion block_out_channels must be multiples of 8, got {self.block_out_channels}")
        stride = 2 ** (len(self.block_out_channels) - 1)
        if self.image_size % stride or self.image_size < stride:
            raise ValueError(
                f"diffusion image_size {self.image_size} must be divisible by {stride} "
                f"({len(self.block_out_channels)} stages)"
            )
        if self.layers_per_block < 1 or self.image_channels < 1:
            raise ValueError("diffusion layers_per_block and image_channels must be positive")
        if self.num_class_embeds is not None and self.num_class_embeds < 2:
            raise ValueError(f"diffusion num_class_embeds must be at least 2, got {self.num_class_embeds}")
        if self.beta_schedule not in ("linear", "scaled_linear", "squaredcos_cap_v2"):
            raise ValueError(f"unknown beta_schedule {self.beta_schedule!r}")
        if self.attributes and self.num_class_embeds is None:
            raise ValueError("diffusion attributes need a class-conditional model")
        if self.default_guidance is not None and not 0 <= float(self.default_guidance) <= 10:
            raise ValueError(f"diffusion default_guidance must be from 0 to 10, got {self.default_guidance}")

    @property
    def cells(self) -> int:
        """Condition cells per class: thickness bins × slant bins, or 1."""
        return ATTRIBUTE_CELLS if self.attributes else 1

    @property
    def unet_class_embeds(self) -> int | None:
        """The UNet's class embeddings: one per (class, cell), with attributes one more per class
        (attributes open), and "no condition" last when guided."""
        if self.num_class_embeds is None:
            return None
        per_class = self.cells + (1 if self.attributes else 0)
        return self.num_class_embeds * per_class + (1 if self.guided else 0)

    def conditioning(self) -> dict | None:
        """What `conditioning.json` of a model folder holds (None: unconditional)."""
        if self.num_class_embeds is None:
            return None
        conditioning = {"num_classes": self.num_class_embeds, "guided": self.guided, "attributes": self.attributes,
                        "attribute_bins": self.attribute_bins, "attribute_counts": self.attribute_counts}
        if self.default_guidance is not None:
            conditioning["default_guidance"] = self.default_guidance
        return conditioning

    def build_unet(self) -> UNet2DModel:
        levels = len(self.block_out_channels)
        lowest_down = "AttnDownBlock2D" if self.attention else "DownBlock2D"
        lowest_up = "AttnUpBlock2D" if self.attention else "UpBlock2D"
        return diffusers_class("UNet2DModel")(
            sample_size=self.image_size,
            in_channels=self.image_channels,
            out_channels=self.image_channels,
            block_out_channels=tuple(self.block_out_channels),
            layers_per_block=self.layers_per_block,
            down_block_types=("DownBlock2D",) * (levels - 1) + (lowest_down,),
            up_block_types=(lowest_up,) + ("UpBlock2D",) * (levels - 1),
            norm_num_groups=8,
            attention_head_dim=8,
            num_class_embeds=self.unet_class_embeds,
        )

    def build_scheduler(self) -> DDPMScheduler:
        return diffusers_class("DDPMScheduler")(
            num_train_timesteps=self.num_train_timesteps,
            beta_schedule=self.beta_schedule,
            prediction_type="epsilon",
            clip_sample=True,
        )

    @classmethod
    def describe(cls, unet_config: dict, scheduler_config: dict, conditioning: dict | None = None) -> "DiffusionConfig":
        """The config of a saved UNet, schedule and conditioning (exact for ours, a summary for other
        UNets; a UNet with class embeddings and no `conditioning.json` takes one class per embedding)."""
        condition = {}
        if conditioning is not None:
            condition = dict(num_class_embeds=int(conditioning["num_classes"]), guided=bool(conditioning["guided"]),
                             attributes=bool(conditioning.get("attributes")),
                             attribute_bins=conditioning.get("attribute_bins"),
                             attribute_counts=conditioning.get("attribute_counts"),
                             default_guidance=conditioning.get("default_guidance"))
        elif unet_config.get("num_class_embeds") is not None:
            condition = dict(num_class_embeds=unet_config["num_class_embeds"], guided=False)
        return cls(
            image_size=int(unet_config.get("sample_size") or 32),
            image_channels=int(unet_config.get("in_channels", 3)),
            block_out_channels=list(unet_config.get("block_out_channels", [32, 64, 64])),
            layers_per_block=int(unet_config.get("layers_per_block", 1)),
            attention="AttnDownBlock2D" in unet_config.get("down_block_types", ()),
            num_train_timesteps=int(scheduler_config.get("num_train_timesteps", 1000)),
            beta_schedule=scheduler_config.get("beta_schedule", "linear"),
            **condition,
        )


def predicted_original(sample: torch.Tensor, noise_prediction: torch.Tensor, alpha_bar: torch.Tensor) -> torch.Tensor:
    """The model's guess of the clean image in [-1, 1] from x_t and its noise prediction:
    x_0 = (x_t - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t)."""
    return ((sample - (1 - alpha_bar).sqrt() * noise_prediction) / alpha_bar.sqrt()).clamp(-1, 1)


@dataclass
class DenoisingStep:
    index: int  # 1-based
    total: int
    sample: torch.Tensor  # x_t after this step, in [-1, 1] at the end
    predicted_original: torch.Tensor | None  # the model's current guess of x_0 in [-1, 1], if asked for


class DiffusionModel(ClassConditional, nn.Module):
    model_type = "ddpm"
    config_class = DiffusionConfig

    def __init__(
        self, config: DiffusionConfig, unet: UNet2DModel | None = None, scheduler: DDPMScheduler | None = None
    ):
        super().__init__()
        self.config = config
        self.unet = unet if unet is not None else config.build_unet()
        self.noise_scheduler = scheduler if scheduler is not None else config.build_scheduler()

    @property
    def is_conditional(self) -> bool:  # a property here: one class serves both kinds
        return self.config.num_class_embeds is not None

    @property
    def num_classes(self) -> int:
        return int(self.config.num_class_embeds or 0)

    @property
    def is_guided(self) -> bool:
        return self.is_conditional and self.config.guided

    @property
    def has_attributes(self) -> bool:
        return self.is_conditional and self.config.attributes

    @property
    def default_guidance(self) -> float:
        """The guidance scale used when none is asked for: the folder's measured choice, else DEFAULT_GUIDANCE."""
        if not self.is_guided:
            return 1.0
        return float(DEFAULT_GUIDANCE if self.config.default_guidance is None else self.config.default_guidance)

    @property
    def null_condition(self) -> int:
        """The UNet class embedding that means "no condition" (a guided model's last one)."""
        return int(self.config.unet_class_embeds) - 1

    def class_only_conditions(self, labels: torch.Tensor) -> torch.Tensor:
        """The embedding of each class with both attributes left open (a model with attributes)."""
        return self.num_classes * ATTRIBUTE_CELLS + labels

    def conditions(self, labels: torch.Tensor, attributes: torch.Tensor | None = None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
        """The UNet's class-embedding indices for class `labels` (N,) and, for a model with
        attributes, bins (N, 2) of (thickness, slant), -1 where not asked for: with neither asked for,
        the class's own embedding; with one, the other is drawn from how often the training images
        of that class fall in each cell (with `generator`)."""
        if not self.has_attributes:
            return labels
        labels = labels.long().cpu()
        bins = torch.full((len(labels), 2), -1, dtype=torch.long) if attributes is None else attributes.long().cpu()
        counts = self.config.attribute_counts or [[1] * ATTRIBUTE_CELLS] * self.num_classes
        frequency = torch.tensor(counts, dtype=torch.float64)[labels] + 0.5  # an empty cell can still be asked for
        cell = torch.arange(ATTRIBUTE_CELLS)
        allowed = (((bins[:, :1] < 0) | (cell // 3 == bins[:, :1])) & ((bins[:, 1:] < 0) | (cell % 3 == bins[:, 1:])))
        chosen = torch.multinomial(frequency * allowed, 1, generator=generator).view(-1)
        open_both = (bins < 0).all(dim=1)
        return torch.where(open_both, self.class_only_conditions(labels), labels * ATTRIBUTE_CELLS + chosen)

    def sample_latents(self, num_samples: int, seed: int) -> torch.Tensor:
        """The starting noise x_T, drawn on the CPU so a seed gives the same images on any device."""
        cpu_generator = torch.Generator(device="cpu").manual_seed(seed)
        shape = (num_samples, self.config.image_channels, self.config.image_size, self.config.image_size)
        return torch.randn(shape, generator=cpu_generator)

    def make_sampler(self, name: str, num_inference_steps: int, extrapolating: bool = False):
        """The scheduler `name` from the trained schedule. `extrapolating` (guidance above 1): DDIM
        without clipping its x_0 guess, which it clips without correcting the noise it then reuses; under
        guidance that mismatch grows each step and the images saturate into blobs (cddpm-mnist at
        guidance 2: 48.6% class accuracy clipped, ~99% unclipped; unguided, clipping helps)."""
        if name not in SAMPLERS:
            raise ValueError(f"unknown sampler {name!r}; choose one of {', '.join(SAMPLERS)}")
        scheduler_name, extra = SAMPLERS[name]
        if extrapolating and scheduler_name == "DDIMScheduler":
            extra = {**extra, "clip_sample": False}
        sampler = diffusers_class(scheduler_name).from_config(self.noise_scheduler.config, **extra)
        sampler.set_timesteps(num_inference_steps, device=self.unet.device)
        return sampler

    @torch.inference_mode()
    def denoise(
        self,
        noise: torch.Tensor,
        labels: torch.Tensor | None = None,
        sampler: str = DEFAULT_SAMPLER,
        num_inference_steps: int = DEFAULT_INFERENCE_STEPS,
        seed: int = 0,
        with_guess: bool = True,
        guidance_scale: float | None = None,
        attributes: torch.Tensor | None = None,
    ) -> Iterator[DenoisingStep]:
        """Run the reverse process from `noise`, yielding after every step.

        `seed` drives the fresh noise that DDPM adds at each step (DDIM with eta 0 adds none) and
        the attribute bins not asked for; `with_guess` adds the model's guess of the final image to
        each step. `guidance_scale` (a guided model's; None: its `default_guidance`) mixes the
        conditional and unconditional predictions; `attributes` as for `conditions`.
        """
        device = self.unet.device
        step_generator = torch.Generator(device="cpu").manual_seed(seed)
        predict, scale = self.noise_predictor(len(noise), labels, guidance_scale, attributes, step_generator)
        scheduler = self.make_sampler(sampler, num_inference_steps, extrapolating=scale > 1)
        sample = noise.to(device) * scheduler.init_noise_sigma
        alphas_cumprod = scheduler.alphas_cumprod.to(device)
        timesteps = scheduler.timesteps
        for index, timestep in enumerate(timesteps, start=1):
            model_input = scheduler.scale_model_input(sample, timestep)
            noise_prediction = predict(model_input, timestep)
            predicted = None
            if with_guess:  # the guess we stream
                predicted = predicted_original(sample, noise_prediction, alphas_cumprod[int(timestep)])
            step_kwargs = {"generator": step_generator} if sampler == "ddpm" else {}
            sample = scheduler.step(noise_prediction, timestep, sample, **step_kwargs).prev_sample
            if index == len(timesteps):
                sample = sample.clamp(-1, 1)
            yield DenoisingStep(index, len(timesteps), sample, predicted)

    def noise_predictor(self, num_samples: int, labels: torch.Tensor | None, guidance_scale: float | None,
                         attributes: torch.Tensor | None, generator: torch.Generator):
        """(x_t, t) -> the noise prediction used for sampling: unconditional, conditional, or the
        guided mix of both (one UNet call on the doubled batch); and the guidance scale it applies."""
        device = self.unet.device
        if not self.is_conditional:
            return (lambda sample, timestep: self.unet(sample, timestep).sample), 1.0
        labels = labels if labels is not None else self.default_labels(num_samples)
        self.check_labels(labels)
        conditions = self.conditions(labels, attributes, generator).to(device)
        scale = (self.default_guidance if guidance_scale is None else float(guidance_scale)) if self.is_guided else 1.0
        if guidance_scale is not None and not self.is_guided and guidance_scale != 1:
            raise ValueError("this model was trained without guidance: its guidance scale is 1")
        if scale == 1:
            return (lambda sample, timestep: self.unet(sample, timestep, class_labels=conditions).sample), scale
        unconditioned = torch.full_like(conditions, self.null_condition)
        if scale == 0:
            return (lambda sample, timestep: self.unet(sample, timestep, class_labels=unconditioned).sample), scale
        both = torch.cat([conditions, unconditioned])

        def guided(sample: torch.Tensor, timestep) -> torch.Tensor:
            conditional, unconditional = self.unet(torch.cat([sample, sample]), timestep, class_labels=both).sample.chunk(2)
            return unconditional + scale * (conditional - unconditional)

        return guided, scale

    @torch.no_grad()
    def generate(
        self,
        latents: torch.Tensor,
        labels: torch.Tensor | None = None,
        sampler: str = DEFAULT_SAMPLER,
        num_inference_steps: int = DEFAULT_INFERENCE_STEPS,
        seed: int = 0,
        guidance_scale: float | None = None,
        attributes: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Images in [-1, 1] from starting noise: the last step of `denoise`."""
        was_training = self.unet.training
        self.unet.eval()
        try:
            for step in self.denoise(latents, labels, sampler, num_inference_steps, seed, with_guess=False,
                                     guidance_scale=guidance_scale, attributes=attributes):
                pass
            return step.sample
        finally:
            self.unet.train(was_training)
