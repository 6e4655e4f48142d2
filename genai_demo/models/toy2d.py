"""Small MLPs for 2D points: a generator, a discriminator (optionally spectrally normalised), a
VAE and a DDPM noise predictor. Plain torch; the playground trains them live."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


def mlp(inputs: int, outputs: int, hidden: int, layers: int, activation=nn.ReLU, wrap=lambda layer: layer) -> nn.Sequential:
    sizes = [inputs] + [hidden] * layers
    parts: list[nn.Module] = []
    for size_in, size_out in zip(sizes[:-1], sizes[1:]):
        parts += [wrap(nn.Linear(size_in, size_out)), activation()]
    parts.append(wrap(nn.Linear(sizes[-1], outputs)))
    return nn.Sequential(*parts)


class Generator2D(nn.Module):
    """z ~ N(0, I) in `latent_dim` dimensions -> a 2D point."""

    def __init__(self, latent_dim: int = 2, hidden: int = 128, layers: int = 3):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = mlp(latent_dim, 2, hidden, layers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.net(latents)


class Discriminator2D(nn.Module):
    """A 2D point -> one logit (GAN) or score (WGAN critic). `spectral`: every layer spectrally
    normalised (Miyato et al. 2018), which bounds the network's Lipschitz constant by 1."""

    def __init__(self, hidden: int = 128, layers: int = 3, spectral: bool = False):
        super().__init__()
        self.net = mlp(2, 1, hidden, layers, activation=lambda: nn.LeakyReLU(0.2),
                       wrap=spectral_norm if spectral else (lambda layer: layer))

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.net(points).squeeze(-1)


class VAE2D(nn.Module):
    """Encoder to (mean, log-variance) of a `latent_dim` Gaussian; decoder to the mean of a Gaussian
    with a fixed standard deviation `decoder_std` (Kingma & Welling 2014)."""

    def __init__(self, latent_dim: int = 2, hidden: int = 128, layers: int = 3, decoder_std: float = 0.1):
        super().__init__()
        self.latent_dim = latent_dim
        self.decoder_std = decoder_std
        self.encoder = mlp(2, 2 * latent_dim, hidden, layers)
        self.decoder = mlp(latent_dim, 2, hidden, layers)

    def encode(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_variance = self.encoder(points).chunk(2, dim=-1)
        return mean, log_variance

    def negative_elbo(self, points: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-point (reconstruction NLL up to a constant, KL to N(0, I)), in nats."""
        mean, log_variance = self.encode(points)
        latents = mean + (0.5 * log_variance).exp() * noise
        reconstruction = 0.5 * (self.decoder(latents) - points).square().sum(-1) / self.decoder_std ** 2
        kl = 0.5 * (mean.square() + log_variance.exp() - log_variance - 1).sum(-1)
        return reconstruction, kl


class Denoiser2D(nn.Module):
    """eps_theta(x_t, t): the noise in a noised 2D point, given t as a sinusoidal embedding (Ho et al. 2020)."""

    def __init__(self, hidden: int = 128, layers: int = 3, time_features: int = 16):
        super().__init__()
        self.time_features = time_features
        self.net = mlp(2 + time_features, 2, hidden, layers, activation=nn.SiLU)

    def embed(self, timesteps: torch.Tensor) -> torch.Tensor:
        half = self.time_features // 2
        frequencies = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half)
        angles = timesteps.float()[:, None] * frequencies[None]
        return torch.cat([angles.sin(), angles.cos()], dim=-1)

    def forward(self, points: torch.Tensor, timesteps: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([points, self.embed(timesteps)], dim=-1))
