"""Convolutional variational autoencoder (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014).

The encoder gives the mean and log-variance of a diagonal Gaussian q(z|x); the decoder gives
Bernoulli logits per pixel of p(x|z). A Bernoulli is a likelihood of binary pixels only, so
grayscale models binarise their input (intensity > 1/2, statically: the same image always gives
the same binary image) and their ELBO is in nats of binarised digits, as in the MNIST literature.
Colour models keep intensities as Bernoulli targets (a common shortcut, not a true likelihood).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from genai_demo.models.config_checks import require_image_size, require_positive


@dataclass
class VAEConfig:
    latent_dim: int = 16
    image_channels: int = 1
    image_size: int = 28
    hidden_features: int = 32
    binarize: bool | None = None  # None: binarise grayscale images, keep colour ones

    def __post_init__(self) -> None:
        require_image_size("VAE", self.image_size)
        require_positive("VAE", self, "latent_dim", "image_channels", "hidden_features")
        if self.binarize is None:
            self.binarize = self.image_channels == 1
        if not isinstance(self.binarize, bool):
            raise ValueError(f"VAE config: binarize must be true or false, got {self.binarize!r}")


class VAE(nn.Module):
    model_type = "vae"
    config_class = VAEConfig

    def __init__(self, config: VAEConfig):
        super().__init__()
        self.config = config
        features, base_size = config.hidden_features, config.image_size // 4
        self.flat_size = features * 2 * base_size * base_size
        self.encoder = nn.Sequential(
            nn.Conv2d(config.image_channels, features, 4, 2, 1),
            nn.ReLU(),
            nn.Conv2d(features, features * 2, 4, 2, 1),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.to_mean = nn.Linear(self.flat_size, config.latent_dim)
        self.to_log_variance = nn.Linear(self.flat_size, config.latent_dim)
        self.from_latent = nn.Linear(config.latent_dim, self.flat_size)
        self.decoder = nn.Sequential(
            nn.ReLU(),
            nn.Unflatten(1, (features * 2, base_size, base_size)),
            nn.ConvTranspose2d(features * 2, features, 4, 2, 1),
            nn.ReLU(),
            nn.ConvTranspose2d(features, config.image_channels, 4, 2, 1),
        )

    def prepare(self, images: torch.Tensor) -> torch.Tensor:
        """The data the likelihood is defined on: binary {-1, 1} images when `binarize`, else as given."""
        return torch.where(images > 0, 1.0, -1.0).to(images.dtype) if self.config.binarize else images

    def encode(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z|x) for images in [-1, 1]."""
        hidden = self.encoder(self.prepare(images))
        return self.to_mean(hidden), self.to_log_variance(hidden)

    def decode_logits(self, latents: torch.Tensor) -> torch.Tensor:
        """Bernoulli logits of p(x|z), one per pixel."""
        return self.decoder(self.from_latent(latents))

    @staticmethod
    def reparameterize(mean: torch.Tensor, log_variance: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """z = mu + sigma * eps: the randomness is in eps, so gradients reach mu and sigma."""
        return mean + torch.exp(0.5 * log_variance) * noise

    @torch.no_grad()
    def generate(self, latents: torch.Tensor) -> torch.Tensor:
        """Decoder means mapped to [-1, 1], like the GANs' outputs."""
        return self.decode(latents)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """`generate` with gradients to the latents (latent inversion optimises them)."""
        return torch.sigmoid(self.decode_logits(latents)) * 2 - 1

    @torch.no_grad()
    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        """Decode the posterior mean of each image: the VAE's best guess of its input."""
        mean, _ = self.encode(images)
        return self.generate(mean)

    def sample_latents(self, num_samples: int, seed: int) -> torch.Tensor:
        """Draws from the prior N(0, I) on the CPU, so a seed gives the same noise on any device."""
        cpu_generator = torch.Generator(device="cpu").manual_seed(seed)
        return torch.randn(num_samples, self.config.latent_dim, generator=cpu_generator)


def negative_elbo_terms(
    model: VAE, images: torch.Tensor, noise: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-image reconstruction NLL and KL in nats, for images in [-1, 1] (binarised first when the
    model binarises; otherwise intensities are the Bernoulli targets).

    KL(N(mu, sigma^2) || N(0, I)) = 1/2 sum(mu^2 + sigma^2 - log sigma^2 - 1)   (Kingma & Welling, appendix B)
    """
    images = model.prepare(images)
    # The sums over pixels and latents in float32, also when the networks run in bfloat16 (autocast).
    mean, log_variance = (statistic.float() for statistic in model.encode(images))
    logits = model.decode_logits(model.reparameterize(mean, log_variance, noise)).float()
    targets = (images + 1) / 2
    reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    reconstruction = reconstruction.flatten(1).sum(dim=1)
    kl = 0.5 * (mean.square() + log_variance.exp() - log_variance - 1).sum(dim=1)
    return reconstruction, kl
