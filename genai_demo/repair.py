"""Repair and transform images with the models we already have: no new training.

A trained generative model is a prior over images; each task below keeps what the damaged image
still says and lets the model fill in the rest. Images are (N, C, H, W) tensors in [-1, 1].

Tasks and how the damage is described:
- inpaint: `known` (N, 1, H, W), 1 where the pixel is kept and 0 where it is to be filled.
- denoise: the image plus Gaussian noise of standard deviation `sigma` (in the [-1, 1] units).
- upscale: the image average-pooled by `scale` (2 or 4): a 28x28 digit becomes 14x14 or 7x7.
- sketch: a rough drawing that the model is to turn into a plausible image of its kind.

Methods (each a function below, with its reference):
- diffusion models: RePaint for inpainting, ILVR for up-scaling, denoising from the noise level
  the image already has, SDEdit for sketches;
- baselines: a plain fill (mean of the kept pixels / bicubic / Gaussian blur / the sketch as it is)
  and latent inversion of a VAE or GAN (optimise the latent until the model's image matches what
  is known).

Diffusion methods are generators that yield a `RepairStep` after each denoising step, so a page
can show the repair as it forms and stop it; `finish` runs one to the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import torch
import torch.nn.functional as F

from genai_demo import limits
from genai_demo.errors import InvalidInputError
from genai_demo.models.diffusion import diffusers_class, predicted_original

TASKS = ("inpaint", "denoise", "upscale", "sketch")
MASKS = ("lower-half", "centre-box", "random-pixels")
SCALES = (2, 4)


@dataclass
class RepairStep:
    index: int  # 1-based
    total: int
    image: torch.Tensor  # the current repair in [-1, 1] (the model's guess of the clean image)


# -- damage ---------------------------------------------------------------------------------------


def named_mask(name: str, size: int, count: int = 1, seed: int = 0) -> torch.Tensor:
    """A `known` mask (count, 1, size, size), 1 = kept: "lower-half" hides the lower half,
    "centre-box" a centred square of half the side, "random-pixels" a random half of the pixels."""
    known = torch.ones(count, 1, size, size)
    if name == "lower-half":
        known[..., size // 2:, :] = 0
    elif name == "centre-box":
        start, end = size // 4, size - size // 4
        known[..., start:end, start:end] = 0
    elif name == "random-pixels":
        generator = torch.Generator().manual_seed(seed)
        known = (torch.rand(count, 1, size, size, generator=generator) < 0.5).float()
    else:
        raise InvalidInputError(f"unknown mask {name!r}: choose one of {', '.join(MASKS)}")
    return known


def hide(images: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """The image with its hidden pixels grey (0), as the damaged image is shown."""
    return images * known


def add_noise(images: torch.Tensor, sigma: float, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return images + sigma * torch.randn(images.shape, generator=generator).to(images.device)


def downsample(images: torch.Tensor, scale: int) -> torch.Tensor:
    """Average-pooled by `scale`: what an up-scaler is given."""
    if scale not in SCALES:
        raise InvalidInputError(f"the scale must be one of {', '.join(map(str, SCALES))}, got {scale}")
    if images.shape[-1] % scale:
        raise InvalidInputError(f"a {images.shape[-1]}px image cannot be reduced by {scale}")
    return F.avg_pool2d(images, scale)


def upsample(images: torch.Tensor, scale: int) -> torch.Tensor:
    """Each pixel repeated: `downsample(upsample(x)) == x`, which makes ILVR's step a projection."""
    return F.interpolate(images, scale_factor=scale, mode="nearest")


def keep_known(damaged: torch.Tensor, known: torch.Tensor, filled: torch.Tensor) -> torch.Tensor:
    """The kept pixels as they were, the hidden ones from `filled`."""
    return damaged * known + filled * (1 - known)


def check_upscale_input(model, low_resolution: torch.Tensor, scale: int) -> None:
    if low_resolution.shape[-1] * scale != model.config.image_size:
        raise InvalidInputError(f"this model makes {model.config.image_size}px images: a ×{scale} up-scale needs a "
                                f"{model.config.image_size // scale}px image, got {low_resolution.shape[-1]}px")


