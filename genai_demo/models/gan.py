"""GAN generators and discriminators: the MLP GAN of the textbook tutorial, and DCGAN.

MLP GAN after Goodfellow et al., "Generative Adversarial Nets" (NeurIPS 2014), in the layer
sizes of the classic Keras/PyTorch MNIST tutorials: 100 -> 256 -> 512 -> 1024 -> 784.

DCGAN after Radford, Metz & Chintala, "Unsupervised Representation Learning with Deep
Convolutional Generative Adversarial Networks" (ICLR 2016), scaled down to 28x28 the way the
classic MNIST tutorials do: the latent vector is projected to a 7x7 feature map and upsampled
twice by strided transposed convolutions. Batch norm everywhere but the generator's output and
the discriminator's input, ReLU in the generator, LeakyReLU(0.2) in the discriminator, tanh
output in [-1, 1].

The discriminator returns logits (no sigmoid): the trainer uses the numerically stable
`binary_cross_entropy_with_logits`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch
from torch import nn

from genai_demo.models.class_conditioning import ClassConditional
from genai_demo.models.config_checks import require_image_size, require_positive


@dataclass
class DCGANConfig:
    """Architecture of a DCGAN; saved as `config.json` in the model folder."""

    latent_dim: int = 100
    image_channels: int = 1
    image_size: int = 28
    generator_features: int = 64
    discriminator_features: int = 64
    # Karras et al. 2018: D sees how varied its batch is, so a generator that drops or
    # over-produces some digits can be caught.
    minibatch_std: bool = False
    # PacGAN (Lin et al. 2018): D judges `pack` images at once, joined along channels. A generator
    # that over- or under-produces some digits makes packs that real data never does.
    pack: int = 1
    # InfoGAN (Chen et al. 2016): a categorical code of this many values joins the latent, and D
    # gets a head that must recover it from the image. With no labels, the code comes to pick the
    # digit, so a uniform code gives every digit its share (an unconditional Gaussian latent
    # under-produces some: measured here, 1s and 4s at 2% of samples instead of 10%).
    categorical_code: int = 0
    # SN-GAN (Miyato et al. 2018): spectral normalisation on D's convolutions in place of its batch
    # norm, which bounds D's Lipschitz constant and judges each image on its own.
    spectral_norm: bool = False
    # Self-conditioned GAN (Liu et al. 2020), with the clusters fixed when training starts: the
    # training images are split into this many k-means clusters in pixel space; G gets a cluster
    # id (one-hot in its input, drawn in proportion to the cluster sizes) and D sees it beside the
    # image. No labels are used, yet every cluster, and so every digit, gets its share: measured
    # here, an unconditional DCGAN draws 1s and 4s at a third of their rate or less.
    clusters: int = 0
    # Fields added after folders were shipped without them: their defaults are the old behaviour,
    # so such a folder still loads (any other missing key is an error).
    added_fields: ClassVar[tuple[str, ...]] = ("minibatch_std", "pack", "categorical_code", "spectral_norm",
                                                   "clusters")

    @property
    def generator_input_dim(self) -> int:
        return self.latent_dim + self.categorical_code + self.clusters

    def __post_init__(self) -> None:
        require_image_size("DCGAN", self.image_size)
        require_positive("DCGAN", self, "latent_dim", "image_channels", "generator_features", "discriminator_features",
                         "pack")
        if self.pack > 16:
            raise ValueError(f"DCGAN pack must be at most 16, got {self.pack}")
        if not 0 <= self.categorical_code <= 100 or self.categorical_code == 1:
            raise ValueError(f"DCGAN categorical_code must be 0 (none) or 2 to 100 values, got {self.categorical_code}")
        if self.categorical_code and self.pack > 1:
            raise ValueError("DCGAN categorical_code needs pack 1: the code is recovered from one image, not a pack")
        if not 0 <= self.clusters <= 256 or self.clusters == 1:
            raise ValueError(f"DCGAN clusters must be 0 (none) or 2 to 256, got {self.clusters}")
        if self.clusters and (self.pack > 1 or self.categorical_code):
            raise ValueError("DCGAN clusters needs pack 1 and no categorical_code: D judges each image with its cluster")


def _init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: N(0, 0.02) for convolutions, N(1, 0.02) for BN scales."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """Maps latent vectors (batch, latent_dim) to images (batch, channels, size, size) in [-1, 1]."""

    def __init__(self, config: DCGANConfig):
        super().__init__()
        self.config = config
        base_size = config.image_size // 4
        features = config.generator_features
        self.net = nn.Sequential(
            # latent (+ code) (input_dim x 1 x 1) -> (2f x base x base)
            nn.ConvTranspose2d(config.generator_input_dim, features * 2, base_size, 1, 0, bias=False),
            nn.BatchNorm2d(features * 2),
            nn.ReLU(True),
            # -> (f x 2base x 2base)
            nn.ConvTranspose2d(features * 2, features, 4, 2, 1, bias=False),
            nn.BatchNorm2d(features),
            nn.ReLU(True),
            # -> (channels x 4base x 4base)
            nn.ConvTranspose2d(features, config.image_channels, 4, 2, 1, bias=False),
            nn.Tanh(),
        )
        self.apply(_init_dcgan_weights)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        return self.net(latents.view(latents.shape[0], self.config.generator_input_dim, 1, 1))


class MinibatchStdDev(nn.Module):
    """Append one feature map: the mean over features and pixels of the batch's standard deviation."""

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        spread = features.float().std(dim=0, unbiased=False).mean() if len(features) > 1 else features.new_zeros(())
        plane = spread.to(features.dtype).expand(features.shape[0], 1, *features.shape[2:])
        return torch.cat([features, plane], dim=1)


