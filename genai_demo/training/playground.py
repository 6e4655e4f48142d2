"""The 2D playground's trainer: every family learns a 2D distribution live, one update at a time.

GAN Lab (Kahng et al. 2018) in the browser, with what it lacks: the VAE and DDPM beside the GANs,
and numbers (modes covered, high-quality share, sliced Wasserstein distance) measured as it
trains. The losses are the functions the image trainers use (`training/losses.py`); the DDPM's
noise schedule and sampler are diffusers' `DDPMScheduler`.

One `step()` is one update of the VAE or the DDPM, and for the GANs one discriminator (critic)
update, with the generator's update after every n_critic-th (as the image WGAN-GP trainer counts);
`update()` makes the next single update of that cycle (GAN Lab's step-by-step mode).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from genai_demo import limits
from genai_demo.data.toy2d import Toy2D, toy_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.families import (
    ADVERSARIAL, AUTOENCODER, DIFFUSION, PLAYGROUND_DDPM, PLAYGROUND_FAMILIES, PLAYGROUND_GAN, PLAYGROUND_SN_GAN,
    PLAYGROUND_VAE, PLAYGROUND_WGAN_GP, playground_family,
)
from genai_demo.models.building import building_lock
from genai_demo.metrics.toy2d import mode_coverage, sliced_wasserstein
from genai_demo.models.toy2d import Denoiser2D, Discriminator2D, Generator2D, VAE2D
from genai_demo.training.gan_trainer import frozen
from genai_demo.training.losses import discriminator_loss, gradient_penalty, non_saturating_generator_loss

FAMILIES = tuple(PLAYGROUND_FAMILIES)
DIFFUSION_STEPS = 100
MEASURE_SAMPLES = 2000
SHOWN_PATHS = 8
ADAM_OPTIONS = {"fused": True}  # one kernel for all parameters: tiny networks are bound by per-tensor overhead


@dataclass
class PlaygroundConfig:
    family: str = PLAYGROUND_GAN.name
    dataset: str = "ring8"
    seed: int = 0
    learning_rate: float | None = None  # None: the family's default
    discriminator_lr: float | None = None
    n_critic: int | None = None
    gradient_penalty_weight: float = 10.0
    batch_size: int = 128  # the presets say theirs
    hidden: int = 128
    latent_dim: int = 2
    # An exponential moving average of the generating network's weights, sampled instead of the
    # network itself (as the image families sample their EMA): None for off.
    ema_decay: float | None = None

    def __post_init__(self) -> None:
        defaults = playground_family(self.family)
        self.learning_rate = limits.LEARNING_RATE.check(defaults.learning_rate if self.learning_rate is None
                                                        else self.learning_rate)
        if defaults.adversarial:
            self.discriminator_lr = limits.LEARNING_RATE.check(
                defaults.discriminator_lr if self.discriminator_lr is None else self.discriminator_lr)
        self.n_critic = limits.N_CRITIC.check(defaults.n_critic if self.n_critic is None else self.n_critic)
        self.gradient_penalty_weight = limits.GRADIENT_PENALTY_WEIGHT.check(self.gradient_penalty_weight)
        self.batch_size = limits.BATCH_SIZE.check(self.batch_size)
        self.seed = limits.SEED.check(self.seed)
        self.latent_dim = limits.LATENT_DIM.check(self.latent_dim)
        if self.ema_decay is not None:
            self.ema_decay = limits.EMA_DECAY.check(self.ema_decay)


@dataclass
class Record:
    """One point of the curves: the losses of the last iteration and, when measured, the numbers."""

    step: int
    losses: dict[str, float]
    modes_covered: int | None = None
    modes: int | None = None
    high_quality: float | None = None
    sliced_wasserstein: float | None = None


class Playground:
    """A family's networks, optimisers and data for one 2D run; `step()` trains, `view()` describes
    what to draw, `measure()` scores `MEASURE_SAMPLES` generated points."""

    def __init__(self, config: PlaygroundConfig, data: Toy2D | None = None):
        self.config = config
        self.data = data if data is not None else toy_dataset(config.dataset)
        self.noise = torch.Generator().manual_seed(config.seed + 1)  # batches, latents, timesteps
        self.threads = 1
        self.iteration = 0  # steps made
        self.updates_in_iteration = 0  # GANs: discriminator updates since the generator's last
        self.losses: dict[str, float] = {}
        self.history: list[Record] = []
        self.last_samples: torch.Tensor | None = None  # the last measurement's generated points
        self.last_paths: torch.Tensor | None = None  # DDPM: (steps + 1, SHOWN_PATHS, 2) of its reverse paths
        self.reference = self.data.sample(MEASURE_SAMPLES, torch.Generator().manual_seed(12345))
        self.family = playground_family(config.family)
        with building_lock:  # not while another thread's from_pretrained has switched initialisation off
            self._build(config)

    def _build(self, config: PlaygroundConfig) -> None:
        family, hidden, betas = self.family, config.hidden, self.family.betas
        torch.manual_seed(config.seed)  # the networks' initial weights
        if family.adversarial:
            self.generator = Generator2D(config.latent_dim, hidden)
            self.discriminator = Discriminator2D(hidden, spectral=family.spectral_norm)
            self.optimizers = {
                "generator": torch.optim.Adam(self.generator.parameters(), config.learning_rate, betas=betas, **ADAM_OPTIONS),
                "discriminator": torch.optim.Adam(self.discriminator.parameters(), config.discriminator_lr, betas=betas, **ADAM_OPTIONS),
            }
        elif family.kind == AUTOENCODER:
            self.autoencoder = VAE2D(config.latent_dim, hidden)
            self.optimizers = {"autoencoder": torch.optim.Adam(self.autoencoder.parameters(), config.learning_rate, betas=betas, **ADAM_OPTIONS)}
        else:
            from diffusers import DDPMScheduler  # its noise schedule and sampler

            self.denoiser = Denoiser2D(hidden)
            self.scheduler = DDPMScheduler(num_train_timesteps=DIFFUSION_STEPS, beta_schedule="squaredcos_cap_v2",
                                           clip_sample=False)
            self.optimizers = {"denoiser": torch.optim.Adam(self.denoiser.parameters(), config.learning_rate, betas=betas, **ADAM_OPTIONS)}

        self.averaged = None
        if config.ema_decay:
            from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

            self.averaged = AveragedModel(self._generating_network, multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay))

    @property
    def _generating_network(self) -> torch.nn.Module:
        """The network whose weights make the samples: the generator, the VAE or the denoiser."""
        return getattr(self, {ADVERSARIAL: "generator", AUTOENCODER: "autoencoder", DIFFUSION: "denoiser"}[self.family.kind])

    def _average(self) -> None:
        if self.averaged is not None:
            self.averaged.update_parameters(self._generating_network)

    def _sampling_network(self, network: torch.nn.Module, averaged: bool = True) -> torch.nn.Module:
        """The EMA of `network`'s weights when there is one (and `averaged`), else `network`."""
        return self.averaged.module if averaged and self.averaged is not None else network

    # ---- Training ----

    def _real(self) -> torch.Tensor:
        return self.data.sample(self.config.batch_size, self.noise)

    def _latents(self, count: int) -> torch.Tensor:
        return torch.randn(count, self.config.latent_dim, generator=self.noise)

    def discriminator_update(self) -> None:
        real = self._real()
        with torch.no_grad():
            fake = self.generator(self._latents(len(real)))
        if self.family.wasserstein:
            wasserstein = self.discriminator(real).mean() - self.discriminator(fake).mean()
            mixing = torch.rand(len(real), generator=self.noise)
            penalty = gradient_penalty(self.discriminator, real, fake, mixing)
            loss = -wasserstein + self.config.gradient_penalty_weight * penalty
            self.losses.update(critic_loss=loss.item(), wasserstein_estimate=wasserstein.item(), gradient_penalty=penalty.item())
        else:
            loss = discriminator_loss(self.discriminator(real), self.discriminator(fake))
            self.losses["d_loss"] = loss.item()
        self.optimizers["discriminator"].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers["discriminator"].step()

    def generator_loss(self, fake: torch.Tensor, discriminator: torch.nn.Module) -> torch.Tensor:
        scores = discriminator(fake)
        return -scores.mean() if self.family.wasserstein else non_saturating_generator_loss(scores)

    def generator_update(self) -> None:
        with frozen(self.discriminator) as judge:
            loss = self.generator_loss(self.generator(self._latents(self.config.batch_size)), judge)
        self.optimizers["generator"].zero_grad(set_to_none=True)
        loss.backward()
        self.optimizers["generator"].step()
        self._average()
        self.losses["g_loss"] = loss.item()

    def _single_update(self) -> None:
        """VAE or DDPM: one Adam step on a batch."""
        real = self._real()
        if self.family.kind == AUTOENCODER:
            reconstruction, kl = self.autoencoder.negative_elbo(real, self._latents(len(real)))
            loss = (reconstruction + kl).mean()
            self.losses.update(loss=loss.item(), reconstruction=reconstruction.mean().item(), kl=kl.mean().item())
        else:
            noise = torch.randn(real.shape, generator=self.noise)
            timesteps = torch.randint(DIFFUSION_STEPS, (len(real),), generator=self.noise)
            noisy = self.scheduler.add_noise(real, noise, timesteps)
            loss = (self.denoiser(noisy, timesteps) - noise).square().mean()
            self.losses["loss"] = loss.item()
        optimizer = next(iter(self.optimizers.values()))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        self._average()

    def update(self) -> str:
        """The next single update (GAN Lab's step-by-step): "discriminator 2/5", "generator" or "step"."""
        if not self.family.adversarial:
            self._single_update()
            self.iteration += 1
            return "step"
        if self.updates_in_iteration < self.config.n_critic:
            self.discriminator_update()
            self.updates_in_iteration += 1
            self.iteration += 1
            name = "critic" if self.family.wasserstein else "discriminator"
            return f"{name} {self.updates_in_iteration}/{self.config.n_critic}"
        self.generator_update()
        self.updates_in_iteration = 0
        return "generator"

    def step(self) -> None:
        """One step: one update of the VAE or DDPM; for the GANs one discriminator (critic) update,
        followed by the generator's update on every n_critic-th step (as `WGANGPTrainer` counts)."""
        self.update()
        if self.family.adversarial and self.updates_in_iteration == self.config.n_critic:
            self.update()

    def train(self, steps: int) -> None:
        """`steps` steps on `self.threads` threads (`set_num_threads` holds for the calling thread only,
        OpenMP's rule): one by default, so that a run's curves do not depend on the machine's cores."""
        threads = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            for _ in range(steps):
                self.step()
        finally:
            torch.set_num_threads(threads)

    # ---- Sampling and measuring ----

    @torch.no_grad()
    def sample(self, count: int, seed: int = 0, trajectories: bool = False, averaged: bool = True):
        """`count` generated points (count, 2), from the EMA of the weights when there is one (and
        `averaged`); with `trajectories`, also the DDPM's reverse path (steps + 1, count, 2)."""
        generator = torch.Generator().manual_seed(seed)
        if self.family.adversarial:
            network = self._sampling_network(self.generator, averaged)
            return network(torch.randn(count, self.config.latent_dim, generator=generator))
        if self.family.kind == AUTOENCODER:
            decoder = self._sampling_network(self.autoencoder, averaged).decoder
            return decoder(torch.randn(count, self.config.latent_dim, generator=generator))
        denoiser = self._sampling_network(self.denoiser, averaged)
        self.scheduler.set_timesteps(DIFFUSION_STEPS)
        points = torch.randn(count, 2, generator=generator)
        path = [points]
        for timestep in self.scheduler.timesteps:
            predicted = denoiser(points, timestep.expand(count))
            points = self.scheduler.step(predicted, timestep, points, generator=generator).prev_sample
            if trajectories:
                path.append(points)
        return (points, torch.stack(path)) if trajectories else points

    def measure(self, count: int = MEASURE_SAMPLES) -> Record:
        """Score `count` generated points against as many real ones; appended to `history`."""
        if self.family.kind == DIFFUSION:  # keep a few reverse paths to draw (sampling is the costly part)
            samples, paths = self.sample(count, seed=self.config.seed + 7, trajectories=True)
            self.last_paths = paths[:, :SHOWN_PATHS]
        else:
            samples = self.sample(count, seed=self.config.seed + 7)
        self.last_samples = samples
        reference = self.reference[:count]
        record = Record(self.iteration, dict(self.losses),
                        sliced_wasserstein=round(sliced_wasserstein(samples, reference), 5))
        if self.data.mixture:
            coverage = mode_coverage(samples, self.data.centres, self.data.sigma)
            record.modes_covered, record.modes = coverage.modes_covered, coverage.modes
            record.high_quality = round(coverage.high_quality, 4)
        self.history.append(record)
        return record

    # ---- What to draw ----

    @torch.no_grad()
    def field(self, grid: torch.Tensor, timestep: int | None = None) -> torch.Tensor:
        """GANs: D's probability (GAN) or the critic's score (WGAN-GP) at each grid point (N,);
        DDPM: the learned denoising direction -eps_theta(x, t) at each grid point (N, 2)."""
        if self.family.adversarial:
            scores = self.discriminator(grid)
            return scores if self.family.wasserstein else torch.sigmoid(scores)
        if self.family.kind == DIFFUSION:
            return -self._sampling_network(self.denoiser)(grid, torch.full((len(grid),), int(timestep or 0)))
        raise ValueError("the VAE has no field to draw")

    def generator_gradients(self, count: int = 64, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """(points, -d loss_G / d point) for `count` fakes: where the generator's loss pushes each sample."""
        with torch.no_grad():
            fake = self.generator(torch.randn(count, self.config.latent_dim, generator=torch.Generator().manual_seed(seed)))
        fake.requires_grad_(True)
        with frozen(self.discriminator) as judge:
            loss = self.generator_loss(fake, judge) * count  # per-sample gradients, not divided by the batch
        (gradients,) = torch.autograd.grad(loss, fake)
        return fake.detach(), -gradients

    @torch.no_grad()
    def encoder_means(self, points: torch.Tensor) -> torch.Tensor:
        return self.autoencoder.encode(points)[0]

    # ---- Runs ----

    def run(self, iterations: int, measure_every: int = 100, measure_count: int = MEASURE_SAMPLES) -> dict:
        """Train `iterations` iterations, measuring every `measure_every`; the curves and figures as a dict."""
        self.measure(measure_count)
        started = time.perf_counter()
        training_seconds = 0.0
        while self.iteration < iterations:
            chunk = min(measure_every - self.iteration % measure_every, iterations - self.iteration)
            begun = time.perf_counter()
            self.train(chunk)
            training_seconds += time.perf_counter() - begun
            self.measure(measure_count)
        return summary(self, iterations / max(training_seconds, 1e-9), time.perf_counter() - started)


def summary(playground: Playground, iterations_per_second: float, seconds: float) -> dict:
    """The run's settings, curves and the figures its presets are checked against."""
    curves = [asdict(record) for record in playground.history]
    with_modes = [record for record in playground.history if record.modes_covered is not None]
    final = curves[-1]
    figures = {"final": {key: final[key] for key in ("step", "modes_covered", "modes", "high_quality", "sliced_wasserstein")},
               "iterations_per_second": round(iterations_per_second, 1), "seconds": round(seconds, 2)}
    if with_modes:
        figures["most_modes_covered"] = max(record.modes_covered for record in with_modes)
        full = next((index for index, record in enumerate(with_modes) if record.modes_covered == record.modes), None)
        if full is not None:  # the first time every mode was covered, and the fewest covered since
            fewest = min(with_modes[full:], key=lambda record: record.modes_covered)
            figures["all_modes_first_covered_at"] = with_modes[full].step
            figures["fewest_modes_since"] = {"step": fewest.step, "modes_covered": fewest.modes_covered,
                                             "high_quality": fewest.high_quality}
    return {"config": asdict(playground.config), "dataset": playground.data.name, "figures": figures, "curves": curves}


def write_summary(result: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return path


# ---- Presets: the classic phenomena, each reproduced with a fixed seed ----


@dataclass(frozen=True)
class Claims:
    """What a preset's run shows, checked on its curves (`unmet`): final coverage and quality, and
    whether it collapses: a point with at most `collapse_to` modes covered while at least
    `collapse_quality` of the samples are high quality (sharp samples, too few kinds)."""

    final_modes: int | None = None
    final_quality_at_least: float | None = None
    final_quality_at_most: float | None = None
    collapses: bool | None = None  # True: it must collapse; False: it must not
    collapse_to: int = 4
    collapse_quality: float = 0.5


def unmet(claims: Claims, result: dict) -> list[str]:
    """The claims a run's summary does not show, each as a sentence (none: all hold)."""
    curves, final = result["curves"], result["figures"]["final"]
    problems = []
    if claims.final_modes is not None and final["modes_covered"] != claims.final_modes:
        problems.append(f"final modes covered {final['modes_covered']}, claimed {claims.final_modes}")
    if claims.final_quality_at_least is not None and final["high_quality"] < claims.final_quality_at_least:
        problems.append(f"final high quality {final['high_quality']:.3f} < {claims.final_quality_at_least}")
    if claims.final_quality_at_most is not None and final["high_quality"] > claims.final_quality_at_most:
        problems.append(f"final high quality {final['high_quality']:.3f} > {claims.final_quality_at_most}")
    if claims.collapses is not None:
        # High quality >= collapse_quality says the generator has learned (an untrained one scores ~0).
        collapsed = any(record["modes_covered"] <= claims.collapse_to and record["high_quality"] >= claims.collapse_quality
                        for record in curves)
        if collapsed != claims.collapses:
            problems.append(f"{'no' if claims.collapses else 'a'} point with <= {claims.collapse_to} modes covered and >= "
                            f"{claims.collapse_quality:.0%} high quality")
    return problems


@dataclass(frozen=True)
class Preset:
    name: str
    config: PlaygroundConfig
    iterations: int
    explanation: str
    claims: Claims


PRESETS: dict[str, Preset] = {}


def _preset(name: str, config: PlaygroundConfig, iterations: int, claims: Claims, explanation: str) -> None:
    PRESETS[name] = Preset(name, config, iterations, " ".join(explanation.split()), claims)


def preset(name: str) -> Preset:
    if name not in PRESETS:
        raise InvalidInputError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


# The runs behind these paragraphs: `python -m genai_demo playground --preset NAME --json F` (tests check the claims).
_preset("ns-gan-collapse", PlaygroundConfig(family=PLAYGROUND_GAN.name, latent_dim=64, batch_size=256, discriminator_lr=4e-3,
                                            seed=1), 5000, Claims(collapses=True), """
    The non-saturating GAN on the ring of eight Gaussians, its generator fed 64-dimensional noise and its
    discriminator learning four times faster (4e-3 against 1e-3). By step 1,200 its purple points reach seven of the
    eight green modes, blurrily; from step 2,200 on they sit on two of them, sharply (over 90% high quality), and stay
    there to step 5,000: mode collapse. Watch the background and the arrows: the discriminator learns to call the
    occupied modes fake, the arrows push each sample to the nearest place it still believes real, and nothing in the
    loss rewards covering every mode. The modes-covered curve falls to 2 while high quality climbs to 97%: sharp
    samples, too few kinds. (Seeds 0 and 2 collapse too, onto 3 or 4 modes.)""")
_preset("wgan-gp-covers", PlaygroundConfig(family=PLAYGROUND_WGAN_GP.name, latent_dim=64, learning_rate=2e-3, discriminator_lr=1e-3,
                                           n_critic=3, gradient_penalty_weight=0.5, batch_size=512, ema_decay=0.99), 5000,
        Claims(final_modes=8, final_quality_at_least=0.9, collapses=False), """
    The same generator (64-dimensional noise) trained as a WGAN-GP: a critic kept near slope 1 by a gradient penalty
    (λ 0.5), three critic updates per generator update, batches of 512, and samples from an average of the generator's
    weights (EMA 0.99). The critic scores how far the samples are from the data rather than judging real or fake, so
    its slope (the arrows) keeps pointing at every mode the samples miss. All eight modes are covered from step 1,400
    and never lost; by step 5,000, 92% of the samples are high quality (the real points themselves: 98.9%).""")
_preset("sn-gan-covers", PlaygroundConfig(family=PLAYGROUND_SN_GAN.name, latent_dim=64, batch_size=256, learning_rate=2e-4, discriminator_lr=1e-3),
        5000, Claims(final_modes=8, collapses=False), """
    The collapse preset's GAN and loss, with every layer of the discriminator spectrally normalised (its slope bounded
    by 1) and two time scales (the discriminator learns at 1e-3, the generator at 2e-4). A discriminator that cannot
    grow arbitrarily steep keeps giving the generator gradients towards the modes it misses: all eight from step
    1,500 to the end, with no collapse (one dip to 6, blurry, at step 2,600). Its samples sharpen slowly: 61% high
    quality at step 5,000.""")
_preset("vae-blur", PlaygroundConfig(family=PLAYGROUND_VAE.name, batch_size=256), 5000, Claims(final_modes=8, final_quality_at_most=0.8), """
    A VAE with a 2D latent and a Gaussian decoder (σ 0.1). It covers every mode, since the ELBO punishes missing any
    real point, but a third of its samples fall between modes (66% high quality at step 5,000). The prior N(0, I) is
    one connected blob; the encoder packs the eight modes into eight clusters of means (the right panel), and the
    decoder must send the latent space between those clusters somewhere: onto bridges along the ring. Blur between
    modes is the 2D version of a VAE's blurry images.""")
_preset("ddpm-covers", PlaygroundConfig(family=PLAYGROUND_DDPM.name, batch_size=256, ema_decay=0.99), 5000,
        Claims(final_modes=8, final_quality_at_least=0.9), """
    A DDPM (100 noise levels on a cosine schedule, diffusers' DDPMScheduler) with a small MLP noise predictor, sampled
    from an average of its weights (EMA 0.99). Every mode is covered from step 700 on, and by step 5,000, 95% of the
    samples are high quality. The arrows are the learned denoising direction at step t (the slider): at high t they
    point towards the middle of the data, at low t towards the nearest mode; the grey lines are reverse paths from
    noise to a mode. Its loss is a regression with no adversary to fool, which is why nothing collapses.""")