def check_mask(images: torch.Tensor, known: torch.Tensor) -> None:
    if known.shape[-2:] != images.shape[-2:]:
        raise InvalidInputError(f"the mask is {known.shape[-1]}x{known.shape[-2]}px but the image "
                                f"{images.shape[-1]}x{images.shape[-2]}px: draw or upload a mask of the image's size")
    hidden = (known < 0.5).float().mean().item()
    if hidden == 0:
        raise InvalidInputError("the mask hides nothing: paint (or upload in white) the part to be filled in")
    if hidden == 1:
        raise InvalidInputError("the mask hides the whole image: keep part of it for the model to go on")


# -- baselines --------------------------------------------------------------------------------


def plain_fill(task: str, damaged: torch.Tensor, known: torch.Tensor | None = None, scale: int = 4,
               sigma: float = 0.5) -> torch.Tensor:
    """The repair with no model: hidden pixels get the mean of the kept ones (inpaint), bicubic
    interpolation (upscale), a Gaussian blur of width about sigma (denoise), the drawing as it is (sketch)."""
    if task == "inpaint":
        kept_mean = (damaged * known).sum(dim=(1, 2, 3), keepdim=True) / known.sum(dim=(1, 2, 3), keepdim=True).clamp_min(1)
        return keep_known(damaged, known, kept_mean).clamp(-1, 1)
    if task == "upscale":
        return F.interpolate(damaged, scale_factor=scale, mode="bicubic", align_corners=False).clamp(-1, 1)
    if task == "denoise":
        width = max(0.5, 2 * sigma)
        radius = max(1, math.ceil(2 * width))
        offsets = torch.arange(-radius, radius + 1, dtype=damaged.dtype, device=damaged.device)
        kernel = torch.exp(-offsets**2 / (2 * width**2))
        kernel = kernel / kernel.sum()
        channels = damaged.shape[1]
        blurred = F.conv2d(F.pad(damaged, (radius, radius, 0, 0), mode="replicate"),
                           kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
        blurred = F.conv2d(F.pad(blurred, (0, 0, radius, radius), mode="replicate"),
                           kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)
        return blurred.clamp(-1, 1)
    if task == "sketch":
        return damaged.clamp(-1, 1)
    raise InvalidInputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")


def degrade(task: str, images: torch.Tensor, known: torch.Tensor | None, scale: int) -> torch.Tensor:
    """What the damage leaves of `images`, to be compared with the damaged input (denoise and sketch: all of it)."""
    if task == "inpaint":
        return hide(images, known)
    if task == "upscale":
        return downsample(images, scale)
    return images


def invert_latent(model, task: str, damaged: torch.Tensor, known: torch.Tensor | None = None, scale: int = 4,
                  seed: int = 0, steps: int = 200, restarts: int = 4, lr: float = 0.05) -> torch.Tensor:
    """Latent inversion of a VAE or GAN (Zhu et al. 2016; Yeh et al. 2017 for inpainting): the
    latent whose image, damaged the same way, best matches the damaged image (Adam on the squared
    error plus a small pull towards the prior), the best of `restarts` random starts; inpainting
    keeps the known pixels as they are."""
    was_training = model.training
    model.eval()
    count = len(damaged)
    latents = model.sample_latents(count * restarts, seed).to(damaged.device).detach().requires_grad_(True)
    target = damaged.repeat(restarts, 1, 1, 1)
    mask = known.repeat(restarts, 1, 1, 1) if known is not None else None
    optimizer = torch.optim.Adam([latents], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        error = (degrade(task, model.decode(latents), mask, scale) - target).pow(2).flatten(1).mean(dim=1)
        prior = 1e-3 * latents.flatten(1).pow(2).mean(dim=1)
        (error + prior).sum().backward()
        optimizer.step()
    with torch.no_grad():
        images = model.decode(latents)
        error = (degrade(task, images, mask, scale) - target).pow(2).flatten(1).mean(dim=1)
        best = error.view(restarts, count).argmin(dim=0)
        chosen = images.view(restarts, count, *images.shape[1:])[best, torch.arange(count)]
    model.train(was_training)
    if task == "inpaint":
        chosen = keep_known(damaged, known, chosen)
    return chosen.clamp(-1, 1)


# -- diffusion --------------------------------------------------------------------------------


def _predictor(model, count: int, labels: torch.Tensor | None, guidance: float | None, seed: int) -> Callable:
    """(x_t, t) -> the noise prediction: with a class hint (and guidance) for a conditional model,
    its unconditional prediction otherwise (a guided model's at guidance 0)."""
    if model.is_conditional and labels is None:
        if not model.is_guided:
            raise InvalidInputError("this class-conditional model has no unconditional mode: give a class hint")
        guidance = 0.0
    predict, _ = model.noise_predictor(count, labels, guidance, None, torch.Generator().manual_seed(seed))
    return predict


def _ddim_step(guess: torch.Tensor, noise_prediction: torch.Tensor, alpha_bar: torch.Tensor,
               alpha_bar_previous: torch.Tensor, eta: float = 0.0, generator: torch.Generator | None = None):
    """A DDIM step (Song et al. 2021) from the clean guess to the previous timestep: re-noised with the
    predicted noise and, for `eta` above 0, fresh noise of sigma^2 = eta^2 (1 - abar') / (1 - abar) (1 - abar / abar')."""
    if eta == 0:
        return alpha_bar_previous.sqrt() * guess + (1 - alpha_bar_previous).sqrt() * noise_prediction
    sigma = eta * ((1 - alpha_bar_previous) / (1 - alpha_bar) * (1 - alpha_bar / alpha_bar_previous)).sqrt()
    noise = torch.randn(guess.shape, generator=generator).to(guess.device)
    return (alpha_bar_previous.sqrt() * guess + (1 - alpha_bar_previous - sigma**2).clamp_min(0).sqrt()
            * noise_prediction + sigma * noise)


def repaint_scheduler(model):
    """RePaint's scheduler on the model's noise schedule (only the schedule: RePaint warns about a DDPM
    config's other keys), with eta 1 as in the paper."""
    trained = model.noise_scheduler.config
    return diffusers_class("RePaintScheduler")(
        num_train_timesteps=trained.num_train_timesteps, beta_start=trained.beta_start, beta_end=trained.beta_end,
        beta_schedule=trained.beta_schedule, trained_betas=trained.trained_betas, clip_sample=trained.clip_sample,
        eta=1.0)


@torch.inference_mode()
def repaint(model, damaged: torch.Tensor, known: torch.Tensor, seed: int = 0, steps: int = 50,
            jump_length: int = 5, jump_n_sample: int = 5, labels: torch.Tensor | None = None,
            guidance: float | None = None) -> Iterator[RepairStep]:
    """Inpainting by RePaint (Lugmayr et al. 2022, diffusers' `RePaintScheduler`): at each reverse
    step the kept pixels are the original noised to that step and the hidden ones the model's; every
    `jump_length` steps it goes back `jump_length` steps by adding noise, `jump_n_sample - 1` times,
    so the filled part harmonises with the rest (`steps` x about `jump_n_sample` UNet calls)."""
    check_mask(damaged, known)
    device = model.unet.device
    scheduler = repaint_scheduler(model)
    scheduler.set_timesteps(steps, jump_length, jump_n_sample, device=device)
    generator = torch.Generator().manual_seed(seed)
    sample = torch.randn(damaged.shape, generator=generator).to(device)
    predict = _predictor(model, len(damaged), labels, guidance, seed)
    damaged, known = damaged.to(device), known.to(device)
    timesteps = scheduler.timesteps
    last = int(timesteps[0]) + 1
    for index, timestep in enumerate(timesteps, start=1):
        if timestep < last:
            noise_prediction = predict(sample, timestep)
            output = scheduler.step(noise_prediction, timestep, sample, damaged, known, generator)
            sample, guess = output.prev_sample, output.pred_original_sample
        else:
            sample = scheduler.undo_step(sample, last, generator)
        last = int(timestep)
        if index == len(timesteps):
            guess = sample
        yield RepairStep(index, len(timesteps), keep_known(damaged, known, guess.clamp(-1, 1)))


def _ddim(model, steps: int, start_step: int | None = None):
    scheduler = diffusers_class("DDIMScheduler").from_config(model.noise_scheduler.config, clip_sample=False)
    scheduler.set_timesteps(steps, device=model.unet.device)
    timesteps = scheduler.timesteps
    if start_step is not None:  # SDEdit and denoising start part-way down
        timesteps = timesteps[timesteps <= start_step]
    return scheduler, timesteps


def match_pooled(image: torch.Tensor, low_resolution: torch.Tensor, scale: int, rounds: int = 30) -> torch.Tensor:
    """An image in [-1, 1] close to `image` whose `scale`-pooled version is `low_resolution`:
    each block shifted by the one amount (found by bisection) that makes its clamped mean right. A
    plain clamp after the correction would undo part of it at the black background."""
    image = image.clamp(-1, 1)  # then a shift within [-2, 2] reaches any mean in [-1, 1]
    low, high = torch.full_like(low_resolution, -2.0), torch.full_like(low_resolution, 2.0)
    target = low_resolution.clamp(-1, 1)
    for _ in range(rounds):
        middle = (low + high) / 2
        too_dark = downsample((image + upsample(middle, scale)).clamp(-1, 1), scale) < target
        low, high = torch.where(too_dark, middle, low), torch.where(too_dark, high, middle)
    return (image + upsample((low + high) / 2, scale)).clamp(-1, 1)


def _alpha_bar(scheduler, timestep) -> torch.Tensor:
    timestep = int(timestep)
    return scheduler.alphas_cumprod[timestep] if timestep >= 0 else scheduler.final_alpha_cumprod


@torch.inference_mode()
def ilvr_upscale(model, low_resolution: torch.Tensor, scale: int, seed: int = 0, steps: int = 50,
                 labels: torch.Tensor | None = None, guidance: float | None = None) -> Iterator[RepairStep]:
    """Super-resolution by ILVR (Choi et al. 2021): sample as usual, but after each step replace
    the sample's low frequencies, `upsample(downsample(x))`, by those of the low-resolution image
    noised to the same step. With average pooling and pixel repetition that is a projection, so the
    result pooled down equals the given image exactly; the model only supplies the detail."""
    device = model.unet.device
    reference = upsample(low_resolution.to(device), scale)
    generator = torch.Generator().manual_seed(seed)
    check_upscale_input(model, low_resolution, scale)
    scheduler, timesteps = _ddim(model, steps)
    sample = torch.randn(reference.shape, generator=generator).to(device)
    predict = _predictor(model, len(reference), labels, guidance, seed)
    for index, timestep in enumerate(timesteps, start=1):
        noise_prediction = predict(sample, timestep)
        guess = predicted_original(sample, noise_prediction, _alpha_bar(scheduler, timestep))
        sample = scheduler.step(noise_prediction, timestep, sample, eta=1.0, generator=generator).prev_sample
        previous = timesteps[index] if index < len(timesteps) else -1
        alpha_bar = _alpha_bar(scheduler, previous).to(device)
        noised_reference = alpha_bar.sqrt() * reference + (1 - alpha_bar).sqrt() * torch.randn(
            reference.shape, generator=generator).to(device)
        sample = sample - upsample(downsample(sample, scale), scale) + upsample(downsample(noised_reference, scale), scale)
        if index == len(timesteps):
            sample = match_pooled(sample, low_resolution.to(device), scale)
        yield RepairStep(index, len(timesteps), sample.clamp(-1, 1) if index == len(timesteps) else guess)


@torch.inference_mode()
def null_space(model, task: str, damaged: torch.Tensor, known: torch.Tensor | None = None, scale: int = 4,
               seed: int = 0, steps: int = 50, eta: float = 0.85, labels: torch.Tensor | None = None,
               guidance: float | None = None) -> Iterator[RepairStep]:
    """Inpainting and super-resolution by range-null-space decomposition (DDNM, Wang et al. 2023):
    at each step the model's guess of the clean image x0 keeps only its part the damage destroyed,
    x0 - A+ A x0 + A+ y (A: hide the pixels, or average-pool; A+ its pseudo-inverse: the same mask,
    or pixel repetition), and the DDIM step (with `eta` fresh noise) goes on from the corrected guess.
    The result reproduces what is known exactly; the model supplies only the rest."""
    device = model.unet.device
    if task == "inpaint":
        check_mask(damaged, known)
        known = known.to(device)
        project = lambda x: known * x  # noqa: E731  (A+ A for a mask)
        given = (damaged.to(device) * known)
    elif task == "upscale":
        check_upscale_input(model, damaged, scale)
        project = lambda x: upsample(downsample(x, scale), scale)  # noqa: E731
        given = upsample(damaged.to(device), scale)
    else:
        raise InvalidInputError(f"the null-space method repairs inpaint and upscale tasks, not {task!r}")
    scheduler, timesteps = _ddim(model, steps)
    generator = torch.Generator().manual_seed(seed)
    shape = (len(given), model.config.image_channels, model.config.image_size, model.config.image_size)
    sample = torch.randn(shape, generator=generator).to(device)
    predict = _predictor(model, len(given), labels, guidance, seed)
    for index, timestep in enumerate(timesteps, start=1):
        noise_prediction = predict(sample, timestep)
        alpha_bar = _alpha_bar(scheduler, timestep).to(device)
        guess = predicted_original(sample, noise_prediction, alpha_bar)
        guess = guess - project(guess) + given
        previous = timesteps[index] if index < len(timesteps) else -1
        alpha_bar_previous = _alpha_bar(scheduler, previous).to(device)
        if index == len(timesteps):
            final = (keep_known(damaged.to(device), known, guess.clamp(-1, 1)) if task == "inpaint"
                     else match_pooled(guess, damaged.to(device), scale))
            yield RepairStep(index, len(timesteps), final)
            return
        sample = _ddim_step(guess, noise_prediction, alpha_bar, alpha_bar_previous, eta, generator)
        yield RepairStep(index, len(timesteps), guess.clamp(-1, 1))


def noise_level_step(model, sigma: float) -> int:
    """The training timestep whose noise matches Gaussian noise of `sigma` on a clean image:
    sqrt(abar) * (x + sigma * e) = sqrt(abar) x + sqrt(1 - abar) e  when  abar = 1 / (1 + sigma^2)."""
    alphas = model.noise_scheduler.alphas_cumprod
    return int((alphas - 1 / (1 + sigma**2)).abs().argmin())


@torch.inference_mode()
def _denoise_from(model, start: torch.Tensor, start_step: int, seed: int, steps: int,
                  labels: torch.Tensor | None, guidance: float | None) -> Iterator[RepairStep]:
    device = model.unet.device
    scheduler, timesteps = _ddim(model, steps, start_step)
    predict = _predictor(model, len(start), labels, guidance, seed)
    sample = start.to(device)
    # The start is noised to start_step exactly; the first step of the grid below it is taken from there.
    timesteps = torch.cat([torch.tensor([start_step], device=timesteps.device), timesteps[timesteps < start_step]])
    for index, timestep in enumerate(timesteps, start=1):
        noise_prediction = predict(sample, timestep)
        alpha_bar = _alpha_bar(scheduler, timestep)
        guess = predicted_original(sample, noise_prediction, alpha_bar)
        previous = timesteps[index] if index < len(timesteps) else -1
        # DDIM (eta 0) steps between any two timesteps, so the grid can start at start_step.
        sample = _ddim_step(guess, noise_prediction, alpha_bar, _alpha_bar(scheduler, previous))
        yield RepairStep(index, len(timesteps), sample.clamp(-1, 1) if index == len(timesteps) else guess)


def diffusion_denoise(model, noisy: torch.Tensor, sigma: float, seed: int = 0, steps: int = 50,
                      labels: torch.Tensor | None = None, guidance: float | None = None) -> Iterator[RepairStep]:
    """Denoising with a diffusion model and no new network: an image with Gaussian noise of `sigma`
    is, scaled by sqrt(abar_t), exactly a sample of the forward process at the step t whose noise
    matches (`noise_level_step`; the identity case of DDRM, Kawar et al. 2022), so the reverse
    process simply starts there."""
    start_step = noise_level_step(model, sigma)
    alpha_bar = model.noise_scheduler.alphas_cumprod[start_step]
    return _denoise_from(model, alpha_bar.sqrt() * noisy, start_step, seed, steps, labels, guidance)


def sdedit(model, drawing: torch.Tensor, strength: float = 0.5, seed: int = 0, steps: int = 50,
           labels: torch.Tensor | None = None, guidance: float | None = None) -> Iterator[RepairStep]:
    """Sketch to image by SDEdit (Meng et al. 2022): noise the drawing to `strength` of the way
    (0: keep it, 1: pure noise, the drawing forgotten), then denoise: the model keeps the layout and
    replaces the strokes by ones it would draw."""
    if not 0 < strength <= 1:
        raise InvalidInputError(f"the strength must be above 0 and at most 1, got {strength}")
    scheduler = model.noise_scheduler
    start_step = min(scheduler.config.num_train_timesteps - 1, int(round(strength * scheduler.config.num_train_timesteps)))
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(drawing.shape, generator=generator)
    alpha_bar = scheduler.alphas_cumprod[start_step]
    start = alpha_bar.sqrt() * drawing.cpu() + (1 - alpha_bar).sqrt() * noise
    return _denoise_from(model, start, start_step, seed, steps, labels, guidance)


def consensus(candidates: torch.Tensor) -> torch.Tensor:
    """(K, N, C, H, W) candidate repairs of N images -> (N, C, H, W): for each image the candidate
    with the smallest summed (L2) distance to the others, its minimum-Bayes-risk choice (Kumar and
    Byrne 2004; the medoid of the samples). Samples from a broad posterior split between readings (a 7
    or a 9?) and one sample is the likelier reading only as often as chance makes it; the medoid lies
    where the samples crowd, so it is the likelier one far more often (measured in the tab's help)."""
    count = candidates.shape[1]
    flat = candidates.flatten(2).transpose(0, 1).float()  # N, K, pixels
    chosen = torch.cdist(flat, flat).sum(dim=2).argmin(dim=1)
    return candidates[chosen, torch.arange(count, device=candidates.device)]


def with_consensus(steps: Iterator[RepairStep], candidates: int) -> Iterator[RepairStep]:
    """The steps of a repair of `candidates` copies of each image in one batch (copy-major, each copy
    its own noise): the first copies' steps streamed, and at the end the `consensus` of the copies."""
    step = None
    for step in steps:
        count = len(step.image) // candidates
        if step.index < step.total:
            yield RepairStep(step.index, step.total, step.image[:count])
    yield RepairStep(step.total, step.total, consensus(step.image.view(candidates, count, *step.image.shape[1:])))


def finish(steps: Iterator[RepairStep]) -> torch.Tensor:
    step = None
    for step in steps:
        pass
    return step.image


# -- one entry point --------------------------------------------------------------------------

# The methods of each task, by name; the first a diffusion model / a VAE or GAN can use is its default.
DIFFUSION_METHODS = {"inpaint": ("ddnm", "repaint"), "upscale": ("ddnm", "ilvr"), "denoise": ("diffusion",),
                     "sketch": ("sdedit",)}
LATENT_METHODS = ("inversion",)
BASELINES = {"inpaint": "fill", "upscale": "bicubic", "denoise": "blur", "sketch": "as-drawn"}


def check_image_generator(model, folder) -> None:
    if not (hasattr(model, "unet") or hasattr(model, "decode")) or not hasattr(model.config, "image_size"):
        raise InvalidInputError(f"{folder} holds a {model.model_type} model: repair needs an image "
                                "generator (a diffusion model, a VAE or a GAN)")


def methods_for(model, task: str) -> tuple[str, ...]:
    """The methods `model` can repair `task` with: its own first, then the plain baseline."""
    if task not in TASKS:
        raise InvalidInputError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    own = DIFFUSION_METHODS[task] if hasattr(model, "unet") else LATENT_METHODS if hasattr(model, "decode") else ()
    return (*own, BASELINES[task])


def run_repair(model, task: str, damaged: torch.Tensor, known: torch.Tensor | None = None, method: str | None = None,
               scale: int = 4, sigma: float = 0.5, strength: float = 0.5, seed: int = 0, steps: int = 50,
               labels: torch.Tensor | None = None, guidance: float | None = None, jump_length: int = 5,
               jump_n_sample: int = 5, candidates: int = 1) -> Iterator[RepairStep]:
    """Repair `damaged` (N, C, H, W in [-1, 1]; for upscale the small image) with `method` (None:
    the model's default for the task), yielding the steps of a diffusion method, or one step.
    `jump_length` and `jump_n_sample` are RePaint's resampling settings. With `candidates` K > 1 a
    model's method repairs each image K times and keeps their `consensus` (a baseline, which has no
    randomness, runs once)."""
    choices = methods_for(model, task)
    method = method or choices[0]
    if method not in choices:
        raise InvalidInputError(f"method {method!r} cannot do the {task} task with this model: choose one of {', '.join(choices)}")
    if task == "inpaint":
        if known is None:
            raise InvalidInputError("inpainting needs a mask: white where the image is to be filled in")
        check_mask(damaged, known)
    if task == "upscale" and scale not in SCALES:
        raise InvalidInputError(f"the scale must be one of {', '.join(map(str, SCALES))}, got {scale}")
    candidates = limits.REPAIR_CANDIDATES.check(candidates)
    if method == BASELINES[task]:
        return iter([RepairStep(1, 1, plain_fill(task, damaged, known, scale, sigma))])
    if candidates == 1:
        return _run_method(model, method, task, damaged, known, scale, sigma, strength, seed, steps, labels, guidance,
                           jump_length, jump_n_sample)
    copies = lambda tensor: None if tensor is None else tensor.repeat(candidates, *([1] * (tensor.dim() - 1)))  # noqa: E731
    return with_consensus(_run_method(model, method, task, copies(damaged), copies(known), scale, sigma, strength, seed,
                                      steps, copies(labels), guidance, jump_length, jump_n_sample), candidates)


def _run_method(model, method: str, task: str, damaged: torch.Tensor, known: torch.Tensor | None, scale: int,
                sigma: float, strength: float, seed: int, steps: int, labels: torch.Tensor | None,
                guidance: float | None, jump_length: int, jump_n_sample: int) -> Iterator[RepairStep]:
    extra = dict(labels=labels, guidance=guidance)
    if method == "inversion":
        # Noisy pixels can lie outside [-1, 1], where no generated image can follow them.
        return iter([RepairStep(1, 1, invert_latent(model, task, damaged.clamp(-1, 1), known, scale, seed))])
    if method == "ddnm":
        return null_space(model, task, damaged, known, scale, seed, steps, **extra)
    if method == "repaint":
        return repaint(model, damaged, known, seed, steps, jump_length, jump_n_sample, **extra)
    if method == "ilvr":
        return ilvr_upscale(model, damaged, scale, seed, steps, **extra)
    if method == "diffusion":
        return diffusion_denoise(model, damaged, sigma, seed, steps, **extra)
    return sdedit(model, damaged, strength, seed, steps, **extra)