class DCGANDiscriminator(nn.Module):
    """Maps images (batch, channels, size, size) to one real-vs-fake logit per image."""

    def __init__(self, config: DCGANConfig):
        super().__init__()
        self.config = config
        base_size = config.image_size // 4
        features = config.discriminator_features
        judged_channels = features * 2 + int(config.minibatch_std)  # what the last layer and Q's head see
        # The cluster id, where there is one, as one more input channel: an embedded plane, as in cDCGAN.
        self.cluster_plane = (nn.Embedding(config.clusters, config.image_size * config.image_size)
                              if config.clusters else None)
        self.net = nn.Sequential(
            # (channels x 4base x 4base) -> (f x 2base x 2base); no BN on the input layer
            nn.Conv2d(config.image_channels * config.pack + int(bool(config.clusters)), features, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # -> (2f x base x base)
            nn.Conv2d(features, features * 2, 4, 2, 1, bias=False),
            *([] if config.spectral_norm else [nn.BatchNorm2d(features * 2)]),
            nn.LeakyReLU(0.2, inplace=True),
            *([MinibatchStdDev()] if config.minibatch_std else []),
            # -> (1 x 1 x 1)
            nn.Conv2d(judged_channels, 1, base_size, 1, 0, bias=False),
        )
        # InfoGAN's Q: the categorical code's logits from the same features as the real/fake logit.
        self.code_head = (
            nn.Conv2d(judged_channels, config.categorical_code, base_size, 1, 0)
            if config.categorical_code else None
        )
        self.apply(_init_dcgan_weights)
        if config.spectral_norm:  # after the initialisation, which writes the raw weights
            for layer in self.net:
                if isinstance(layer, nn.Conv2d):
                    nn.utils.parametrizations.spectral_norm(layer)

    def forward(self, images: torch.Tensor, clusters: torch.Tensor | None = None) -> torch.Tensor:
        """One logit per image, or per pack of `pack` consecutive images (a remainder is dropped).

        A clustered model needs each image's cluster id."""
        if self.cluster_plane is not None:
            if clusters is None:
                raise ValueError("this discriminator judges an image with its cluster id: pass clusters")
            size = self.config.image_size
            images = torch.cat([images, self.cluster_plane(clusters).view(-1, 1, size, size).to(images.dtype)], dim=1)
        pack = self.config.pack
        if pack > 1:
            count, channels, height, width = images.shape
            images = images[: count - count % pack].reshape(count // pack, pack * channels, height, width)
        return self.net(images).view(-1)

    def forward_with_code(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(real/fake logits (batch,), code logits (batch, categorical_code)) sharing one trunk."""
        features = self.net[:-1](images)
        return self.net[-1](features).view(-1), self.code_head(features).flatten(1)


class GANPair(nn.Module):
    """A generator/discriminator pair; one object so one folder holds both.

    Subclasses set `model_type`, `config_class` and build `generator` and `discriminator`.
    """

    model_type: str
    config: DCGANConfig | MLPGANConfig | WGANGPConfig | ConditionalDCGANConfig
    generator: nn.Module
    discriminator: nn.Module
    is_conditional = False  # conditional models take class labels in generate()

    @torch.no_grad()
    def generate(self, latents: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] for the given latents, with batch norm in inference mode."""
        return self.decode(latents)

    def decode(self, latents: torch.Tensor) -> torch.Tensor:
        """`generate` with gradients to the latents (latent inversion optimises them)."""
        was_training = self.generator.training
        self.generator.eval()
        try:
            return self.generator(latents)
        finally:
            self.generator.train(was_training)

    def sample_latents(self, num_samples: int, seed: int) -> torch.Tensor:
        """Latents drawn on the CPU, so a seed gives the same noise on any device."""
        return self.random_latents(num_samples, torch.Generator(device="cpu").manual_seed(seed), "cpu")[0]

    def random_latents(self, count: int, generator: torch.Generator,
                       device) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(latents, codes): standard-normal latents, joined by a one-hot code where the model has
        one, whose values are returned too (else None): a uniform categorical code (InfoGAN) or a
        cluster id drawn in proportion to the cluster sizes (self-conditioned DCGAN)."""
        latents = torch.randn(count, self.config.latent_dim, generator=generator, device=device)
        clusters = getattr(self.config, "clusters", 0)
        values = clusters or getattr(self.config, "categorical_code", 0)
        if not values:
            return latents, None
        if clusters:
            codes = torch.multinomial(self.cluster_weights.to(device), count, replacement=True, generator=generator)
        else:
            codes = torch.randint(0, values, (count,), generator=generator, device=device)
        return torch.cat([latents, torch.nn.functional.one_hot(codes, values).to(latents.dtype)], dim=1), codes

    def register_clusters(self, config) -> None:
        """Self-conditioning's buffers, where the config asks for clusters: set by `set_clusters`
        when training starts, saved with the weights."""
        if getattr(config, "clusters", 0):
            pixels = config.image_channels * config.image_size * config.image_size
            self.register_buffer("cluster_centers", torch.zeros(config.clusters, pixels))
            self.register_buffer("cluster_weights", torch.full((config.clusters,), 1.0 / config.clusters))

    def set_clusters(self, centers: torch.Tensor, weights: torch.Tensor) -> None:
        """Cluster centres (clusters, C*H*W) in [-1, 1] pixels, and each cluster's share of the data."""
        if not self.config.clusters or centers.shape != self.cluster_centers.shape or weights.shape != self.cluster_weights.shape:
            raise ValueError(f"expected {self.config.clusters} cluster centres and weights for this model")
        self.cluster_centers.copy_(centers)
        self.cluster_weights.copy_(weights / weights.sum())

    @torch.no_grad()
    def assign_clusters(self, images: torch.Tensor) -> torch.Tensor:
        """The nearest cluster centre of each image (batch,), for D's real side."""
        return torch.cdist(images.flatten(1).float(), self.cluster_centers.float()).argmin(1)


class DCGAN(GANPair):
    model_type = "dcgan"
    config_class = DCGANConfig

    def __init__(self, config: DCGANConfig):
        super().__init__()
        self.config = config
        self.generator = DCGANGenerator(config)
        self.discriminator = DCGANDiscriminator(config)
        self.register_clusters(config)


@dataclass
class MLPGANConfig:
    """Fully connected GAN; saved as `config.json` in the model folder."""

    latent_dim: int = 100
    image_channels: int = 1
    image_size: int = 28
    generator_hidden: list[int] = field(default_factory=lambda: [256, 512, 1024])
    discriminator_hidden: list[int] = field(default_factory=lambda: [512, 256])

    def __post_init__(self) -> None:
        self.generator_hidden = list(self.generator_hidden)
        self.discriminator_hidden = list(self.discriminator_hidden)
        require_positive("MLP GAN", self, "latent_dim", "image_channels", "image_size")
        if not self.generator_hidden or not self.discriminator_hidden:
            raise ValueError("MLP GAN needs at least one hidden layer in each network")
        if min(self.generator_hidden + self.discriminator_hidden) < 1:
            raise ValueError("MLP GAN hidden layer sizes must be positive")


class MLPGenerator(nn.Module):
    """Linear -> BatchNorm -> LeakyReLU(0.2) blocks, then a linear layer to pixels and tanh."""

    def __init__(self, config: MLPGANConfig):
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        width = config.latent_dim
        for hidden in config.generator_hidden:
            layers += [nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(0.2, inplace=True)]
            width = hidden
        layers += [nn.Linear(width, config.image_channels * config.image_size**2), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, latents: torch.Tensor) -> torch.Tensor:
        config = self.config
        return self.net(latents).view(-1, config.image_channels, config.image_size, config.image_size)


class MLPDiscriminator(nn.Module):
    """Flattened pixels -> Linear -> LeakyReLU(0.2) blocks -> one logit."""

    def __init__(self, config: MLPGANConfig):
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = config.image_channels * config.image_size**2
        for hidden in config.discriminator_hidden:
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2, inplace=True)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images).view(-1)


class MLPGAN(GANPair):
    model_type = "mlp-gan"
    config_class = MLPGANConfig

    def __init__(self, config: MLPGANConfig):
        super().__init__()
        self.config = config
        self.generator = MLPGenerator(config)
        self.discriminator = MLPDiscriminator(config)


@dataclass
class WGANGPConfig:
    """DCGAN-shaped generator and critic for WGAN-GP; saved as `config.json`."""

    latent_dim: int = 100
    image_channels: int = 1
    image_size: int = 28
    generator_features: int = 64
    critic_features: int = 64
    spectral_norm: bool = False  # Miyato et al. 2018, on every critic layer

    def __post_init__(self) -> None:
        DCGANConfig(self.latent_dim, self.image_channels, self.image_size, self.generator_features, self.critic_features)


class WGANCritic(nn.Module):
    """The DCGAN discriminator without batch norm (the gradient penalty is per sample, and
    batch norm would couple the samples, Gulrajani et al. 2017 section 4) and without sigmoid."""

    def __init__(self, config: WGANGPConfig):
        super().__init__()
        base_size, features = config.image_size // 4, config.critic_features
        layers = [
            nn.Conv2d(config.image_channels, features, 4, 2, 1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(features, features * 2, 4, 2, 1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(features * 2, 1, base_size, 1, 0),
        ]
        if config.spectral_norm:
            layers = [
                nn.utils.parametrizations.spectral_norm(layer) if isinstance(layer, nn.Conv2d) else layer
                for layer in layers
            ]
        self.net = nn.Sequential(*layers)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.net(images).view(-1)


class WGANGP(GANPair):
    model_type = "wgan-gp"
    config_class = WGANGPConfig

    def __init__(self, config: WGANGPConfig):
        super().__init__()
        self.config = config
        self.generator = DCGANGenerator(
            DCGANConfig(config.latent_dim, config.image_channels, config.image_size, config.generator_features)
        )
        self.discriminator = WGANCritic(config)


@dataclass
class ConditionalDCGANConfig:
    """DCGAN conditioned on a class label (Mirza & Osindero 2014); saved as `config.json`."""

    latent_dim: int = 100
    image_channels: int = 1
    image_size: int = 28
    generator_features: int = 64
    discriminator_features: int = 64
    num_classes: int = 10
    label_embedding_dim: int = 16

    def __post_init__(self) -> None:
        DCGANConfig(self.latent_dim, self.image_channels, self.image_size, self.generator_features,
                    self.discriminator_features)
        if self.num_classes < 2 or self.label_embedding_dim < 1:
            raise ValueError("conditional DCGAN needs num_classes >= 2 and label_embedding_dim >= 1")


class ConditionalGenerator(nn.Module):
    """A DCGAN generator whose input is the latent vector joined with a learned label embedding."""

    def __init__(self, config: ConditionalDCGANConfig):
        super().__init__()
        self.config = config
        self.label_embedding = nn.Embedding(config.num_classes, config.label_embedding_dim)
        self.body = DCGANGenerator(
            DCGANConfig(config.latent_dim + config.label_embedding_dim, config.image_channels,
                        config.image_size, config.generator_features)
        )

    def forward(self, latents: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.body(torch.cat([latents, self.label_embedding(labels)], dim=1))


class ConditionalDiscriminator(nn.Module):
    """A DCGAN discriminator that sees the label as one more image channel (an embedded plane)."""

    def __init__(self, config: ConditionalDCGANConfig):
        super().__init__()
        self.config = config
        self.label_plane = nn.Embedding(config.num_classes, config.image_size * config.image_size)
        self.body = DCGANDiscriminator(
            DCGANConfig(config.latent_dim, config.image_channels + 1, config.image_size,
                        discriminator_features=config.discriminator_features)
        )

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        size = self.config.image_size
        plane = self.label_plane(labels).view(-1, 1, size, size)
        return self.body(torch.cat([images, plane], dim=1))


class ConditionalDCGAN(ClassConditional, GANPair):
    model_type = "cdcgan"
    config_class = ConditionalDCGANConfig

    def __init__(self, config: ConditionalDCGANConfig):
        super().__init__()
        self.config = config
        self.generator = ConditionalGenerator(config)
        self.discriminator = ConditionalDiscriminator(config)

    @property
    def num_classes(self) -> int:
        return self.config.num_classes

    @torch.no_grad()
    def generate(self, latents: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Images of the given classes (cycling through all classes when labels is None)."""
        return self.decode(latents, labels)

    def decode(self, latents: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """`generate` with gradients to the latents."""
        if labels is None:
            labels = self.default_labels(len(latents))
        labels = labels.to(latents.device)
        self.check_labels(labels)
        was_training = self.generator.training
        self.generator.eval()
        try:
            return self.generator(latents, labels)
        finally:
            self.generator.train(was_training)
